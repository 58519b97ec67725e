"""One builder per data layout: each returns the splits ({'train', 'val', 'test'} or a subset) as sources."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from plate_ocr.data.ccpd import CachedCcpdCrops, list_ccpd_split
from plate_ocr.data.crops import CropFiles, list_crops
from plate_ocr.data.records import PlateRecord, PlateSample, hold_out
from plate_ocr.data.synth import PlateRenderer, SynthPlates

Splits = dict[str, Sequence[PlateSample]]
ALL_SPLITS = ("train", "val", "test")


def require_root(root: str | None, layout: str) -> Path:
    """The dataset root as a Path, with a clear error when it is unset or missing."""
    if not root:
        raise ValueError(f"data={layout} needs data.root=DIR (the folder holding the dataset)")
    path = Path(root).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"data.root={root} is not a folder")
    return path


def ccpd_crops_splits(
    root: str | None = None, val_fraction: float = 0.1, seed: int = 0, splits: Sequence[str] = ALL_SPLITS
) -> Splits:
    """CCPD2019-dl1 layout: DIR/train, DIR/test, optionally DIR/val (else a seeded share of train)."""
    path = require_root(root, "ccpd_crops")
    records: dict[str, list[PlateRecord]] = {}
    if "test" in splits:
        records["test"] = list_crops(path / "test", subset="test")
    if "train" in splits or "val" in splits:
        records["train"] = list_crops(path / "train", subset="train")
        if (path / "val").is_dir():
            records["val"] = list_crops(path / "val", subset="val")
        else:
            records["train"], records["val"] = hold_out(records["train"], val_fraction, seed)
    return {split: CropFiles(records[split]) for split in splits}


def folder_splits(root: str | None = None, splits: Sequence[str] = ("test",)) -> Splits:
    """One flat folder of labelled crops, used as the test split."""
    path = require_root(root, "folder")
    if set(splits) - {"test"}:
        raise ValueError(
            "data=folder only has a test split: use it with evaluate.py, or train with data=ccpd_crops"
        )
    return {"test": CropFiles(list_crops(path, subset=path.name))}


def synth_splits(
    renderer: PlateRenderer,
    train_size: int,
    val_size: int,
    test_size: int,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
) -> Splits:
    """Rendered plates: an endless, reproducible train stream and val/test sets fixed by seed."""
    builders = {
        "train": lambda: SynthPlates(train_size, renderer, seed=None),
        "val": lambda: SynthPlates(val_size, renderer, seed=seed),
        "test": lambda: SynthPlates(test_size, renderer, seed=seed + 1),
    }
    return {split: builders[split]() for split in splits}


def ccpd_splits(
    root: str | None = None,
    crop_size: tuple[int, int] = (48, 144),
    cache_dir: str | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
) -> Splits:
    """The original CCPD release: plates rectified from their vertices, cached under `cache_dir`
    (default DIR/.plate_ocr_cache)."""
    path = require_root(root, "ccpd")
    cache = Path(cache_dir) if cache_dir else path / ".plate_ocr_cache"
    return {
        split: CachedCcpdCrops(list_ccpd_split(path, split, val_fraction, seed), cache, tuple(crop_size))
        for split in splits
    }
