"""Comparing the jobs of a sweep: a table of their final metrics when a multirun ends, and each job's
hyperparameters and final metrics in TensorBoard's HPARAMS tab."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytorch_lightning as pl
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.loggers import TensorBoardLogger

SUMMARY_METRICS = ("val/acc_best", "test/acc", "test/cer")
# Shown for every run, overridden or not, so that runs of different sweeps line up.
HPARAM_KEYS = ("model.optimizer.lr", "data.batch_size", "trainer.max_epochs", "seed")


def run_hparams(cfg: DictConfig) -> dict[str, bool | int | float | str]:
    """What sets a run apart: its config group choices, HPARAM_KEYS and every key its command line
    overrides, with the values the composed config holds (lists and other values as text)."""
    hydra_cfg = HydraConfig.get()
    choices = hydra_cfg.runtime.choices
    params: dict[str, bool | int | float | str] = {
        group: choice for group, choice in choices.items() if choice and group.split("/")[0] != "hydra"
    }
    overridden = [override.split("=", 1)[0].lstrip("+~") for override in hydra_cfg.overrides.task]
    for key in [*HPARAM_KEYS, *overridden]:
        if key in choices or key.startswith("hydra."):
            continue
        value = OmegaConf.select(cfg, key, default=None)
        params[key] = value if isinstance(value, (bool, int, float, str)) else str(value)
    return params


def log_hparams(trainer: pl.Trainer, cfg: DictConfig, metrics: dict[str, float]) -> None:
    """Write the run's hyperparameters with its final SUMMARY_METRICS to TensorBoard (HPARAMS tab)."""
    final = {name: metrics[name] for name in SUMMARY_METRICS if name in metrics}
    for logger in trainer.loggers:
        if isinstance(logger, TensorBoardLogger):
            logger.log_hyperparams(run_hparams(cfg), final, step=trainer.global_step)


def summarize_sweep(sweep_dir: Path) -> str:
    """A Markdown table of overrides and metrics, one row per job that wrote metrics.json."""
    rows = []
    for metrics_file in sorted(sweep_dir.glob("*/metrics.json"), key=lambda p: p.parent.name):
        job_dir = metrics_file.parent
        overrides = OmegaConf.load(job_dir / ".hydra" / "overrides.yaml")
        metrics = json.loads(metrics_file.read_text())
        cells = [" ".join(overrides) or "(defaults)"]
        cells += [f"{metrics[name]:.4f}" if name in metrics else "-" for name in SUMMARY_METRICS]
        rows.append("| " + " | ".join(cells) + " |")
    header = "| overrides | " + " | ".join(SUMMARY_METRICS) + " |"
    rule = "|" + "---|" * (len(SUMMARY_METRICS) + 1)
    return "\n".join([header, rule, *rows]) + "\n"


class SweepSummary(Callback):
    """Prints the sweep's table and writes it to `summary.md` in the sweep dir."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(config.hydra.sweep.dir)
        if not sweep_dir.is_dir():
            return
        table = summarize_sweep(sweep_dir)
        (sweep_dir / "summary.md").write_text(table)
        print(f"\nSweep summary ({sweep_dir / 'summary.md'}):\n{table}")
