"""Runs that die must not cost the training already paid for; bad steps must not poison the weights."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from plate_ocr.system import PlateRecognizer
from plate_ocr.training.resume import find_last_checkpoint
from tests.conftest import PROJECT_ROOT, TINY_SYNTH, run_entry

SMALL_NET = {"_target_": "plate_ocr.models.crnn.CRNN", "channels": [8, 8, 8, 8, 8], "lstm_hidden": 8}
ADAM = {"_target_": "torch.optim.Adam", "_partial_": True, "lr": 0.001}


@pytest.mark.slow
def test_sigkilled_run_resumes_to_the_expected_global_step(tmp_path):
    steps = [
        "trainer.max_steps=12",
        "trainer.max_epochs=3",
        "trainer.limit_train_batches=4",
        "trainer.limit_val_batches=1",
        "trainer.limit_test_batches=1",
        "callbacks.periodic_checkpoint.every_n_train_steps=2",
    ]
    first = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "train.py", *steps, *TINY_SYNTH, f"hydra.run.dir={first}"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    last = first / "checkpoints" / "latest.ckpt"  # the every-N-steps checkpoint
    deadline = time.monotonic() + 120
    while not last.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if process.poll() is not None:
        pytest.fail(f"train.py ended before it was killed:\n{process.stderr.read()}")
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = torch.load(last, weights_only=True)["global_step"]
    assert 0 < killed_at < 12

    resumed = tmp_path / "resumed"
    run_entry("train.py", *steps, *TINY_SYNTH, f"ckpt_path={last}", f"hydra.run.dir={resumed}")
    assert torch.load(resumed / "checkpoints" / "last.ckpt", weights_only=True)["global_step"] == 12


def test_last_means_the_newer_of_last_and_latest(tmp_path):
    checkpoints = tmp_path / "run" / "checkpoints"
    checkpoints.mkdir(parents=True)
    epoch_end, periodic = checkpoints / "last.ckpt", checkpoints / "latest.ckpt"
    for path, age in ((epoch_end, 20), (periodic, 10)):
        torch.save({"state_dict": {}}, path)
        os.utime(path, (time.time() - age, time.time() - age))
    assert find_last_checkpoint(tmp_path) == periodic
    os.utime(epoch_end)
    assert find_last_checkpoint(tmp_path) == epoch_end


def test_half_written_checkpoints_are_never_taken_as_last(tmp_path):
    good = tmp_path / "run_a" / "checkpoints" / "last.ckpt"
    good.parent.mkdir(parents=True)
    torch.save({"state_dict": {}}, good)
    # What a kill during a save leaves: Lightning writes to a temporary name, then moves it into place.
    partial = tmp_path / "run_b" / "checkpoints" / "last.ckpt.tmp_1234"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"PK\x03\x04 half")
    os.utime(partial, (time.time() + 10, time.time() + 10))
    assert find_last_checkpoint(tmp_path) == good


IMAGE_SIZE = (32, 128)


def nonfinite_batch() -> dict:
    return {
        "images": torch.full((2, 1, *IMAGE_SIZE), float("nan")),
        "targets": torch.ones(14, dtype=torch.long),
        "target_lengths": torch.tensor([7, 7]),
        "labels": ["皖A12345", "皖A12345"],
    }


def test_nonfinite_loss_skips_the_step_then_stops_with_a_message():
    model = PlateRecognizer(net=SMALL_NET, optimizer=ADAM, image_size=IMAGE_SIZE, max_nonfinite_steps=2)
    model.log = lambda *args, **kwargs: None  # no trainer attached
    assert model.training_step(nonfinite_batch(), 0) is None
    assert model.training_step(nonfinite_batch(), 1) is None
    with pytest.raises(RuntimeError, match="not finite in 3 steps"):
        model.training_step(nonfinite_batch(), 2)
