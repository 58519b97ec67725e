"""The plate format: the alphabet and lengths derived from it, its plate types, the grammar built on it."""

import re

import numpy as np
import pytest

from plate_ocr.charset import Charset
from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, read_checkpoint
from plate_ocr.decoding.grammar import plate_automaton
from plate_ocr.plate_format import (
    DEFAULT_ALPHABET,
    DOUBLE_ROW_ASPECT,
    DOUBLE_ROW_MAX_ASPECT,
    PLATE_FORMS,
    PLATE_LENGTHS,
    PLATE_TYPES,
    PlateType,
)

BLUE_LAYOUT = PLATE_TYPES["blue"].layout

# Checkpoints map their outputs to these characters in this order: it must never change.
ALPHABET = (
    "皖沪津渝冀晋蒙辽吉黑苏浙京闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新警学ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
)


def test_the_alphabet_is_the_checkpoints_one():
    assert DEFAULT_ALPHABET == ALPHABET
    assert read_checkpoint(BUNDLED_CHECKPOINT)["hyper_parameters"]["alphabet"] == DEFAULT_ALPHABET


def test_types_have_their_lengths_and_rows():
    lengths = {name: plate_type.length for name, plate_type in PLATE_TYPES.items()}
    assert lengths == {"blue": 7, "yellow": 7, "yellow_double": 7, "green": 8, "police": 7, "coach": 7}
    assert PLATE_LENGTHS == (7, 8)
    assert [name for name, plate_type in PLATE_TYPES.items() if plate_type.rows == 2] == ["yellow_double"]
    assert tuple(PLATE_TYPES) == ("blue", "yellow", "yellow_double", "green", "police", "coach")


def test_every_place_holds_characters_of_the_alphabet():
    for form in PLATE_FORMS:
        assert all(set(chars) <= set(DEFAULT_ALPHABET) for chars in form)
    assert len(PLATE_FORMS) == len(set(PLATE_FORMS)) == 5  # blue, yellow and yellow_double share one


def test_a_type_of_mixed_lengths_or_rows_is_refused():
    with pytest.raises(ValueError, match="one length"):
        PlateType((("A",) * 7, ("A",) * 8), BLUE_LAYOUT)
    with pytest.raises(ValueError, match="one or two rows"):
        PlateType((("A",) * 7,), BLUE_LAYOUT, rows=3)


def test_double_row_crops_are_squat_enough_to_be_read_both_ways():
    assert DOUBLE_ROW_ASPECT[0] < DOUBLE_ROW_ASPECT[1] < DOUBLE_ROW_MAX_ASPECT


# The grammar as it was written before the plate format had one home: province, office letter, then
# 5 letters/digits (7); D/F then 5 (small new-energy, 8); 5 then D/F (large new-energy, 8); 4 then 警 or 学.
PROVINCE, LETTER, ALNUM = (
    "[皖沪津渝冀晋蒙辽吉黑苏浙京闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新]",
    "[A-HJ-NP-Z]",
    "[A-HJ-NP-Z0-9]",
)
OLD_GRAMMAR = re.compile(
    f"{PROVINCE}{LETTER}({ALNUM}{{5}}|[DF]{ALNUM}{{5}}|{ALNUM}{{5}}[DF]|{ALNUM}{{4}}[警学])"
)


@pytest.mark.parametrize(
    "plate, valid",
    [
        ("皖A12345", True),
        ("粤BD12345", True),
        ("粤B12345F", True),
        ("京A1234警", True),
        ("沪A1234学", True),
        ("皖A123456", False),
        ("警A12345", False),
        ("皖112345", False),
        ("皖A1234警5", False),
        ("皖AO2345", False),
    ],
)
def test_the_grammar_accepts_the_plates_of_the_types(plate, valid):
    assert plate_automaton(DEFAULT_ALPHABET, PLATE_LENGTHS).accepts(plate) is valid


def test_the_grammar_accepts_exactly_what_it_did():
    automaton = plate_automaton(DEFAULT_ALPHABET, PLATE_LENGTHS)
    rng = np.random.default_rng(0)
    places = [DEFAULT_ALPHABET[:33], DEFAULT_ALPHABET[33:], DEFAULT_ALPHABET[31:]]  # provinces+, letters+
    for _ in range(20000):
        length = int(rng.integers(6, 10))
        pools = [places[0], places[1]] + [places[int(rng.integers(1, 3))] for _ in range(length - 2)]
        plate = "".join(pool[rng.integers(len(pool))] for pool in pools)
        assert automaton.accepts(plate) == (OLD_GRAMMAR.fullmatch(plate) is not None), plate


def test_a_charset_of_one_length_keeps_only_those_types():
    automaton = plate_automaton(DEFAULT_ALPHABET, (7,))
    assert automaton.accepts("皖A12345") and not automaton.accepts("粤BD12345")
    assert Charset(DEFAULT_ALPHABET, (7,)).problem("粤BD12345") is not None


def test_layouts_fit_their_characters():
    for name, plate_type in PLATE_TYPES.items():
        layout = plate_type.layout
        assert len(layout.char_widths) == len(layout.gaps) == plate_type.length, name
        assert sum(layout.char_widths) + sum(layout.gaps) < layout.width, name
    assert PLATE_TYPES["police"].layout.last_ink is not None  # the red 警
