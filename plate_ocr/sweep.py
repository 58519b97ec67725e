"""A Hydra callback that tabulates every job's final metrics when a multirun ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

SUMMARY_METRICS = ("val/acc_best", "test/acc", "test/cer")


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
