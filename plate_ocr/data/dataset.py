"""Turns any plate source into network-ready tensors, and batches them for CTC."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain

import numpy as np
import torch
from torch.utils.data import Dataset

from plate_ocr.charset import Charset
from plate_ocr.data.records import PlateSample
from plate_ocr.decoding.rows import may_be_double_row, one_row
from plate_ocr.preprocess import normalize, to_model_size

# HxW uint8 at model size in, the same out (plate_ocr.data.augment.PlateAugment)
Augment = Callable[[np.ndarray], np.ndarray]


class PlateDataset(Dataset):
    """Resizes and augments the samples of a source (HxW uint8 at model size) and encodes their labels;
    `collate_plates` normalises whole batches, which costs a fraction of doing it per image. With
    `read_both_ways` (the splits that are read, not trained on), a crop squat enough to be a double-row plate
    also comes laid out as one row (`one_row_image`)."""

    def __init__(
        self,
        source: Sequence[PlateSample],
        charset: Charset,
        image_size: tuple[int, int],
        augment: Augment | None = None,
        read_both_ways: bool = True,
    ) -> None:
        self.source = source
        self.charset = charset
        self.image_size = image_size
        self.augment = augment
        self.read_both_ways = read_both_ways

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index: int) -> dict:
        sample = self.source[index]
        image = to_model_size(sample.image, self.image_size)
        if self.augment is not None:
            image = self.augment(image)
        record = sample.record
        squat = self.read_both_ways and may_be_double_row(sample.image)
        return {
            "image": image,
            "one_row_image": to_model_size(one_row(sample.image), self.image_size) if squat else None,
            "target": self.charset.encode(record.label, source=record.path),
            "label": record.label,
            "path": record.path,
            "subset": record.subset,
        }


def collate_plates(items: list[dict]) -> dict:
    """Stack and normalise images; concatenate targets with per-sample lengths (7- and 8-character plates
    mix); stack the one-row views of squat crops apart."""
    images = torch.from_numpy(np.stack([item["image"] for item in items])).unsqueeze(1)
    targets = list(chain.from_iterable(item["target"] for item in items))
    one_row_indices = [index for index, item in enumerate(items) if item["one_row_image"] is not None]
    one_row_images = [items[index]["one_row_image"] for index in one_row_indices]
    return {
        "images": normalize(images),
        # the squat crops of the batch laid out as one row, and their places in it (plate_ocr.decoding.rows)
        "one_row_images": normalize(torch.from_numpy(np.stack(one_row_images)).unsqueeze(1))
        if one_row_images
        else None,
        "one_row_indices": one_row_indices,
        "targets": torch.tensor(targets, dtype=torch.long),
        "target_lengths": torch.tensor([len(item["target"]) for item in items], dtype=torch.long),
        "labels": [item["label"] for item in items],
        "paths": [item["path"] for item in items],
        "subsets": [item["subset"] for item in items],
    }
