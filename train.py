"""Train a plate reader: `python train.py [group=option ...] [key=value ...]` (see conf/train.yaml)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import hydra
import pytorch_lightning as pl
from omegaconf import DictConfig

from plate_ocr.checkpoints import CheckpointError, init_weights, with_architecture_of
from plate_ocr.data.validation import BadDataError
from plate_ocr.system import PlateRecognizer
from plate_ocr.training.adapt import AdaptError, adapt
from plate_ocr.training.resume import resolve_ckpt_path
from plate_ocr.training.run import instantiate_all
from plate_ocr.training.sweep_summary import log_hparams

log = logging.getLogger(__name__)


def train(cfg: DictConfig) -> dict[str, float]:
    """Fit, then test the best checkpoint; returns the final metrics (also written to metrics.json)."""
    if cfg.seed is not None:
        pl.seed_everything(cfg.seed, workers=True)
    model_config = with_architecture_of(cfg.model, cfg.init_from) if cfg.init_from else cfg.model
    model: PlateRecognizer = hydra.utils.instantiate(model_config)
    if cfg.init_from:
        init_weights(model, cfg.init_from)
    datamodule = hydra.utils.instantiate(
        cfg.data,
        augment=hydra.utils.instantiate(cfg.augment),
        image_size=model.image_size,
        alphabet=model.charset.alphabet,
    )
    trainer: pl.Trainer = hydra.utils.instantiate(
        cfg.trainer,
        callbacks=instantiate_all(cfg.get("callbacks")),
        logger=instantiate_all(cfg.get("logger")),
    )
    ckpt_path = resolve_ckpt_path(cfg.ckpt_path, Path(cfg.paths.log_dir) / cfg.task_name)
    trainer.fit(model, datamodule=datamodule, ckpt_path=ckpt_path)
    metrics = {name: float(value) for name, value in trainer.callback_metrics.items()}
    if cfg.test:
        best = trainer.checkpoint_callback.best_model_path if trainer.checkpoint_callback else ""
        if not best:
            log.warning(
                "No best checkpoint (no validation ran, or checkpoints are off): "
                "testing the weights as training left them"
            )
        trainer.test(model, datamodule=datamodule, ckpt_path=best or None, weights_only=True)
        metrics |= {name: float(value) for name, value in trainer.callback_metrics.items()}
    log_hparams(trainer, cfg, metrics)
    if trainer.is_global_zero:
        output = Path(cfg.paths.output_dir) / "metrics.json"
        output.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    return metrics


@hydra.main(version_base="1.3", config_path="conf", config_name="train")
def main(cfg: DictConfig) -> float | None:
    """Hydra entry point; returns `optimized_metric` for sweepers."""
    run = adapt if cfg.get("adapt") else train
    try:
        return run(cfg).get(cfg.optimized_metric)
    except (AdaptError, BadDataError, CheckpointError, FileNotFoundError) as error:
        raise SystemExit(f"error: {error}") from None


if __name__ == "__main__":
    main()
