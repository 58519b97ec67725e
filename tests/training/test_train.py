"""End-to-end: the entry points as users run them, on tiny synthetic data."""

import json

import pytest
import torch

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT
from plate_ocr.plate_format import DEFAULT_ALPHABET
from plate_ocr.tools import widen
from tests.conftest import TINY_SYNTH, WIDER, run_entry

pytestmark = pytest.mark.slow


def test_one_batch_fast_dev_run(tmp_path):
    run_entry("train.py", "debug=fdr", *TINY_SYNTH, f"hydra.run.dir={tmp_path}")


def test_train_then_evaluate_round_trip(tmp_path):
    train_dir, eval_dir = tmp_path / "train", tmp_path / "eval"
    run_entry("train.py", "debug=limit", *TINY_SYNTH, f"hydra.run.dir={train_dir}")
    trained = json.loads((train_dir / "metrics.json").read_text())
    checkpoints = train_dir / "checkpoints"
    assert (checkpoints / "last.ckpt").is_file()
    best = next(p for p in checkpoints.glob("epoch_*.ckpt"))

    checkpoint = torch.load(best, weights_only=True)
    assert checkpoint["hyper_parameters"]["image_size"] == [32, 128]
    assert checkpoint["hyper_parameters"]["alphabet"] == DEFAULT_ALPHABET

    result = run_entry("evaluate.py", f"ckpt={best}", *TINY_SYNTH, f"hydra.run.dir={eval_dir}")
    evaluated = json.loads((eval_dir / "metrics.json").read_text(encoding="utf-8"))
    assert evaluated["num_samples"] == 32
    assert evaluated["accuracy"] == pytest.approx(trained["test/acc"], abs=1e-6)
    assert evaluated["cer"] == pytest.approx(trained["test/cer"], abs=1e-6)
    assert "accuracy" in result.stdout
    assert (eval_dir / "errors.png").is_file()
    header = (eval_dir / "predictions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "file,label,prediction,edit_distance,confidence"


def test_resume_from_last_checkpoint_continues_the_step_count(tmp_path):
    first, resumed = tmp_path / "first", tmp_path / "resumed"
    run_entry("train.py", "debug=limit", "trainer.max_epochs=2", *TINY_SYNTH, f"hydra.run.dir={first}")
    # last.ckpt is the final epoch's even when val/acc did not improve, and no last-v1.ckpt appears
    checkpoints = sorted(p.name for p in (first / "checkpoints").iterdir())
    assert "last.ckpt" in checkpoints and not any(name.startswith("last-v") for name in checkpoints)
    last = first / "checkpoints" / "last.ckpt"
    assert torch.load(last, weights_only=True)["global_step"] == 8
    run_entry(
        "train.py",
        "debug=limit",
        "trainer.max_epochs=3",
        f"ckpt_path={last}",
        *TINY_SYNTH,
        f"hydra.run.dir={resumed}",
    )
    state = torch.load(resumed / "checkpoints" / "last.ckpt", weights_only=True)
    assert state["global_step"] == 12 and state["epoch"] == 2


def test_a_run_too_short_to_validate_still_leaves_a_last_checkpoint(tmp_path):
    run = (
        "trainer.max_epochs=2",
        "trainer.check_val_every_n_epoch=3",
        *TINY_SYNTH,
        f"hydra.run.dir={tmp_path}",
    )
    result = run_entry("train.py", *run)
    state = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert state["epoch"] == 1 and state["global_step"] == 8
    assert "testing the weights as training left them" in result.stdout + result.stderr
    assert "test/acc" in json.loads((tmp_path / "metrics.json").read_text())


def test_ddp_on_two_cpu_processes(tmp_path):
    run_entry(
        "train.py",
        "trainer=ddp",
        "trainer.accelerator=cpu",
        "trainer.devices=2",
        "debug=limit",
        "trainer.max_epochs=1",
        *TINY_SYNTH,
        f"hydra.run.dir={tmp_path}",
    )
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert "test/acc" in metrics


def test_resume_with_last_finds_the_newest_run(tmp_path):
    logs = tmp_path / "logs"
    run_entry("train.py", "debug=limit", "trainer.max_epochs=1", *TINY_SYNTH, f"paths.log_dir={logs}")
    run_entry(
        "train.py",
        "debug=limit",
        "trainer.max_epochs=2",
        "ckpt_path=last",
        *TINY_SYNTH,
        f"paths.log_dir={logs}",
    )
    lasts = sorted((logs / "debug" / "runs").glob("*/checkpoints/last.ckpt"))
    assert len(lasts) == 2
    assert torch.load(lasts[-1], weights_only=True)["global_step"] == 8


def test_init_from_a_wider_checkpoint_trains_its_network_with_the_default_config(tmp_path):
    wide = widen.widen(BUNDLED_CHECKPOINT, tmp_path / "wide.ckpt", WIDER)
    run_dir = tmp_path / "run"
    run_entry(
        "train.py",
        f"init_from={wide}",
        "debug=limit",
        "trainer.max_epochs=1",
        *TINY_SYNTH,
        f"hydra.run.dir={run_dir}",
    )
    trained = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    assert trained["hyper_parameters"]["net"]["channels"] == WIDER
    assert trained["state_dict"]["net.features.0.weight"].shape[0] == WIDER[0]
    assert "init_from: model.net from" in (run_dir / "train.log").read_text(encoding="utf-8")


def test_bundled_recipe_composes_and_trains_one_batch(tmp_path):
    result = run_entry(
        "train.py", "experiment=bundled", "debug=fdr", *TINY_SYNTH, f"hydra.run.dir={tmp_path}"
    )
    assert "test/acc" in result.stdout
