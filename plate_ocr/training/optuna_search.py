"""Hyperparameter search with Optuna: the search space, pruning inside a training job, and the report.

The sweeper (hydra_plugins/plate_ocr_optuna) asks the study for trials and launches them as Hydra jobs,
job number = trial number; each job reports its validation metric to the study through a shared
storage (a journal file, which works across processes and, on a shared file system, across machines), so
that the study's pruner can stop a bad trial after any epoch.
"""

from __future__ import annotations

import logging
from pathlib import Path

import optuna
import pytorch_lightning as pl
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import ChoiceSweep, IntervalSweep
from optuna.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution
from optuna.pruners import BasePruner
from optuna.storages import BaseStorage, JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

log = logging.getLogger(__name__)


def open_storage(storage: str) -> str | BaseStorage:
    """A database URL as it is (`sqlite:///study.db`, `postgresql://...`), or else a journal file path."""
    if "://" in storage:
        return storage
    Path(storage).parent.mkdir(parents=True, exist_ok=True)
    return JournalStorage(JournalFileBackend(storage))


def search_space(overrides: list[str]) -> tuple[dict[str, BaseDistribution], list[str]]:
    """Optuna distributions for the sweeps among Hydra `overrides` (`key=choice(a,b)`,
    `key=interval(lo,hi)`, `key=tag(log,interval(lo,hi))`), and the other overrides, passed to every job."""
    distributions: dict[str, BaseDistribution] = {}
    fixed = []
    for override in OverridesParser.create().parse_overrides(overrides):
        key = override.get_key_element()
        sweep = override.value()
        if not override.is_sweep_override():
            fixed.append(f"{key}={override.get_value_element_as_str()}")
        elif isinstance(sweep, ChoiceSweep):
            distributions[key] = CategoricalDistribution(sweep.list)
        elif isinstance(sweep, IntervalSweep):  # Hydra parses its bounds as floats; integers: choice(...)
            distributions[key] = FloatDistribution(sweep.start, sweep.end, log="log" in sweep.tags)
        else:
            raise ValueError(f"{key}: the Optuna sweeper takes choice(...) and interval(...), not {sweep}")
    return distributions, fixed


class OptunaPruning(pl.Callback):
    """Reports `monitor` after each validation to trial number `trial` of the study, and stops the run
    (raising optuna.TrialPruned, which the sweeper records) when `pruner` says so. The pruner is the
    sweeper's: a study's storage keeps its trials, not its pruner."""

    def __init__(
        self, storage: str, study_name: str, trial: int, pruner: BasePruner, monitor: str = "val/acc"
    ) -> None:
        self.storage, self.study_name, self.trial_number = storage, study_name, trial
        self.pruner, self.monitor = pruner, monitor
        self.trial: optuna.Trial | None = None

    def on_fit_start(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if "://" not in self.storage and not Path(self.storage).is_file():
            raise FileNotFoundError(
                f"no Optuna study at {self.storage}: hparams_search=optuna runs trials of a sweep, "
                "`python train.py -m hparams_search=optuna`"
            )
        storage = optuna.storages.get_storage(open_storage(self.storage))
        study = optuna.load_study(study_name=self.study_name, storage=storage, pruner=self.pruner)
        study_id = storage.get_study_id_from_name(self.study_name)
        trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, self.trial_number)
        self.trial = optuna.Trial(study, trial_id)

    def on_validation_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking or self.trial is None or self.monitor not in trainer.callback_metrics:
            return
        prune = False
        if trainer.is_global_zero:
            epoch = trainer.current_epoch
            self.trial.report(float(trainer.callback_metrics[self.monitor]), step=epoch)
            prune = self.trial.should_prune()
        if trainer.strategy.broadcast(prune):  # every DDP process stops, not only the first
            raise optuna.TrialPruned(f"trial {self.trial_number} pruned after epoch {trainer.current_epoch}")


def trials_table(study: optuna.Study) -> str:
    """A Markdown table of the study's trials: number, state, value, epochs reported and parameters."""
    names = sorted({name for trial in study.trials for name in trial.params})
    header = ["trial", "state", "value", "epochs", *names]
    rows = [
        [
            str(trial.number),
            trial.state.name,
            "-" if trial.value is None else f"{trial.value:.4f}",
            str(len(trial.intermediate_values)),
            *(_cell(trial.params.get(name, "-")) for name in names),
        ]
        for trial in study.trials
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows]) + "\n"


def _cell(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def write_report(study: optuna.Study, folder: Path) -> str:
    """Write the best trial (`optimization_results.yaml`), the table of trials (`trials.md`) and Optuna's
    plots (`optuna_*.html`) to `folder`; returns the text printed at the end of the search."""
    folder.mkdir(parents=True, exist_ok=True)
    table = trials_table(study)
    (folder / "trials.md").write_text(table)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    pruned = len(study.get_trials(deepcopy=False, states=(TrialState.PRUNED,)))
    summary = f"{len(study.trials)} trials: {len(complete)} complete, {pruned} pruned"
    text = f"\nOptuna study '{study.study_name}', {summary}\n{table}"
    if complete:
        best = study.best_trial
        results = {"study": study.study_name, "best_trial": best.number, "best_value": best.value}
        results["best_params"] = best.params
        (folder / "optimization_results.yaml").write_text(yaml.safe_dump(results, allow_unicode=True))
        text += f"best: trial {best.number}, value {best.value:.4f}, params {best.params}\n"
    plots = {
        "history": optuna.visualization.plot_optimization_history,
        "intermediate_values": optuna.visualization.plot_intermediate_values,
        "parallel_coordinate": optuna.visualization.plot_parallel_coordinate,
    }
    if len({trial.value for trial in complete}) > 1:  # importances need values that differ
        plots["param_importances"] = optuna.visualization.plot_param_importances
    for name, plot in plots.items():  # plotly.min.js written once beside them: the plots open offline
        plot(study).write_html(folder / f"optuna_{name}.html", include_plotlyjs="directory")
    written = "optimization_results.yaml, trials.md" if complete else "trials.md"
    return text + f"wrote {written} and optuna_*.html to {folder}\n"
