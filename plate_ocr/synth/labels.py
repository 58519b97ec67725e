"""Plate strings as they are issued: each plate type's places drawn as its form allows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from plate_ocr.plate_format import ALNUM, DIGITS, LETTERS, PLATE_TYPES, PROVINCES

# Where letters sit in a five-character serial, as often as CCPD has them there (mostly first and last).
LETTER_POSITIONS = np.array([0.36, 0.2, 0.13, 0.06, 0.25])


def pick(cumulative: np.ndarray, rng: np.random.Generator) -> int:
    """An index drawn with the probabilities whose running sum is `cumulative` (much faster than choice)."""
    return min(
        int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right")), len(cumulative) - 1
    )


def province_weights(shares: Mapping[str, float]) -> np.ndarray:
    """Probabilities over PROVINCES: each named province gets its share, the others split the rest evenly."""
    unknown = [p for p in shares if p not in PROVINCES]
    if unknown:
        raise ValueError(f"province {unknown[0]!r} is not one of {PROVINCES}")
    named = sum(shares.values())
    if not 0 <= named <= 1 or any(share < 0 for share in shares.values()):
        raise ValueError(f"province shares must be non-negative and add up to at most 1, got {dict(shares)}")
    others = len(PROVINCES) - len(shares)
    rest = (1 - named) / others if others else 0.0
    weights = np.array([shares.get(p, rest) for p in PROVINCES], dtype=float)
    return weights / weights.sum()


class PlateStrings:
    """Draws plate strings of a given type (plate_ocr.plate_format.PLATE_TYPES), place by place from its
    form: provinces by `province_p` (probabilities over PROVINCES); the issuing office's letter (a
    province's letter place) is A for `office_a_share` of plates, any letter for the rest; a run of
    letter-or-digit places holds k letters with weights `serial_letters[k]` (I and O never), mostly first
    and last; any other place draws its characters alike.
    """

    def __init__(
        self, province_p: np.ndarray, office_a_share: float, serial_letters: Sequence[float]
    ) -> None:
        self.provinces = np.cumsum(province_p)
        self.office_a_share = office_a_share
        self.letter_counts = np.cumsum(serial_letters, dtype=float)

    def __call__(self, plate_type: str, rng: np.random.Generator) -> str:
        forms = PLATE_TYPES[plate_type].forms
        form = forms[rng.integers(len(forms))] if len(forms) > 1 else forms[0]
        chars: list[str] = []
        place = 0
        while place < len(form):
            chars_here = form[place]
            if chars_here == ALNUM:
                run = next((end for end in range(place, len(form)) if form[end] != ALNUM), len(form)) - place
                chars.append(self._serial(run, rng))
                place += run
                continue
            if chars_here == PROVINCES:
                chars.append(PROVINCES[pick(self.provinces, rng)])
            elif chars_here == LETTERS and place > 0 and form[place - 1] == PROVINCES:
                chars.append(
                    "A" if rng.random() < self.office_a_share else LETTERS[rng.integers(len(LETTERS))]
                )
            else:
                chars.append(chars_here[rng.integers(len(chars_here))] if len(chars_here) > 1 else chars_here)
            place += 1
        return "".join(chars)

    def _serial(self, length: int, rng: np.random.Generator) -> str:
        """`length` letters or digits, some of them letters as `serial_letters` weighs them."""
        count = min(pick(self.letter_counts, rng), length)
        chars = [DIGITS[d] for d in rng.integers(10, size=length)]
        # Weighted positions without replacement: the largest of u ** (1 / weight) win.
        weights = LETTER_POSITIONS[:length] if length <= len(LETTER_POSITIONS) else np.ones(length)
        positions = np.argsort(rng.random(length) ** (1 / weights))[length - count :]
        for position, letter in zip(positions, rng.integers(len(LETTERS), size=len(positions))):
            chars[position] = LETTERS[letter]
        return "".join(chars)
