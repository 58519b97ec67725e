"""How fast the data side feeds training: one epoch of the train loader with the model swapped for a no-op.

python -m plate_ocr.tools.loader_bench [override ...]      # e.g. data=ccpd_crops data.root=DIR augment=heavy
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import hydra
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

from plate_ocr.data.datamodule import PlateDataModule

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


def train_config(*overrides: str) -> DictConfig:
    """The training config as `python train.py OVERRIDES...` would compose it."""
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("train", overrides=list(overrides))


def train_datamodule(cfg: DictConfig) -> PlateDataModule:
    """The configured data, augmentation and input size, set up for fitting."""
    datamodule = hydra.utils.instantiate(
        cfg.data, augment=hydra.utils.instantiate(cfg.augment), image_size=tuple(cfg.model.image_size)
    )
    datamodule.setup("fit")
    return datamodule


def measure(overrides: list[str], max_batches: int | None = None) -> dict[str, float]:
    """Images/s of the train loader as configured, after its workers have started."""
    loader = train_datamodule(train_config(*overrides)).train_dataloader()
    batches = iter(loader)
    next(batches)  # worker start-up and font loading are not the steady state
    images, start = 0, time.perf_counter()
    for number, batch in enumerate(batches):
        images += len(batch["labels"])
        if max_batches and number + 1 >= max_batches:
            break
    seconds = time.perf_counter() - start
    return {"images": images, "seconds": seconds, "images_per_second": images / seconds}


def main() -> None:
    result = measure(sys.argv[1:])
    print(
        f"{result['images']} images in {result['seconds']:.1f} s: {result['images_per_second']:.0f} images/s"
    )


if __name__ == "__main__":
    main()
