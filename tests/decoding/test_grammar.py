"""Grammar-aware decoding against hand-made probability matrices and brute force."""

import itertools
import math

import numpy as np
import pytest
import torch

from plate_ocr.charset import Charset
from plate_ocr.decoding.grammar import grammar_decode, plate_automaton
from plate_ocr.decoding.greedy import collapse, greedy_decode
from plate_ocr.plate_format import MARKS, PLATE_TYPES
from plate_ocr.synth.config import default_renderer

CHARSET = Charset()


def logits_from(steps: list[dict[str, float]], num_steps: int = 16) -> torch.Tensor:
    """(1, T, C) log-probabilities from each step's {char: p} ('-' the blank; unnamed classes get 1e-6);
    steps beyond the list are confident blanks."""
    probabilities = torch.full((num_steps, CHARSET.num_classes), 1e-6)
    for t in range(num_steps):
        row = steps[t] if t < len(steps) else {"-": 1.0}
        for char, p in row.items():
            probabilities[t, 0 if char == "-" else CHARSET.alphabet.index(char) + 1] = p
    return probabilities.log().unsqueeze(0)


def sure(text: str) -> list[dict[str, float]]:
    """One confident step per character, a confident blank between repeats."""
    steps = []
    for previous, char in zip(" " + text, text):
        if char == previous:
            steps.append({"-": 0.98})
        steps.append({char: 0.98})
    return steps


def test_a_dropped_province_is_restored():
    steps = [{"-": 0.6, "皖": 0.4}, *sure("A12345")]
    logits = logits_from(steps)
    assert greedy_decode(logits, CHARSET)[0].text == "A12345"
    assert grammar_decode(logits, CHARSET)[0].text == "皖A12345"


def test_a_doubled_character_is_merged():
    steps = [*sure("皖A"), {"-": 0.55, "A": 0.45}, {"A": 0.9, "-": 0.08}, *sure("12345")]
    logits = logits_from(steps)
    assert greedy_decode(logits, CHARSET)[0].text == "皖AA12345"
    decoded = grammar_decode(logits, CHARSET)[0]
    assert decoded.text == "皖A12345"
    # The best valid alignment: 0.45 instead of the blank's 0.55 at the third step.
    assert decoded.confidence == pytest.approx(greedy_decode(logits, CHARSET)[0].confidence * 0.45 / 0.55)


def test_a_plate_starting_with_a_special_glyph_gets_a_province():
    logits = logits_from([{"警": 0.7, "京": 0.25}, *sure("A12345")])
    assert grammar_decode(logits, CHARSET)[0].text == "京A12345"


@pytest.mark.parametrize(
    "plate", ["皖A12345", "皖AD12345", "皖A12345F", "苏B1234警", "沪C1234学", "皖A11111"]
)
def test_valid_greedy_readings_are_kept(plate):
    logits = logits_from(sure(plate))
    greedy, grammar = greedy_decode(logits, CHARSET)[0], grammar_decode(logits, CHARSET)[0]
    assert grammar.text == greedy.text == plate
    assert grammar.confidence == pytest.approx(greedy.confidence)


@pytest.mark.parametrize("plate_type", PLATE_TYPES)
def test_every_plate_types_plates_decode_and_a_lost_mark_is_restored(plate_type):
    plate = default_renderer(plate_types={plate_type: 1.0}).strings(plate_type, np.random.default_rng(7))
    assert grammar_decode(logits_from(sure(plate)), CHARSET)[0].text == plate
    # The mark of a type (警, 使, 港, 应急, ...) read as a blank by a little: the grammar puts it back.
    marks = [place for place, char in enumerate(plate) if char in MARKS]
    if marks:
        steps = sure(plate)
        steps[marks[-1]] = {"-": 0.55, plate[marks[-1]]: 0.45}
        assert grammar_decode(logits_from(steps), CHARSET)[0].text == plate


def test_green_plates_need_d_or_f_third_or_last():
    # Greedy reads 皖A1D2345: eight characters with D fourth. F for 1 makes a valid small green plate.
    steps = [*sure("皖A"), {"1": 0.6, "F": 0.4}, {"D": 0.7, "0": 0.3}, *sure("2345")]
    logits = logits_from(steps)
    assert greedy_decode(logits, CHARSET)[0].text == "皖A1D2345"
    assert grammar_decode(logits, CHARSET)[0].text == "皖AFD2345"


def test_a_batch_decodes_each_plate_and_too_few_steps_give_nothing():
    batch = torch.cat([logits_from(sure("皖A12345")), logits_from([{"-": 0.6, "皖": 0.4}, *sure("A12345")])])
    assert [d.text for d in grammar_decode(batch, CHARSET)] == ["皖A12345", "皖A12345"]
    short = torch.randn(2, 5, CHARSET.num_classes)
    assert grammar_decode(short, CHARSET) == [grammar_decode(short, CHARSET)[0]] * 2
    assert grammar_decode(short, CHARSET)[0].text == ""
    assert grammar_decode(short, CHARSET)[0].confidence == 0.0


def test_matches_brute_force_over_every_alignment():
    charset = Charset("皖AD1警")
    steps, classes = 7, charset.num_classes
    paths = np.array(list(itertools.product(range(classes), repeat=steps)))
    automaton = plate_automaton(charset.alphabet, charset.plate_lengths)
    texts = [charset.decode(collapse(path)) for path in paths.tolist()]
    valid = np.array([automaton.accepts(text) for text in texts])
    logits = torch.from_numpy(
        np.random.default_rng(0).normal(size=(20, steps, classes)).astype(np.float32) * 3
    )
    scores = np.stack([lp[np.arange(steps), paths].sum(1) for lp in logits.log_softmax(-1).numpy()])
    scores[:, ~valid] = -np.inf
    for decoded, plate_scores in zip(grammar_decode(logits, charset), scores):
        assert decoded.text == texts[plate_scores.argmax()]
        assert math.log(decoded.confidence) == pytest.approx(plate_scores.max(), abs=1e-4)
