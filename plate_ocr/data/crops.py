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
    """The image files of a flat folder, sorted by name; hidden files (`._x.jpg` from macOS) are skipped.

    A missing folder, or one without a single image, is an error naming it (often a failed download).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"image folder not found: {directory}")
    files = sorted(
        p
        for p in directory.iterdir()
        if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )
    if not files:
        raise FileNotFoundError(f"image folder {directory} holds no {'/'.join(IMAGE_SUFFIXES)} files")
    return files


def list_crops(directory: str | Path, subset: str) -> list[PlateRecord]:
    """Every image of a flat folder, sorted, labelled from its file name."""
    return [PlateRecord(str(p), label_from_filename(p), subset) for p in image_files(directory)]


class ImageError(ValueError):
    """Bytes that are not a whole JPEG, PNG or BMP image."""


def _incomplete(data: bytes) -> str | None:
    """Why `data` is not a whole image file, judged by its format's signature and end, or None."""
    if data.startswith(b"\xff\xd8"):
        # Some OpenCV builds decode the first rows of a truncated JPEG without an error: check its
        # end-of-image marker (zero padding after it is harmless).
        return None if data.rstrip(b"\0").endswith(b"\xff\xd9") else "truncated JPEG (no end-of-image marker)"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None if data[-8:-4] == b"IEND" else "truncated PNG (no IEND chunk)"
    if data.startswith(b"BM") and len(data) >= 6:
        declared = int.from_bytes(data[2:6], "little")
        return None if declared <= len(data) else f"truncated BMP ({len(data)} of {declared} bytes)"
    return "not a JPEG, PNG or BMP image"


def decode_image(data: bytes, gray: bool = False) -> np.ndarray:
    """Decode a whole image file's bytes to RGB uint8 (HxWx3), or straight to grayscale (HxW) when `gray`
    (faster: a JPEG's luminance needs no colour conversion); ImageError says what is wrong."""
    if not data:
        raise ImageError("empty file")
    problem = _incomplete(data)
    if problem:
        raise ImageError(problem)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR)
    if image is None:
        raise ImageError("corrupt image data")
    return image if gray else cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def read_image(path: str | Path, gray: bool = False) -> np.ndarray:
    """Decode an image file to RGB uint8 (HxWx3), or grayscale (HxW) when `gray`; works for non-ASCII
    (Chinese) paths on every OS."""
    try:
        return decode_image(Path(path).read_bytes(), gray)
    except ImageError as error:
        raise ImageError(f"cannot decode image {path}: {error}") from None


class CropFiles:
    """A source of crops read from their files on every access, decoded straight to the grayscale the model
    reads (small JPEGs decode fast)."""

    def __init__(self, records: list[PlateRecord]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> PlateSample:
        record = self.records[index]
        return PlateSample(read_image(record.path, gray=True), record)
