"""Scaling out: Optuna search (hparams_search=optuna), the Submitit launcher and multi-node settings."""

import subprocess
import sys

import hydra
import pytest
import yaml
from hydra import compose, initialize_config_dir
from optuna.distributions import CategoricalDistribution, FloatDistribution
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from plate_ocr.training.optuna_search import search_space
from tests.conftest import PROJECT_ROOT, TINY_SYNTH, run_entry

SEARCH = ["-m", "hparams_search=optuna", "debug=fdr", *TINY_SYNTH]


def test_search_space_from_hydra_sweep_syntax():
    distributions, fixed = search_space(
        ["lr=tag(log, interval(0.0001, 0.1))", "dropout=interval(0, 0.5)", "model=choice(a, b)", "seed=3"]
    )
    assert distributions == {
        "lr": FloatDistribution(0.0001, 0.1, log=True),
        "dropout": FloatDistribution(0, 0.5),
        "model": CategoricalDistribution(["a", "b"]),
    }
    assert fixed == ["seed=3"]
    with pytest.raises(ValueError, match="choice"):
        search_space(["lr=range(1, 5)"])


def test_num_nodes_and_the_slurm_launcher_compose():
    with initialize_config_dir(config_dir=str(PROJECT_ROOT / "conf"), version_base="1.3"):
        overrides = ["trainer=ddp", "trainer.accelerator=cpu", "trainer.num_nodes=2", "paths.output_dir=."]
        overrides += ["hydra/launcher=slurm", "hydra.launcher.nodes=2", "hydra.launcher.gpus_per_node=4"]
        cfg = compose("train", overrides=overrides, return_hydra_config=True)
    trainer = hydra.utils.instantiate(cfg.trainer, logger=False)
    assert trainer.num_nodes == 2 and trainer.world_size == 4  # 2 nodes x 2 devices
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher") and launcher.partition == "gpu"
    assert launcher.tasks_per_node == 4 and launcher.timeout_min == 240


@pytest.mark.slow
def test_optuna_search_of_two_trials(tmp_path):
    result = run_entry("train.py", *SEARCH, "hydra.sweeper.n_trials=2", f"hydra.sweep.dir={tmp_path}")
    assert "Optuna study 'debug', 2 trials: 2 complete, 0 pruned" in result.stdout
    best = yaml.safe_load((tmp_path / "optimization_results.yaml").read_text())
    assert set(best["best_params"]) == {"model.optimizer.lr", "data.batch_size", "augment", "model"}
    assert len((tmp_path / "trials.md").read_text().splitlines()) == 2 + 2
    assert (tmp_path / "optuna_history.html").is_file() and (tmp_path / "optuna.journal").is_file()
    assert sorted(path.name for path in tmp_path.glob("trial_*")) == ["trial_0", "trial_1"]


@pytest.mark.slow
def test_a_trial_under_the_pruning_threshold_is_pruned(tmp_path):
    pruner = [
        "hydra.sweeper.pruner._target_=optuna.pruners.ThresholdPruner",
        "~hydra.sweeper.pruner.n_startup_trials",
        "hydra.sweeper.pruner.n_warmup_steps=0",
        "+hydra.sweeper.pruner.lower=0.5",  # an untrained model reads no plate: val/acc 0
    ]
    result = run_entry(
        "train.py", *SEARCH, "hydra.sweeper.n_trials=1", *pruner, f"hydra.sweep.dir={tmp_path}"
    )
    assert "1 trials: 0 complete, 1 pruned" in result.stdout
    assert not list(tmp_path.glob("*/metrics.json"))  # stopped before testing


@pytest.mark.slow
def test_search_without_multirun_says_to_add_it(tmp_path):
    result = subprocess.run(
        [sys.executable, "train.py", *SEARCH[1:], f"hydra.run.dir={tmp_path}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "hparams_search=optuna runs trials of a sweep" in result.stderr.splitlines()[-1]


@pytest.mark.slow
def test_two_job_sweep_through_submitit_local_shows_in_hparams(tmp_path):
    result = run_entry(
        "train.py",
        "-m",
        "hydra/launcher=submitit_local",
        "debug=limit",
        "trainer.max_epochs=1",
        "augment=none,seed",
        *TINY_SYNTH,
        f"hydra.sweep.dir={tmp_path}",
    )
    jobs = sorted(p for p in tmp_path.iterdir() if p.is_dir() and "augment=" in p.name)
    assert len(jobs) == 2 and (tmp_path / ".submitit").is_dir()
    summary = (tmp_path / "summary.md").read_text()
    assert "augment=none" in summary and "augment=seed" in summary and "Sweep summary" in result.stdout
    for job, augment in zip(jobs, ["none", "seed"]):
        events = EventAccumulator(str(job / "tensorboard"))
        events.Reload()
        plugin_data = {tag: m.plugin_data.content for tag, m in events.summary_metadata.items()}
        session = plugin_data_pb2.HParamsPluginData.FromString(plugin_data["_hparams_/session_start_info"])
        assert session.session_start_info.hparams["augment"].string_value == augment
        experiment = plugin_data_pb2.HParamsPluginData.FromString(plugin_data["_hparams_/experiment"])
        metrics = {info.name.tag for info in experiment.experiment.metric_infos}
        assert metrics == {"val/acc_best", "test/acc", "test/cer"}
