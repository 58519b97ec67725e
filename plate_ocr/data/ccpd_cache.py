"""Rectified plate crops of CCPD photos, computed once and cached on disk in one memory-mapped array."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path
from typing import IO

import numpy as np

from plate_ocr.data.ccpd import DEFAULT_CROP_SIZE, parse_ccpd_name, rectify_plate
from plate_ocr.data.records import PlateRecord, PlateSample
from plate_ocr.data.validation import BadFile, load_image

log = logging.getLogger(__name__)

# Bump when the crop computation changes, so every existing cache is rebuilt.
CACHE_VERSION = 3


def _crop_photo(path: str, size: tuple[int, int]) -> tuple[np.ndarray | None, str | None]:
    """The rectified plate, or None and why the photo cannot be used."""
    image, problem = load_image(path)
    if image is None:
        return None, problem
    height, width = image.shape[:2]
    vertices = parse_ccpd_name(path).vertices
    outside = [(x, y) for x, y in vertices if not (0 <= x <= width and 0 <= y <= height)]
    if outside:
        return None, f"plate vertex {outside[0]} is outside the {width}x{height} photo"
    return rectify_plate(image, vertices, size), None


def _digest(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


def _write_atomically(path: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through a unique temporary file, so readers (and rival builders) never see half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.chmod(temporary, 0o644)  # mkstemp makes files private; a cache is shared like the data
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class CachedCcpdCrops:
    """Rectified plate crops of some CCPD photos, computed once and kept in one memory-mapped .npy file.

    Files in `cache_dir`: `ccpd-<h>x<w>-<records>-<contents>.npy` (N x h x w x 3, uint8) and a `.json`
    index of the records (row i is record i) and of the photos that cannot be used (unreadable, not a
    whole image, vertices outside the photo: their rows stay black and they are left out of `records`,
    reported in `problems`). `<records>` hashes the photo paths, labels and subsets in order; `<contents>`
    their sizes and modification times, the crop size and CACHE_VERSION. A cache whose name matches is
    reused, problems included, without decoding a photo; when only `<contents>` differs the old files are
    replaced. The photos are decoded only while building, in `workers` processes.
    """

    def __init__(
        self,
        records: list[PlateRecord],
        cache_dir: str | Path,
        crop_size: tuple[int, int] = DEFAULT_CROP_SIZE,
        workers: int | None = None,
    ) -> None:
        self.crop_size = (int(crop_size[0]), int(crop_size[1]))
        cache_dir = Path(cache_dir)
        cache_dir.mkdir(parents=True, exist_ok=True)
        stem = self._stem(records)
        self.array_path = cache_dir / f"{stem}.npy"
        self.index_path = cache_dir / f"{stem}.json"
        index = self._index(records)
        problems = self._cached_problems(index, len(records))
        if problems is None:
            problems = self._build(records, index, workers or os.cpu_count() or 1)
        self.problems = [BadFile(path, reason) for path, reason in problems]
        bad = {problem.path for problem in self.problems}
        self._rows = [row for row, record in enumerate(records) if record.path not in bad]
        self.records = [records[row] for row in self._rows]
        self._crops: np.ndarray | None = None

    def _stem(self, records: list[PlateRecord]) -> str:
        rows = [[r.path, r.label, r.subset] for r in records]
        contents = [CACHE_VERSION, self.crop_size]
        for record in records:
            try:
                stat = os.stat(record.path)
            except FileNotFoundError as error:
                raise FileNotFoundError(f"CCPD photo {record.path} is missing") from error
            contents.append([stat.st_size, stat.st_mtime_ns])
        height, width = self.crop_size
        return f"ccpd-{height}x{width}-{_digest(rows)}-{_digest(contents)}"

    def _index(self, records: list[PlateRecord]) -> dict:
        return {
            "version": CACHE_VERSION,
            "crop_size": list(self.crop_size),
            "records": [[r.path, r.label, r.subset] for r in records],
        }

    def _cached_problems(self, expected: dict, count: int) -> list[list[str]] | None:
        """The problems stored with a matching, complete cache; None when it must be built."""
        if not (self.array_path.is_file() and self.index_path.is_file()):
            return None
        try:
            index = json.loads(self.index_path.read_text(encoding="utf-8"))
            shape = np.load(self.array_path, mmap_mode="r").shape
        except (ValueError, OSError):
            return None
        problems = index.pop("problems", None)
        if index != expected or shape != (count, *self.crop_size, 3) or not isinstance(problems, list):
            return None
        return problems

    def _build(self, records: list[PlateRecord], index: dict, workers: int) -> list[list[str]]:
        log.info("Caching %d CCPD plate crops in %s", len(records), self.array_path)
        shape = (len(records), *self.crop_size, 3)
        blank = bytes(int(np.prod(shape[1:])))
        crop = functools.partial(_crop_photo, size=self.crop_size)
        paths = [r.path for r in records]
        problems: list[list[str]] = []

        def write(stream: IO[bytes]) -> None:
            # Filled row by row, so a dataset larger than memory never sits in it at once.
            np.lib.format.write_array_header_1_0(
                stream, {"descr": "|u1", "fortran_order": False, "shape": shape}
            )
            with contextlib.ExitStack() as stack:
                if workers > 1 and len(paths) >= 64:
                    crops = stack.enter_context(Pool(workers)).imap(crop, paths, chunksize=16)
                else:
                    crops = map(crop, paths)
                for path, (image, problem) in zip(paths, crops, strict=True):
                    stream.write(blank if image is None else image.tobytes())
                    if problem:
                        problems.append([path, problem])

        _write_atomically(self.array_path, write)
        data = json.dumps({**index, "problems": problems}, ensure_ascii=False).encode()
        _write_atomically(self.index_path, lambda stream: stream.write(data))
        self._remove_stale()
        return problems

    def _remove_stale(self) -> None:
        """Drop caches of these records built from older photo contents (a full CCPD cache is gigabytes)."""
        prefix = self.array_path.stem.rsplit("-", 1)[0]
        for path in self.array_path.parent.glob(f"{prefix}-*"):
            if path not in (self.array_path, self.index_path):
                path.unlink(missing_ok=True)

    def __getstate__(self) -> dict:
        # DataLoader workers reopen the memory map instead of receiving the whole array.
        return {**self.__dict__, "_crops": None}

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> PlateSample:
        record = self.records[index]
        if self._crops is None:
            self._crops = np.load(self.array_path, mmap_mode="r")
        return PlateSample(np.array(self._crops[self._rows[index]]), record)
