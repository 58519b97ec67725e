"""One builder per data layout: each returns the splits ({'train', 'val', 'test'} or a subset) as sources.

The file-backed builders check every file once, as they build (labels against `charset`, images by
decoding them), leave the bad ones out and list them in `Splits.problems`; the DataModule applies the
`data.on_bad` policy to that list.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from torch.utils.data import ConcatDataset

from plate_ocr.charset import Charset
from plate_ocr.data.ccpd import list_ccpd_split
from plate_ocr.data.ccpd_cache import CachedCcpdCrops
from plate_ocr.data.crops import CropFiles, list_crops
from plate_ocr.data.labels_file import LABELS_FILE, labelled_records
from plate_ocr.data.records import PlateRecord, PlateSample, hold_out
from plate_ocr.data.shard import ShardPlates
from plate_ocr.data.synth_plates import SynthPlates
from plate_ocr.data.validation import BadFile, check_records
from plate_ocr.synth.renderer import PlateRenderer

ALL_SPLITS = ("train", "val", "test")


class Splits(dict[str, Sequence[PlateSample]]):
    """Split name -> source, and the bad files left out of them."""

    def __init__(self, sources: dict[str, Sequence[PlateSample]], problems: Sequence[BadFile] = ()) -> None:
        super().__init__(sources)
        self.problems = sorted(problems, key=lambda problem: problem.path)


def require_root(root: str | None, layout: str) -> Path:
    """The dataset root as a Path, with a clear error when it is unset or missing."""
    if not root:
        # FileNotFoundError, like a wrong root: the entry points print either as one line.
        raise FileNotFoundError(f"data={layout} needs data.root=DIR (the folder holding the dataset)")
    path = Path(root).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(f"data.root={root} is not a folder")
    return path


def _checked_crops(records: dict[str, list[PlateRecord]], charset: Charset | None) -> Splits:
    """Crop files whose labels fit `charset` (default: the CCPD alphabet) and whose images decode."""
    sources, problems = {}, []
    for split, listed in records.items():
        good, bad = check_records(listed, charset or Charset(), decode=True)
        sources[split] = CropFiles(good)
        problems += bad
    return Splits(sources, problems)


def ccpd_crops_splits(
    root: str | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
    charset: Charset | None = None,
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
            # Held out before checking, so fixing a bad file later leaves the split of the others as it is.
            records["train"], records["val"] = hold_out(records["train"], val_fraction, seed)
    return _checked_crops({split: records[split] for split in splits}, charset)


def folder_splits(
    root: str | None = None, splits: Sequence[str] = ("test",), charset: Charset | None = None
) -> Splits:
    """One flat folder of labelled crops, used as the test split: labelled by its labels.tsv where it has
    one (`plate-ocr label DIR` writes it), else by the crops' names."""
    path = require_root(root, "folder")
    if set(splits) - {"test"}:
        raise ValueError(
            "data=folder only has a test split: use it with evaluate.py, or train with data=ccpd_crops"
        )
    if (path / LABELS_FILE).is_file():
        records = labelled_records(path, path.name, charset or Charset())
    else:
        records = list_crops(path, subset=path.name)
    return _checked_crops({"test": records}, charset)


def synth_splits(
    renderer: PlateRenderer,
    train_size: int,
    val_size: int,
    test_size: int,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
    charset: Charset | None = None,
) -> Splits:
    """Rendered plates: an endless, reproducible train stream and val/test sets fixed by seed.

    There are no files to go bad; `charset` is taken, and unused, like every builder's.
    """
    builders = {
        "train": lambda: SynthPlates(train_size, renderer, seed=None),
        "val": lambda: SynthPlates(val_size, renderer, seed=seed),
        "test": lambda: SynthPlates(test_size, renderer, seed=seed + 1),
    }
    return Splits({split: builders[split]() for split in splits})


def shard_splits(
    renderer: PlateRenderer,
    root: str | None = None,
    train_size: int | None = None,
    val_size: int = 2048,
    test_size: int = 2048,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
    charset: Charset | None = None,
) -> Splits:
    """Training plates from a shard folder (plate_ocr.data.shard, rendered once): `train_size` drawn at
    random per epoch, or each once when None. Val and test are rendered as data=synth renders them, so
    that numbers compare with synth runs."""
    path = require_root(root, "shard")
    rendered = synth_splits(renderer, 0, val_size, test_size, seed, [s for s in splits if s != "train"])
    if "train" in splits:
        rendered["train"] = ShardPlates(path, train_size)
    return rendered


def mix_splits(
    renderer: PlateRenderer,
    root: str | None = None,
    synth_per_real: float = 3.0,
    val_fraction: float = 0.1,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
    charset: Charset | None = None,
) -> Splits:
    """CCPD2019-dl1-layout crops whose train split also streams `synth_per_real` rendered plates per crop;
    val and test stay real."""
    real = ccpd_crops_splits(root, val_fraction, seed, splits, charset)
    if "train" in real:
        synthetic = SynthPlates(round(len(real["train"]) * synth_per_real), renderer, seed=None)
        real["train"] = ConcatDataset([real["train"], synthetic])
    return real


def labelled_splits(
    renderer: PlateRenderer,
    root: str | None = None,
    synth_per_real: float = 1.0,
    val_fraction: float = 0.2,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
    charset: Charset | None = None,
    crops: Sequence[PlateRecord] = (),
) -> Splits:
    """A flat folder of a camera's crops, labelled by its labels.tsv or by their names: a seeded
    `val_fraction` held out for val and test, the rest trained on with `synth_per_real` rendered plates
    per crop, so that the model keeps reading what the camera rarely shows. `crops` (already checked:
    the camera's unlabelled crops the model labelled itself) are trained on too."""
    path = require_root(root, "labelled")
    records = labelled_records(path, path.name, charset or Charset())
    if len(records) < 2:
        raise ValueError(f"data.root={root} holds {len(records)} labelled crops; label a few more")
    train, val = hold_out(records, val_fraction, seed)
    checked = _checked_crops({"train": train, "val": val}, charset)
    checked["test"] = checked["val"]
    if "train" in splits:
        real = ConcatDataset([checked["train"], CropFiles(list(crops))])
        synthetic = SynthPlates(round(len(real) * synth_per_real), renderer, seed=None)
        checked["train"] = ConcatDataset([real, synthetic])
    return Splits({split: checked[split] for split in splits}, checked.problems)


def pseudo_labelled_splits(
    renderer: PlateRenderer,
    crops: Sequence[PlateRecord] = (),
    synth_per_crop: float = 1.0,
    val_size: int = 512,
    test_size: int = 512,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
    charset: Charset | None = None,
) -> Splits:
    """Self-training (plate_ocr.training.adapt): a train split of `crops` labelled by the model itself,
    already checked, plus `synth_per_crop` rendered plates per crop, so the model keeps reading the plates the
    camera rarely shows; val and test are synthetic, fixed by `seed`, and watch for what it forgets."""
    synthetic = synth_splits(renderer, round(len(crops) * synth_per_crop), val_size, test_size, seed, splits)
    if "train" in synthetic:
        synthetic["train"] = ConcatDataset([CropFiles(list(crops)), synthetic["train"]])
    return synthetic


def ccpd_splits(
    root: str | None = None,
    crop_size: tuple[int, int] = (48, 144),
    cache_dir: str | None = None,
    val_fraction: float = 0.1,
    seed: int = 0,
    splits: Sequence[str] = ALL_SPLITS,
    charset: Charset | None = None,
) -> Splits:
    """The original CCPD release: plates rectified from their vertices, cached under `cache_dir`
    (default DIR/.plate_ocr_cache). Names and labels are checked on every build, the photos themselves
    once, with the cache."""
    path = require_root(root, "ccpd")
    cache = Path(cache_dir) if cache_dir else path / ".plate_ocr_cache"
    sources, problems = {}, []
    for split in splits:
        listed, unparsable = list_ccpd_split(path, split, val_fraction, seed)
        good, mislabelled = check_records(listed, charset or Charset())
        sources[split] = CachedCcpdCrops(good, cache, tuple(crop_size))
        problems += unparsable + mislabelled + sources[split].problems
    return Splits(sources, problems)
