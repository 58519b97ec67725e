"""Synthetic plates: the renderer (plate string, flat plate, camera) and the dataset source built on it."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from plate_ocr.charset import PROVINCES
from plate_ocr.data.records import PlateRecord, PlateSample
from plate_ocr.data.synth_camera import CameraEffects, photograph
from plate_ocr.data.synth_plate import STYLES, plate_string, render_plate

# Roughly CCPD's mix: most plates blue, the rest green new-energy, yellow, police and coach plates.
DEFAULT_TYPE_MIX = {"blue": 0.72, "green": 0.14, "yellow": 0.08, "police": 0.03, "coach": 0.03}


class PlateRenderer:
    """Draws a random plate as a camera and detector would deliver it.

    `dominant_province` (皖, like CCPD) gets `dominant_share` of plates, the other provinces share
    the rest evenly; `office_a_share` of plates have A as their second character (a provincial capital).
    `camera` overrides any CameraEffects field.
    """

    def __init__(
        self,
        type_mix: Mapping[str, float] | None = None,
        dominant_province: str = "皖",
        dominant_share: float = 0.5,
        office_a_share: float = 0.5,
        camera: Mapping[str, object] | None = None,
    ) -> None:
        mix = dict(type_mix or DEFAULT_TYPE_MIX)
        unknown = set(mix) - set(STYLES)
        if unknown:
            raise ValueError(f"unknown plate types {sorted(unknown)}; known: {sorted(STYLES)}")
        self.types = list(mix)
        self.type_weights = np.array([mix[t] for t in self.types], dtype=float) / sum(mix.values())
        if dominant_province not in PROVINCES:
            raise ValueError(f"dominant_province {dominant_province!r} is not one of {PROVINCES}")
        weights = np.full(len(PROVINCES), (1 - dominant_share) / (len(PROVINCES) - 1))
        weights[PROVINCES.index(dominant_province)] = dominant_share
        self.province_weights = weights / weights.sum()
        self.office_a_share = office_a_share
        self.camera = CameraEffects(**{k: tuple(v) if isinstance(v, list) else v for k, v in (camera or {}).items()})

    def __call__(self, rng: np.random.Generator) -> tuple[np.ndarray, str, str]:
        """A random (RGB uint8 crop, label, plate type)."""
        plate_type = self.types[rng.choice(len(self.types), p=self.type_weights)]
        label = plate_string(plate_type, rng, self.province_weights, self.office_a_share)
        return photograph(render_plate(label, plate_type, rng), self.camera, rng), label, plate_type


class SynthPlates:
    """`num_samples` rendered plates. With a seed, plate i is always the same (val/test sets);
    without, every access draws a new plate from torch's RNG, reproducible under seed_everything."""

    def __init__(self, num_samples: int, renderer: PlateRenderer, seed: int | None = None) -> None:
        self.num_samples = num_samples
        self.renderer = renderer
        self.seed = seed

    def __len__(self) -> int:
        return self.num_samples

    def __getitem__(self, index: int) -> PlateSample:
        if not 0 <= index < self.num_samples:
            raise IndexError(index)
        plate_seed = [self.seed, index] if self.seed is not None else int(torch.randint(2**62, ()))
        image, label, plate_type = self.renderer(np.random.default_rng(plate_seed))
        return PlateSample(image, PlateRecord(f"synth/{index}", label, plate_type))
