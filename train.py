"""Train a plate reader: `python train.py [group=option ...] [key=value ...]` (see conf/train.yaml)."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from plate_ocr.checkpoints import CheckpointError
from plate_ocr.data.validation import BadDataError
from plate_ocr.training.adapt import AdaptError, adapt, unlabelled_crops
from plate_ocr.training.run import train


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
def main(cfg: DictConfig) -> float | None:
    """Hydra entry point: one run (plate_ocr.training.run), or self-training with `experiment=adapt`;
    returns `optimized_metric` for sweepers. Data with unlabelled crops (`experiment=finetune
    data.unlabelled=DIR`) also trains on those the model reads confidently."""
    try:
        if cfg.get("adapt"):
            return adapt(cfg).get(cfg.optimized_metric)
        more_crops = unlabelled_crops if "unlabelled" in cfg.data else None
        return train(cfg, more_crops).get(cfg.optimized_metric)
    except (AdaptError, BadDataError, CheckpointError, FileNotFoundError) as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
