"""What every data source yields: an image with its plate label and where it came from."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlateRecord:
    """One labelled plate: `path` names its origin, `subset` the group it is reported under."""

    path: str
    label: str
    subset: str = ""


@dataclass(frozen=True)
class PlateSample:
    """A decoded plate image (uint8, RGB HxWx3 or grayscale HxW) with its record."""

    image: np.ndarray
    record: PlateRecord


def hold_out(
    records: list[PlateRecord], fraction: float, seed: int
) -> tuple[list[PlateRecord], list[PlateRecord]]:
    """Split records into (kept, held out) with a seeded shuffle; the held-out share is `fraction`."""
    shuffled = records[:]
    random.Random(seed).shuffle(shuffled)
    count = max(1, round(len(shuffled) * fraction)) if fraction > 0 else 0
    return sorted(shuffled[count:], key=lambda r: r.path), sorted(shuffled[:count], key=lambda r: r.path)
