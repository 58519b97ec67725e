"""The original CCPD2019 / CCPD2020 release: full photos whose file names carry the annotations.

A name reads `area-tilt-bbox-vertices-plate-brightness-blur.jpg`, e.g.
`025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-37-15.jpg` (皖AY339S):
tilt `horizontal_vertical` degrees, bbox `x1&y1_x2&y2`, four vertices from the bottom-right corner
clockwise (bottom-right, bottom-left, top-left, top-right), and the plate as indices into CCPD's lists.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

from plate_ocr.charset import DIGITS, LETTERS, PROVINCES, SPECIALS
from plate_ocr.data.crops import read_rgb
from plate_ocr.data.records import PlateRecord, PlateSample, hold_out

# CCPD's own index lists; its trailing 'O' marks "no character" and is never a valid plate glyph.
CCPD_PROVINCES = PROVINCES + SPECIALS + "O"
CCPD_ALPHABETS = LETTERS + "O"
CCPD_ADS = LETTERS + DIGITS + "O"
SUBSETS = (
    "ccpd_base", "ccpd_db", "ccpd_blur", "ccpd_fn", "ccpd_rotate", "ccpd_tilt", "ccpd_weather", "ccpd_challenge",
    "ccpd_green",
)
# Bump when the crop computation changes, so every cache is rebuilt.
CACHE_VERSION = 1


@dataclass(frozen=True)
class CcpdAnnotation:
    """The fields of a CCPD file name."""

    area: int
    tilt: tuple[int, int]
    bbox: tuple[tuple[int, int], tuple[int, int]]
    vertices: tuple[tuple[int, int], ...]  # bottom-right, bottom-left, top-left, top-right
    label: str
    brightness: int
    blur: int


def _points(field: str) -> tuple[tuple[int, int], ...]:
    return tuple(tuple(int(v) for v in point.split("&")) for point in field.split("_"))  # type: ignore[misc]


def plate_from_indices(field: str) -> str:
    """The plate string of a CCPD plate field such as `0_0_22_27_27_33_16`."""
    indices = [int(i) for i in field.split("_")]
    lists = [CCPD_PROVINCES, CCPD_ALPHABETS] + [CCPD_ADS] * (len(indices) - 2)
    return "".join(chars[i] for chars, i in zip(lists, indices, strict=True))


def parse_ccpd_name(name: str) -> CcpdAnnotation:
    """Parse a CCPD file name (with or without folders and extension)."""
    fields = Path(name).stem.split("-")
    if len(fields) != 7:
        raise ValueError(f"{name}: a CCPD name has 7 '-'-separated fields, this one has {len(fields)}")
    labels = ("area", "tilt", "bbox", "vertices", "plate", "brightness", "blur")
    parsed = {}
    for label, field in zip(labels, fields):
        try:
            if label in ("area", "brightness", "blur"):
                parsed[label] = int(field)
            elif label == "tilt":
                parsed[label] = tuple(int(v) for v in field.split("_"))
            elif label == "plate":
                parsed["label"] = plate_from_indices(field)
            else:
                parsed[label] = _points(field)
        except (ValueError, IndexError) as error:
            raise ValueError(f"{name}: cannot parse its {label} field {field!r}") from error
    if len(parsed["vertices"]) != 4 or len(parsed["bbox"]) != 2:
        raise ValueError(f"{name}: needs 4 vertices and 2 bbox corners")
    return CcpdAnnotation(**parsed)


def rectify_plate(image: np.ndarray, vertices: tuple[tuple[int, int], ...], size: tuple[int, int]) -> np.ndarray:
    """Warp the plate quadrilateral (CCPD order: BR, BL, TL, TR) to an upright `size` (height, width) crop."""
    height, width = size
    bottom_right, bottom_left, top_left, top_right = vertices
    source = np.float32([top_left, top_right, bottom_right, bottom_left])
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    transform = cv2.getPerspectiveTransform(source, target)
    return cv2.warpPerspective(image, transform, (width, height), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def _record(root: Path, relative: str) -> PlateRecord:
    relative = relative.strip().replace("\\", "/")
    return PlateRecord(str(root / relative), parse_ccpd_name(relative).label, relative.split("/")[0])


def _images(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.jpg"))


def list_ccpd_split(root: str | Path, split: str, val_fraction: float = 0.1, seed: int = 0) -> list[PlateRecord]:
    """The records of `split` (train, val or test).

    Uses `root/splits/<split>.txt` when present (CCPD2019), `root/ccpd_green/<split>/` for CCPD2020,
    and otherwise a seeded `val_fraction` of ccpd_base for val, the rest of it for train, and every
    other subset for test.
    """
    root = Path(root)
    split_file = root / "splits" / f"{split}.txt"
    if split_file.is_file():
        lines = [line for line in split_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [_record(root, line) for line in lines]
    green = root / "ccpd_green" / split
    if green.is_dir():
        return [PlateRecord(str(green / n), parse_ccpd_name(n).label, "ccpd_green") for n in _images(green)]
    present = [name for name in SUBSETS if (root / name).is_dir()]
    if not present:
        raise FileNotFoundError(f"{root} holds neither splits/*.txt nor any CCPD subset folder ({', '.join(SUBSETS)})")
    if split == "test":
        return [_record(root, f"{name}/{n}") for name in present if name != "ccpd_base" for n in _images(root / name)]
    base = [_record(root, f"ccpd_base/{n}") for n in _images(root / "ccpd_base")]
    train, val = hold_out(base, val_fraction, seed)
    return train if split == "train" else val


def _crop_one(job: tuple[str, tuple[int, int]]) -> np.ndarray:
    path, size = job
    return rectify_plate(read_rgb(path), parse_ccpd_name(path).vertices, size)


def cache_key(records: list[PlateRecord], crop_size: tuple[int, int]) -> str:
    """Changes whenever a file, its size or time stamp, the crop size or the crop code changes."""
    stats = [(r.path, os.stat(r.path).st_size, os.stat(r.path).st_mtime_ns) for r in records]
    payload = json.dumps([CACHE_VERSION, list(crop_size), stats])
    return hashlib.sha1(payload.encode()).hexdigest()[:20]


def _write_atomically(path: Path, write) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as handle:
        write(handle)
    os.replace(temporary, path)


class CachedCcpdCrops:
    """Rectified plate crops of some CCPD photos, computed once and kept in one .npy file.

    The photos are decoded only when no valid cache exists; afterwards the crops are memory-mapped.
    """

    def __init__(
        self,
        records: list[PlateRecord],
        cache_dir: str | Path,
        crop_size: tuple[int, int] = (48, 144),
        workers: int = 2,
    ) -> None:
        self.records = records
        self.crop_size = tuple(crop_size)
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.array_path = cache_dir / f"crops-{cache_key(records, self.crop_size)}.npy"
        if not self.array_path.is_file():
            self._build(workers)
        self._crops: np.ndarray | None = None

    def _build(self, workers: int) -> None:
        jobs = [(r.path, self.crop_size) for r in self.records]
        if workers > 1 and len(jobs) > 16:
            with Pool(workers) as pool:
                crops = pool.map(_crop_one, jobs, chunksize=16)
        else:
            crops = [_crop_one(job) for job in jobs]
        array = np.stack(crops) if crops else np.zeros((0, *self.crop_size, 3), dtype=np.uint8)
        _write_atomically(self.array_path, lambda handle: np.save(handle, array))

    def __getstate__(self) -> dict:
        # DataLoader workers reopen the memory map instead of receiving the whole array.
        return {**self.__dict__, "_crops": None}

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> PlateSample:
        if self._crops is None:
            self._crops = np.load(self.array_path, mmap_mode="r")
        return PlateSample(np.array(self._crops[index]), self.records[index])
