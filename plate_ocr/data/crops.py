"""Folders of plate crops labelled by file name (the CCPD2019-dl1 naming: `<n>-<plate>.jpg`)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from plate_ocr.data.records import PlateRecord, PlateSample

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")


def label_from_filename(path: str | Path) -> str:
    """The plate in a crop's file name: the text after the last `-` of the stem, or the whole stem."""
    return Path(path).stem.rsplit("-", 1)[-1]


def image_files(directory: str | Path) -> list[Path]:
    """The image files of a flat folder, sorted by name; hidden files (`._x.jpg` from macOS) are skipped."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"image folder not found: {directory}")
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


def list_crops(directory: str | Path, subset: str) -> list[PlateRecord]:
    """Every image of a flat folder, sorted, labelled from its file name."""
    return [PlateRecord(str(p), label_from_filename(p), subset) for p in image_files(directory)]


def read_rgb(path: str | Path) -> np.ndarray:
    """Decode an image file to RGB uint8 (HxWx3); works for non-ASCII (Chinese) paths on every OS."""
    data = np.fromfile(str(path), dtype=np.uint8)
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise ValueError(f"cannot decode image {path}: empty, truncated or not an image")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


class CropFiles:
    """A source of crops read from their files on every access (small JPEGs decode fast)."""

    def __init__(self, records: list[PlateRecord]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> PlateSample:
        record = self.records[index]
        return PlateSample(read_rgb(record.path), record)
