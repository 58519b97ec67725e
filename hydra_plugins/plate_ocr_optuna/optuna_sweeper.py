"""A Hydra sweeper that runs an Optuna study: `python train.py -m hparams_search=optuna`.

Configured in conf/hydra/sweeper/optuna.yaml. Trials are launched by the configured Hydra launcher
(locally, or as SLURM jobs with hydra/launcher=submitit_slurm), `n_jobs` at a time.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import optuna
from hydra.core.plugins import Plugins
from hydra.core.utils import JobReturn, JobStatus
from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf

from plate_ocr.training.optuna_search import open_storage, search_space, write_report

log = logging.getLogger(__name__)


class OptunaSweeper(Sweeper):
    """Asks the study for `n_jobs` trials at a time, launches them as jobs numbered by trial and tells the
    study each job's return value (train.py returns `optimized_metric`), a pruning or a failure."""

    def __init__(
        self,
        study_name: str,
        storage: str,
        direction: str,
        n_trials: int,
        n_jobs: int,
        sampler: optuna.samplers.BaseSampler,
        pruner: optuna.pruners.BasePruner,
        params: DictConfig | None = None,
    ) -> None:
        self.study_name, self.storage, self.direction = study_name, storage, direction
        self.n_trials, self.n_jobs = n_trials, n_jobs
        self.sampler, self.pruner = sampler, pruner
        self.params = params or {}

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config, self.hydra_context = config, hydra_context
        self.launcher = Plugins.instance().instantiate_launcher(
            hydra_context=hydra_context, task_function=task_function, config=config
        )

    def sweep(self, arguments: list[str]) -> list[JobReturn]:
        distributions, fixed = search_space([f"{k}={v}" for k, v in self.params.items()] + arguments)
        sweep_dir = Path(self.config.hydra.sweep.dir)
        sweep_dir.mkdir(parents=True, exist_ok=True)
        OmegaConf.save(self.config, sweep_dir / "multirun.yaml")
        study = optuna.create_study(
            study_name=self.study_name,
            storage=open_storage(self.storage),
            direction=self.direction,
            sampler=self.sampler,
            pruner=self.pruner,
            load_if_exists=True,
        )
        log.info(
            "Optuna study '%s' in %s: %d trials over %s",
            self.study_name,
            self.storage,
            self.n_trials,
            ", ".join(distributions),
        )
        returns: list[JobReturn] = []
        for start in range(0, self.n_trials, self.n_jobs):
            trials = [study.ask(distributions) for _ in range(min(self.n_jobs, self.n_trials - start))]
            numbers = [trial.number for trial in trials]
            if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
                raise RuntimeError(f"study '{self.study_name}' got trials {numbers} from another process too")
            batch = [fixed + [f"{key}={value}" for key, value in trial.params.items()] for trial in trials]
            self.validate_batch_is_legal(batch)
            results = self.launcher.launch(batch, initial_job_idx=numbers[0])
            for trial, result in zip(trials, results):
                self._tell(study, trial, result)
            returns.extend(results)
        print(write_report(study, sweep_dir))
        return returns

    @staticmethod
    def _tell(study: optuna.Study, trial: optuna.Trial, result: JobReturn) -> None:
        """Record a job's outcome; a failed trial is logged and the search goes on."""
        if result.status == JobStatus.COMPLETED:
            value: Any = result.return_value
            if value is None:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                log.warning("trial %d returned no value: is optimized_metric logged?", trial.number)
            else:
                study.tell(trial, float(value))
            return
        # the job's exception (JobReturn.return_value would print "Error executing job" and raise it)
        error = result._return_value
        if isinstance(error, optuna.TrialPruned):
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            log.info("%s", error)
        else:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            log.warning("trial %d failed: %s: %s", trial.number, type(error).__name__, error)
