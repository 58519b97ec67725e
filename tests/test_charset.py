import pytest

from plate_ocr.charset import BLANK, Charset, LabelError
from plate_ocr.plate_format import DEFAULT_ALPHABET, LETTERS, PROVINCES


def test_alphabet_is_ccpd_done_right():
    assert len(PROVINCES) == 31
    assert "蒙" in PROVINCES and "荥" not in DEFAULT_ALPHABET
    assert "I" not in LETTERS and "O" not in LETTERS and len(LETTERS) == 24
    assert len(DEFAULT_ALPHABET) == len(set(DEFAULT_ALPHABET)) == 31 + 24 + 10 + len("警学挂使领港澳民航应急")
    assert set("警学挂使领港澳民航应急") <= set(DEFAULT_ALPHABET)


def test_blank_is_index_zero_and_round_trip():
    charset = Charset()
    assert charset.num_classes == 77
    for plate in ("皖AY339S", "皖AD00518", "粤B12345", "京A0001警", "使014578", "皖A1234应急"):
        indices = charset.encode(plate)
        assert 0 not in indices
        assert charset.decode(indices) == plate
    assert charset.decode([0, 1, 0]) == "皖"


def test_error_names_file_and_character():
    charset = Charset()
    with pytest.raises(LabelError, match=r"'皖AO3395'.*0001-皖AO3395.jpg.*'O'"):
        charset.encode("皖AO3395", source="0001-皖AO3395.jpg")
    with pytest.raises(LabelError, match="length 6"):
        charset.encode("皖A3395")


def test_duplicate_or_blank_in_alphabet_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        Charset("AB0CD0")
    with pytest.raises(ValueError, match="blank"):
        Charset("AB" + BLANK)
