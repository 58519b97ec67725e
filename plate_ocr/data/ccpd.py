"""The original CCPD2019 / CCPD2020 release: full photos whose file names carry the annotations.

A name reads `area-tilt-bbox-vertices-plate-brightness-blur.jpg`, e.g.
`025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-37-15.jpg` (皖AY339S):
tilt `horizontal_vertical` degrees, bbox `x1&y1_x2&y2`, four vertices from the bottom-right corner
clockwise (bottom-right, bottom-left, top-left, top-right), and the plate as indices into CCPD's lists.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from plate_ocr.data.crops import image_files
from plate_ocr.data.records import PlateRecord, hold_out
from plate_ocr.data.validation import BadFile
from plate_ocr.plate_format import DIGITS, LETTERS, PROVINCES

# CCPD's own index lists; its trailing 'O' marks "no character" and is never a valid plate glyph.
CCPD_PROVINCES = PROVINCES + "警学O"
CCPD_ALPHABETS = LETTERS + "O"
CCPD_ADS = LETTERS + DIGITS + "O"
SPLITS = ("train", "val", "test")
# CCPD2019's photo folders besides ccpd_base; they form the test split when there are no split files.
# ccpd_np (photos without a plate) is left out: its names carry no annotation.
TEST_SUBSETS = (
    "ccpd_db",
    "ccpd_blur",
    "ccpd_fn",
    "ccpd_rotate",
    "ccpd_tilt",
    "ccpd_weather",
    "ccpd_challenge",
)
DEFAULT_CROP_SIZE = (48, 144)

Point = tuple[int, int]


@dataclass(frozen=True)
class CcpdAnnotation:
    """The fields of a CCPD file name."""

    area: int
    tilt: tuple[int, int]
    bbox: tuple[Point, Point]  # top-left, bottom-right
    vertices: tuple[Point, Point, Point, Point]  # bottom-right, bottom-left, top-left, top-right
    label: str
    brightness: int
    blur: int


def _numbers(field: str, separator: str, count: int) -> tuple[int, ...]:
    values = tuple(int(v) for v in field.split(separator))
    if len(values) != count:
        raise ValueError(f"expected {count} numbers separated by {separator!r}")
    return values


def _points(field: str, count: int) -> tuple[Point, ...]:
    points = field.split("_")
    if len(points) != count:
        raise ValueError(f"expected {count} points")
    return tuple(_numbers(point, "&", 2) for point in points)  # type: ignore[misc]


def plate_from_indices(field: str) -> str:
    """The plate string of a CCPD plate field such as `0_0_22_27_27_33_16` (8 indices for green plates)."""
    indices = [int(i) for i in field.split("_")]
    if len(indices) not in (7, 8):
        raise ValueError(f"expected 7 or 8 indices, got {len(indices)}")
    lists = [CCPD_PROVINCES, CCPD_ALPHABETS] + [CCPD_ADS] * (len(indices) - 2)
    for position, (chars, index) in enumerate(zip(lists, indices, strict=True)):
        if not 0 <= index < len(chars):
            raise ValueError(f"index {index} at position {position} is outside CCPD's list of {len(chars)}")
    return "".join(chars[i] for chars, i in zip(lists, indices, strict=True))


_FIELD_PARSERS: dict[str, Callable[[str], object]] = {
    "area": int,
    "tilt": lambda field: _numbers(field, "_", 2),
    "bbox": lambda field: _points(field, 2),
    "vertices": lambda field: _points(field, 4),
    "label": plate_from_indices,
    "brightness": int,
    "blur": int,
}


def parse_ccpd_name(name: str | Path) -> CcpdAnnotation:
    """Parse a CCPD file name (with or without folders and extension); ValueError names the bad field."""
    fields = Path(name).stem.split("-")
    if len(fields) != len(_FIELD_PARSERS):
        raise ValueError(f"{name}: a CCPD name has 7 '-'-separated fields, this one has {len(fields)}")
    parsed = {}
    for (key, parse), field in zip(_FIELD_PARSERS.items(), fields, strict=True):
        try:
            parsed[key] = parse(field)
        except ValueError as error:
            raise ValueError(f"{name}: bad {key} field {field!r}: {error}") from error
    return CcpdAnnotation(**parsed)  # type: ignore[arg-type]


def _longer(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> int:
    """The length of the longer of the edges a-b and c-d, rounded up."""
    return math.ceil(max(np.linalg.norm(b - a), np.linalg.norm(d - c)))


def rectify_plate(
    image: np.ndarray, vertices: Sequence[Sequence[float]], size: tuple[int, int] = DEFAULT_CROP_SIZE
) -> np.ndarray:
    """Warp the plate quadrilateral (CCPD order: BR, BL, TL, TR) to an upright `size` (height, width) crop."""
    if len(vertices) != 4:
        raise ValueError(f"a plate has 4 vertices (BR, BL, TL, TR), got {len(vertices)}")
    height, width = size
    bottom_right, bottom_left, top_left, top_right = np.float32(vertices)
    # Warp at the plate's own resolution, then shrink with INTER_AREA: warping a large, near plate
    # straight down to a small crop would alias its strokes.
    warp_width = max(width, _longer(top_left, top_right, bottom_left, bottom_right))
    warp_height = max(height, _longer(top_left, bottom_left, top_right, bottom_right))
    source = np.float32([top_left, top_right, bottom_right, bottom_left])
    target = np.float32([[0, 0], [warp_width, 0], [warp_width, warp_height], [0, warp_height]])
    transform = cv2.getPerspectiveTransform(source, target)
    plate = cv2.warpPerspective(
        image, transform, (warp_width, warp_height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    if (warp_height, warp_width) == (height, width):
        return plate
    return cv2.resize(plate, (width, height), interpolation=cv2.INTER_AREA)


Listed = tuple[list[PlateRecord], list[BadFile]]


def _records(root: Path, relatives: Sequence[str]) -> Listed:
    """Records of photos named relative to `root` (the subset is the top-level folder, `ccpd_base`), and
    the photos whose names do not parse."""
    records, bad = [], []
    for rel in relatives:
        try:
            records.append(PlateRecord(str(root / rel), parse_ccpd_name(rel).label, rel.split("/")[0]))
        except ValueError as error:
            bad.append(
                BadFile(str(root / rel), f"unparsable CCPD name: {str(error).removeprefix(f'{rel}: ')}")
            )
    return records, bad


def _folder(root: Path, relative: str) -> list[str]:
    return [f"{relative}/{p.name}" for p in image_files(root / relative)]


def _from_split_file(root: Path, split_file: Path) -> Listed:
    if not split_file.is_file():
        raise FileNotFoundError(f"{split_file} is missing, though its folder holds other split files")
    lines = split_file.read_text(encoding="utf-8").splitlines()
    relatives = [line.strip().replace("\\", "/") for line in lines if line.strip()]
    if not relatives:
        raise FileNotFoundError(f"{split_file} lists no photos")
    missing = [rel for rel in relatives if not (root / rel).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{split_file} lists {len(missing)} photos missing under {root}, e.g. {missing[0]}"
        )
    return _records(root, relatives)


def list_ccpd_split(root: str | Path, split: str, val_fraction: float = 0.1, seed: int = 0) -> Listed:
    """The records of `split` (train, val or test) of a CCPD release under `root`, and its photos whose
    names do not parse.

    Uses `root/splits/<split>.txt` when split files are there (CCPD2019; its per-subset lists such as
    ccpd_blur.txt are ignored), `root/ccpd_green/<split>/` for CCPD2020, and otherwise a seeded
    `val_fraction` of ccpd_base for val, the rest of it for train, and every other subset for test.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: expected one of {SPLITS}")
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"CCPD root {root} is not a folder")
    if any((root / "splits" / f"{name}.txt").is_file() for name in SPLITS):
        return _from_split_file(root, root / "splits" / f"{split}.txt")
    if any((root / "ccpd_green" / name).is_dir() for name in SPLITS):
        return _records(root, _folder(root, f"ccpd_green/{split}"))
    if split == "test":
        present = [name for name in TEST_SUBSETS if (root / name).is_dir()]
        if not present:
            raise FileNotFoundError(
                f"{root} has no splits/test.txt and no test subset ({', '.join(TEST_SUBSETS)})"
            )
        return _records(root, [rel for name in present for rel in _folder(root, name)])
    if not (root / "ccpd_base").is_dir():
        raise FileNotFoundError(f"{root} has no splits/{split}.txt, ccpd_green/{split}/ or ccpd_base/")
    records, bad = _records(root, _folder(root, "ccpd_base"))
    train, val = hold_out(records, val_fraction, seed)
    # Unparsable names are in neither part; they are reported once, with train.
    return (train, bad) if split == "train" else (val, [])
