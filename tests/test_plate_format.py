"""The plate format: the alphabet and lengths derived from it, its plate types, the grammar built on it."""

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from plate_ocr.charset import Charset
from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, read_checkpoint
from plate_ocr.decoding.grammar import plate_automaton
from plate_ocr.plate_format import (
    DEFAULT_ALPHABET,
    DOUBLE_ROW_ASPECT,
    DOUBLE_ROW_MAX_ASPECT,
    MARKS,
    PLATE_FORMS,
    PLATE_LENGTHS,
    PLATE_TYPES,
    PROVINCES,
    PlateType,
    types_of,
)
from plate_ocr.synth.config import default_renderer
from tests.conftest import PROJECT_ROOT

BLUE_LAYOUT = PLATE_TYPES["blue"].layout

# Checkpoints map their outputs to these characters in this order: it only ever grows at the end.
FIRST_ALPHABET = (
    "皖沪津渝冀晋蒙辽吉黑苏浙京闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新警学ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
)


def test_the_alphabet_grows_from_the_first_checkpoints_one():
    assert DEFAULT_ALPHABET == FIRST_ALPHABET + "挂使领港澳民航应急"
    assert DEFAULT_ALPHABET.startswith(read_checkpoint(BUNDLED_CHECKPOINT)["hyper_parameters"]["alphabet"])
    assert MARKS == "警学挂使领港澳民航应急"


def test_types_have_their_lengths_and_rows():
    lengths = {name: plate_type.length for name, plate_type in PLATE_TYPES.items()}
    assert lengths == {
        "blue": 7,
        "yellow": 7,
        "yellow_double": 7,
        "green": 8,
        "green_large": 8,
        "police": 7,
        "coach": 7,
        "trailer": 7,
        "embassy": 7,
        "consulate": 7,
        "hong_kong": 7,
        "macau": 7,
        "civil_aviation": 7,
        "emergency": 8,
    }
    assert PLATE_LENGTHS == (7, 8)
    double_row = [name for name, plate_type in PLATE_TYPES.items() if plate_type.rows == 2]
    assert double_row == ["yellow_double", "trailer"]


def test_every_place_holds_characters_of_the_alphabet():
    for form in PLATE_FORMS:
        assert all(set(chars) <= set(DEFAULT_ALPHABET) for chars in form)
    assert len(PLATE_FORMS) == len(set(PLATE_FORMS)) == 12  # blue, yellow and yellow_double share one


def test_a_type_of_mixed_lengths_rows_or_places_is_refused():
    with pytest.raises(ValueError, match="one length"):
        PlateType((("A",) * 7, ("A",) * 8), BLUE_LAYOUT, share=1)
    with pytest.raises(ValueError, match="one or two rows"):
        PlateType((("A",) * 7,), BLUE_LAYOUT, share=1, rows=3)
    with pytest.raises(ValueError, match="places for 7"):
        PlateType((("A",) * 8,), BLUE_LAYOUT, share=1)


def test_types_of_a_plate_are_those_whose_forms_fit_it():
    assert types_of("皖A12345") == ["blue", "yellow", "yellow_double"]
    assert types_of("使123456") == ["embassy"]
    assert types_of("粤Z1234港") == ["hong_kong"]
    assert types_of("皖AD12345") == ["green"] and types_of("皖A12345D") == ["green_large"]
    assert types_of("皖A1234应急") == ["emergency"]
    assert types_of("皖A123X") == [] and types_of("皖A1234警5") == []


def test_double_row_crops_are_squat_enough_to_be_read_both_ways():
    assert DOUBLE_ROW_ASPECT[0] < DOUBLE_ROW_ASPECT[1] < DOUBLE_ROW_MAX_ASPECT


# GA 36's plates written out by hand, independently of plate_format: province, office letter, then 5
# letters/digits (7); D/F, a letter or digit, 4 digits (small new-energy, 8); 5 digits then D/F (large
# new-energy, 8); 4 letters/digits then 警, 学, 挂 or 领 (4 digits); 使 and 6 digits; 粤Z, 4, 港 or 澳;
# 民航 and 5; 4 then 应急.
PROVINCE, LETTER, ALNUM = (
    "[皖沪津渝冀晋蒙辽吉黑苏浙京闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新]",
    "[A-HJ-NP-Z]",
    "[A-HJ-NP-Z0-9]",
)
GA36 = re.compile(
    f"{PROVINCE}{LETTER}({ALNUM}{{5}}|[DF]{ALNUM}[0-9]{{4}}|[0-9]{{5}}[DF]|{ALNUM}{{4}}[警学挂]|[0-9]{{4}}领"
    f"|{ALNUM}{{4}}应急)|使[0-9]{{6}}|粤Z{ALNUM}{{4}}[港澳]|民航{ALNUM}{{5}}"
)


@pytest.mark.parametrize(
    "plate, valid",
    [
        ("皖A12345", True),
        ("粤BD12345", True),
        ("粤BDA1234", True),
        ("粤BDAB234", False),
        ("粤B12345F", True),
        ("粤B1234AF", False),
        ("使014578", True),
        ("使01457A", False),
        ("沪A0123领", True),
        ("粤Z1A23港", True),
        ("粤Z1A23澳", True),
        ("京Z1A23港", False),
        ("民航A1234", True),
        ("皖A1234挂", True),
        ("皖A1234应急", True),
        ("皖A12345应急", False),
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


def test_the_grammar_accepts_exactly_ga36s_plates():
    automaton = plate_automaton(DEFAULT_ALPHABET, PLATE_LENGTHS)
    rng = np.random.default_rng(0)
    firsts, rest = PROVINCES + MARKS, DEFAULT_ALPHABET[31:]
    for _ in range(30000):
        length = int(rng.integers(6, 10))
        pools = [firsts] + [rest] * (length - 1)
        plate = "".join(pool[rng.integers(len(pool))] for pool in pools)
        assert automaton.accepts(plate) == (GA36.fullmatch(plate) is not None), plate
    for plate_type in PLATE_TYPES:  # and every plate the generator draws
        renderer_strings = default_renderer(plate_types={plate_type: 1.0}).strings
        for seed in range(50):
            plate = renderer_strings(plate_type, np.random.default_rng(seed))
            assert automaton.accepts(plate) and GA36.fullmatch(plate), (plate_type, plate)


def test_a_charset_of_one_length_keeps_only_those_types():
    automaton = plate_automaton(DEFAULT_ALPHABET, (7,))
    assert automaton.accepts("皖A12345") and not automaton.accepts("粤BD12345")
    assert Charset(DEFAULT_ALPHABET, (7,)).problem("粤BD12345") is not None


def test_layouts_fit_their_characters():
    for name, plate_type in PLATE_TYPES.items():
        layout = plate_type.layout
        assert len(layout.char_widths) == len(layout.gaps) == plate_type.length, name
        assert sum(layout.char_widths) + sum(layout.gaps) < layout.width, name
    red = {
        name: plate_type.layout.red_places
        for name, plate_type in PLATE_TYPES.items()
        if plate_type.layout.red_places
    }
    assert red == {
        "police": (6,),
        "embassy": (0,),
        "consulate": (6,),
        "hong_kong": (6,),
        "macau": (6,),
        "emergency": (6, 7),
    }


# A made-up plate type, added to a copy of plate_format.py and nowhere else: a white temporary plate, a
# province, its letter, four digits and a red 临.
MADE_UP_TYPE = """
PLATE_TYPES["temporary"] = PlateType(
    ((*OFFICE, *(DIGITS,) * 4, "临"),), PlateLayout(**SEVEN, **WHITE_PLATE, red_places=(6,)), share=0.05
)
"""
CHECK_MADE_UP_TYPE = """
import numpy as np
from plate_ocr.charset import Charset
from plate_ocr.checkpoints import widened_alphabet
from plate_ocr.decoding.grammar import plate_automaton
from plate_ocr.evaluation.report import summarize
from plate_ocr.plate_format import DEFAULT_ALPHABET, MARKS, PLATE_LENGTHS, types_of
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.glyphs import is_chinese

assert DEFAULT_ALPHABET.endswith("临") and "临" in MARKS and is_chinese("临")
assert widened_alphabet(DEFAULT_ALPHABET[:-1], DEFAULT_ALPHABET) == DEFAULT_ALPHABET
Charset().validate("皖A1234临")
grammar = plate_automaton(DEFAULT_ALPHABET, PLATE_LENGTHS)
assert grammar.accepts("皖A1234临") and not grammar.accepts("皖AB234临")
image, label, plate_type = default_renderer(plate_types={"temporary": 1.0}).render(np.random.default_rng(0))
assert plate_type == "temporary" and label.endswith("临") and types_of(label) == ["temporary"], label
drawn = {default_renderer().render(np.random.default_rng(seed))[2] for seed in range(300)}
assert "temporary" in drawn  # the default mix draws it at its share
row = {"label": label, "prediction": label, "subset": "", "distance": 0, "confidence": 1.0, "path": "x"}
assert "temporary" in summarize([row])["types"]
print("ok")
"""


def test_a_new_plate_type_is_one_edit_of_the_format_file(tmp_path):
    shutil.copytree(PROJECT_ROOT / "plate_ocr", tmp_path / "plate_ocr")
    shutil.copytree(PROJECT_ROOT / "conf", tmp_path / "conf")
    format_file = tmp_path / "plate_ocr" / "plate_format.py"
    source = format_file.read_text(encoding="utf-8")
    anchor = "# Every form a plate string may take"
    format_file.write_text(source.replace(anchor, MADE_UP_TYPE + "\n" + anchor), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", CHECK_MADE_UP_TYPE],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "ok", result.stderr
