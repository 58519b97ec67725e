"""The one LightningDataModule: splits come from a source builder chosen by the `data` config group."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import pytorch_lightning as pl
from torch.utils.data import DataLoader

from plate_ocr.charset import Charset
from plate_ocr.data.dataset import Augment, PlateDataset, collate_plates
from plate_ocr.data.sources import Splits
from plate_ocr.data.validation import BadDataError, apply_policy, check_on_bad
from plate_ocr.plate_format import DEFAULT_ALPHABET

SourceBuilder = Callable[..., Splits]
# The splits each Lightning stage builds; fit builds test too, so that every bad file of the dataset is
# reported before training starts rather than after it.
STAGE_SPLITS = {
    "fit": ("train", "val", "test"),
    "validate": ("val",),
    "test": ("test",),
    "predict": ("test",),
}


def single_threaded_opencv(worker_id: int) -> None:
    """Each loader worker is one process on one core: OpenCV's own thread pool there only costs time
    (it halves synthetic rendering speed). Workers started fresh (the spawn start method) need this call;
    forked ones inherit the setting from the loader's process, where `PlateDataModule` makes it."""
    cv2.setNumThreads(1)


class PlateDataModule(pl.LightningDataModule):
    """Wraps the train/val/test splits of one data layout, with augmentation on train only.

    `sources(splits=[...], charset=..., root=...)` builds the named splits; `root` is the dataset folder
    of layouts read from disk. `image_size` is the network's input (height, width), the model config's or
    its checkpoint's. Files that cannot be used (see plate_ocr.data.validation) stop `setup` with one
    message listing them when `on_bad` is `error`, and are logged and left out when it is `skip`.
    """

    def __init__(
        self,
        sources: SourceBuilder,
        image_size: tuple[int, int],
        root: str | None = None,
        batch_size: int = 128,
        eval_batch_size: int = 256,
        num_workers: int = 2,
        augment: Augment | None = None,
        alphabet: str = DEFAULT_ALPHABET,
        on_bad: str = "error",
    ) -> None:
        super().__init__()
        self.build_sources = sources
        self.root = root
        self.batch_size = batch_size
        self.eval_batch_size = eval_batch_size
        self.num_workers = num_workers
        self.augment = augment
        self.image_size = tuple(image_size)
        self.charset = Charset(alphabet)
        self.on_bad = check_on_bad(on_bad)
        self.datasets: dict[str, PlateDataset] = {}

    def setup(self, stage: str | None = None) -> None:
        """Build the splits this stage needs (all of them when `stage` is None), once each."""
        wanted = STAGE_SPLITS.get(stage, ("train", "val", "test"))
        missing = [split for split in wanted if split not in self.datasets]
        if not missing:
            return
        # Layouts read from disk take data.root; the synthetic one has none.
        location = {} if self.root is None else {"root": self.root}
        built = self.build_sources(splits=missing, charset=self.charset, **location)
        apply_policy(built.problems, self.on_bad)
        empty = [split for split, source in built.items() if not len(source)]
        if empty:
            raise BadDataError(f"no usable files left in the {' and '.join(empty)} split of {self.root}")
        for split, source in built.items():
            training = split == "train"
            self.datasets[split] = PlateDataset(
                source, self.charset, self.image_size, self.augment if training else None, not training
            )

    def split(self, name: str) -> PlateDataset:
        """The dataset of one split, with a clear error when this data layout has none."""
        if name not in self.datasets:
            raise ValueError(f"this data config has no '{name}' split (it has: {', '.join(self.datasets)})")
        return self.datasets[name]

    def _loader(self, split: str, shuffle: bool) -> DataLoader:
        if self.num_workers > 0:
            # Set here, before the workers fork: a forked worker hangs in OpenCV when it resizes a thread
            # pool its parent had started (building a CCPD crop cache starts it); one thread it inherits.
            cv2.setNumThreads(1)
        return DataLoader(
            self.split(split),
            batch_size=self.batch_size if split == "train" else self.eval_batch_size,
            shuffle=shuffle,
            num_workers=self.num_workers,
            collate_fn=collate_plates,
            persistent_workers=self.num_workers > 0,
            worker_init_fn=single_threaded_opencv,
            drop_last=False,
        )

    def train_dataloader(self) -> DataLoader:
        return self._loader("train", shuffle=True)

    def val_dataloader(self) -> DataLoader:
        return self._loader("val", shuffle=False)

    def test_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)

    def predict_dataloader(self) -> DataLoader:
        return self._loader("test", shuffle=False)
