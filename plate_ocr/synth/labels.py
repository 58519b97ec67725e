"""Plate strings as they are issued: province, issuing-office letter, then the serial of each plate type."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from plate_ocr import plate_format
from plate_ocr.plate_format import DIGITS, LETTERS, NEW_ENERGY, PROVINCES

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
    """Draws plate strings of a given type.

    `province_p` are probabilities over PROVINCES; `office_a_share` of plates have A as their second
    character, the rest any letter; `serial_letters[k]` weighs serials holding k letters (I and O never).
    """

    def __init__(
        self, province_p: np.ndarray, office_a_share: float, serial_letters: Sequence[float]
    ) -> None:
        self.provinces = np.cumsum(province_p)
        self.office_a_share = office_a_share
        self.letter_counts = np.cumsum(serial_letters, dtype=float)

    def __call__(self, plate_type: str, rng: np.random.Generator) -> str:
        province = PROVINCES[pick(self.provinces, rng)]
        office = "A" if rng.random() < self.office_a_share else LETTERS[rng.integers(len(LETTERS))]
        if plate_type == "green":
            energy = NEW_ENERGY[rng.integers(len(NEW_ENERGY))]
            if rng.random() < 0.85:  # small cars: D/F, a letter or digit, four digits
                second = (
                    LETTERS[rng.integers(len(LETTERS))] if rng.random() < 0.3 else DIGITS[rng.integers(10)]
                )
                return province + office + energy + second + self._digits(4, rng)
            return province + office + self._digits(5, rng) + energy  # large cars
        if plate_type in ("police", "coach"):
            return (
                province + office + self._serial(rng)[:4] + plate_format.PLATE_TYPES[plate_type].forms[0][-1]
            )
        return province + office + self._serial(rng)

    def _serial(self, rng: np.random.Generator) -> str:
        count = min(pick(self.letter_counts, rng), 5)
        chars = list(self._digits(5, rng))
        # Weighted positions without replacement: the largest of u ** (1 / weight) win.
        positions = np.argsort(rng.random(5) ** (1 / LETTER_POSITIONS))[5 - count :]
        for position, letter in zip(positions, rng.integers(len(LETTERS), size=len(positions))):
            chars[position] = LETTERS[letter]
        return "".join(chars)

    @staticmethod
    def _digits(count: int, rng: np.random.Generator) -> str:
        return "".join(DIGITS[d] for d in rng.integers(10, size=count))
