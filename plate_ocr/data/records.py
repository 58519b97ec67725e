"""What every data source yields: an image with its plate label and where it came from."""

from __future__ import annotations

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
    """A decoded plate image (RGB, uint8, HxWx3) with its record."""

    image: np.ndarray
    record: PlateRecord
