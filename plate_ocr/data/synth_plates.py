"""Synthetic plates as a data source: a fixed or an endless set of rendered plates, read as the reader
reads them."""

from __future__ import annotations

import numpy as np
import torch

from plate_ocr.data.records import PlateRecord, PlateSample
from plate_ocr.decoding.rows import one_row
from plate_ocr.plate_format import PLATE_TYPES
from plate_ocr.synth.renderer import PlateRenderer


class SynthPlates:
    """`num_samples` rendered plates. With a seed, plate i is always the same (val/test sets); without,
    every access draws a fresh plate seed from torch's RNG: new plates each epoch and in each DataLoader
    worker, reproducible under Lightning's seed_everything."""

    def __init__(self, num_samples: int, renderer: PlateRenderer, seed: int | None = None) -> None:
        self.num_samples = num_samples
        self.renderer = renderer
        self.seed = seed

    def __len__(self) -> int:
        return self.num_samples

    def __getitem__(self, index: int) -> PlateSample:
        if not 0 <= index < self.num_samples:
            raise IndexError(f"plate {index} of {self.num_samples}")
        plate_seed = [self.seed, index] if self.seed is not None else int(torch.randint(2**62, ()))
        image, label, plate_type = self.renderer.render(np.random.default_rng(plate_seed))
        return PlateSample(as_read(image, plate_type), PlateRecord(f"synth/{index}", label, plate_type))


def as_read(image: np.ndarray, plate_type: str) -> np.ndarray:
    """A rendered crop as the reader reads it: a double-row plate laid out as one row
    (plate_ocr.decoding.rows)."""
    return one_row(image) if PLATE_TYPES[plate_type].rows == 2 else image
