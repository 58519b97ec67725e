"""One training run from a composed train config (conf/train.yaml): seeding, the model, the datamodule, the
trainer with its callbacks and loggers, fit, test, and the metrics it ends with. train.py runs it once;
self-training (plate_ocr.training.adapt) builds each round's from the same pieces."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import hydra
import pytorch_lightning as pl
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.callbacks import ModelCheckpoint

from plate_ocr.checkpoints import init_weights, read_checkpoint, require_architecture, with_architecture_of
from plate_ocr.data.datamodule import PlateDataModule
from plate_ocr.data.records import PlateRecord
from plate_ocr.system import PlateRecognizer
from plate_ocr.training.resume import resolve_ckpt_path
from plate_ocr.training.sweep_summary import log_hparams

log = logging.getLogger(__name__)


def instantiate_all(config: DictConfig | None, **overrides: Any) -> list:
    """Instantiate every entry of a group like `callbacks` or `logger` (empty when null), each with
    `overrides` as extra keyword arguments."""
    nodes = (config or {}).values()
    return [hydra.utils.instantiate(node, **overrides) for node in nodes if node is not None]


def seed_run(cfg: DictConfig) -> None:
    """Seed Python, NumPy, torch and the loader workers with `cfg.seed`; null leaves the run unseeded."""
    if cfg.seed is not None:
        pl.seed_everything(cfg.seed, workers=True)


def build_model(model_config: DictConfig, init_from: str | None = None) -> PlateRecognizer:
    """The configured recogniser; with `init_from` (a checkpoint path or `bundled`), that checkpoint's
    architecture and weights, the optimiser and the rest as configured."""
    if not init_from:
        return hydra.utils.instantiate(model_config)
    model = hydra.utils.instantiate(with_architecture_of(model_config, init_from))
    init_weights(model, init_from)
    return model


def build_datamodule(
    cfg: DictConfig,
    image_size: Sequence[int],
    alphabet: str,
    crops: Sequence[PlateRecord] | None = None,
) -> PlateDataModule:
    """`cfg.data` with `cfg.augment`, for a network of `image_size` reading `alphabet`. `crops` go to the
    configured source builder (self-training: the crops a round kept); `data.unlabelled`, where they came
    from, is then no argument of the datamodule."""
    data_config, overrides = cfg.data, {}
    if crops is not None:
        data_config = OmegaConf.masked_copy(cfg.data, [key for key in cfg.data if key != "unlabelled"])
        overrides["sources"] = functools.partial(hydra.utils.instantiate(cfg.data.sources), crops=crops)
    return hydra.utils.instantiate(
        data_config,
        **overrides,
        augment=hydra.utils.instantiate(cfg.augment),
        image_size=image_size,
        alphabet=alphabet,
    )


def build_trainer(cfg: DictConfig, version: str | None = None) -> pl.Trainer:
    """The configured trainer with its callbacks and loggers. A `version` (self-training: `round_k`) puts
    the checkpoints in checkpoints/<version> and the logs in <logger>/<version>."""
    callbacks = instantiate_all(cfg.get("callbacks"))
    if version is not None:
        for callback in callbacks:
            if isinstance(callback, ModelCheckpoint) and callback.dirpath:
                callback.dirpath = str(Path(callback.dirpath) / version)
    loggers = instantiate_all(cfg.get("logger"), **({} if version is None else {"version": version}))
    return hydra.utils.instantiate(cfg.trainer, callbacks=callbacks, logger=loggers)


def callback_metrics(trainer: pl.Trainer) -> dict[str, float]:
    """The trainer's latest logged metrics as plain floats."""
    return {name: float(value) for name, value in trainer.callback_metrics.items()}


def fit_and_test(
    trainer: pl.Trainer,
    model: PlateRecognizer,
    datamodule: PlateDataModule,
    test: bool = True,
    ckpt_path: str | None = None,
    test_best: bool = True,
) -> dict[str, float]:
    """Fit (resuming from `ckpt_path`), then, if `test`, test the best checkpoint (`test_best`) or else the
    weights as training left them; returns the metrics."""
    trainer.fit(model, datamodule=datamodule, ckpt_path=ckpt_path)
    metrics = callback_metrics(trainer)
    if not test:
        return metrics
    best = trainer.checkpoint_callback.best_model_path if test_best and trainer.checkpoint_callback else ""
    if test_best and not best and not trainer.fast_dev_run:  # fast_dev_run writes no checkpoints
        log.warning(
            "No best checkpoint (no validation ran, or checkpoints are off): "
            "testing the weights as training left them"
        )
    trainer.test(model, datamodule=datamodule, ckpt_path=best or None, weights_only=True)
    return metrics | callback_metrics(trainer)


def validate(trainer: pl.Trainer, model: PlateRecognizer, datamodule: PlateDataModule) -> dict[str, float]:
    """The validation split read by the model as it is, before any training."""
    trainer.validate(model, datamodule=datamodule, verbose=False)
    return {
        name: value for name, value in callback_metrics(trainer).items() if name in ("val/acc", "val/cer")
    }


def before_and_after(metrics: dict[str, float]) -> str:
    """One line: the validation reading before training, at its best epoch, and after the last one."""
    before, best, last = metrics["val/acc_before"], metrics.get("val/acc_best", 0), metrics.get("val/acc", 0)
    cer_before, cer_last = metrics["val/cer_before"], metrics.get("val/cer", 0)
    return (
        f"validation accuracy: before {before:.4f}, best {best:.4f}, last {last:.4f} "
        f"(CER before {cer_before:.4f}, last {cer_last:.4f})"
    )


def write_metrics(output_dir: str | Path, metrics: dict[str, float]) -> None:
    """The run's final metrics as `metrics.json` in its output dir."""
    (Path(output_dir) / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")


def train(
    cfg: DictConfig, more_crops: Callable[[DictConfig, PlateRecognizer], list[PlateRecord]] | None = None
) -> dict[str, float]:
    """Fit, then test the best checkpoint; returns the final metrics (also written to metrics.json and, with
    the run's hyperparameters, to TensorBoard). `more_crops` gives crops to train on besides the data's own,
    read by the model before training (fine-tuning: a camera's unlabelled crops, pseudo-labelled)."""
    seed_run(cfg)
    model = build_model(cfg.model, cfg.init_from)
    crops = more_crops(cfg, model) if more_crops else None
    datamodule = build_datamodule(cfg, model.image_size, model.charset.alphabet, crops)
    trainer = build_trainer(cfg)
    ckpt_path = resolve_ckpt_path(cfg.ckpt_path, Path(cfg.paths.log_dir) / cfg.task_name)
    if ckpt_path:
        option = f"ckpt_path={ckpt_path}" + (" (the newest run's)" if cfg.ckpt_path == "last" else "")
        require_architecture(model, read_checkpoint(ckpt_path), option)
    before = validate(trainer, model, datamodule) if cfg.get("validate_before") else {}
    metrics = fit_and_test(trainer, model, datamodule, cfg.test, ckpt_path)
    if before:
        metrics |= {f"{name}_before": value for name, value in before.items()}
        print(before_and_after(metrics))
    log_hparams(trainer, cfg, metrics)
    if trainer.is_global_zero:
        write_metrics(cfg.paths.output_dir, metrics)
    return metrics
