"""What a user sees when a checkpoint or a config is wrong: one clear line and a non-zero exit."""

import subprocess
import sys

import pytest
import torch

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, CheckpointError, load_recognizer
from plate_ocr.training.resume import resolve_ckpt_path
from tests.conftest import PROJECT_ROOT

IMAGE_SIZE = (32, 128)  # the network input of the models built by hand


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )


def test_missing_checkpoint(tmp_path):
    result = run("evaluate.py", f"ckpt={tmp_path / 'nope.ckpt'}", f"hydra.run.dir={tmp_path}")
    assert result.returncode != 0
    assert "error: checkpoint not found" in result.stderr and "Traceback" not in result.stderr


def test_corrupt_and_foreign_checkpoints(tmp_path):
    corrupt = tmp_path / "corrupt.ckpt"
    corrupt.write_bytes(b"PK\x03\x04 not really a checkpoint")
    with pytest.raises(CheckpointError, match="cannot read checkpoint"):
        load_recognizer(corrupt)
    foreign = tmp_path / "foreign.ckpt"
    torch.save({"state_dict": {}}, foreign)
    with pytest.raises(CheckpointError, match="no model config"):
        load_recognizer(foreign)


def test_unknown_config_key_names_the_key(tmp_path):
    result = run("train.py", "data.batchsize=8", f"hydra.run.dir={tmp_path}")
    assert result.returncode != 0 and "batchsize" in result.stderr


def test_missing_data_root_names_the_key(tmp_path):
    result = run("train.py", "data=ccpd_crops", "debug=fdr", f"hydra.run.dir={tmp_path}")
    assert result.returncode != 0 and "data.root" in result.stderr


def test_ckpt_path_last_without_runs(tmp_path):
    with pytest.raises(FileNotFoundError, match="ckpt_path=last"):
        resolve_ckpt_path("last", tmp_path)
    assert resolve_ckpt_path(None, tmp_path) is None


def test_init_from_a_checkpoint_of_another_alphabet_is_refused(tmp_path):
    from plate_ocr.checkpoints import init_weights
    from plate_ocr.system import PlateRecognizer

    net = {"_target_": "plate_ocr.models.crnn.CRNN", "channels": [8, 8, 8, 8, 8], "lstm_hidden": 8}
    adam = {"_target_": "torch.optim.Adam", "_partial_": True}
    other = PlateRecognizer(net=net, optimizer=adam, image_size=IMAGE_SIZE, alphabet="皖ABC0123")
    path = tmp_path / "other.ckpt"
    torch.save({"state_dict": other.state_dict(), "hyper_parameters": dict(other.hparams)}, path)
    with pytest.raises(CheckpointError, match="alphabet"):
        init_weights(PlateRecognizer(net=net, optimizer=adam, image_size=IMAGE_SIZE), path)


def test_init_from_loads_the_weights_and_says_so(tmp_path, caplog):
    from plate_ocr.checkpoints import init_weights
    from plate_ocr.system import PlateRecognizer

    net = {"_target_": "plate_ocr.models.crnn.CRNN", "channels": [8, 8, 8, 8, 8], "lstm_hidden": 8}
    adam = {"_target_": "torch.optim.Adam", "_partial_": True}
    source = PlateRecognizer(net=net, optimizer=adam, image_size=IMAGE_SIZE)
    path = tmp_path / "source.ckpt"
    state = {"state_dict": source.state_dict(), "hyper_parameters": dict(source.hparams), "epoch": 3}
    torch.save({**state, "global_step": 40}, path)
    target = PlateRecognizer(net=net, optimizer=adam, image_size=IMAGE_SIZE)
    with caplog.at_level("INFO", logger="plate_ocr.checkpoints"):
        init_weights(target, path)
    assert all(torch.equal(a, b) for a, b in zip(source.state_dict().values(), target.state_dict().values()))
    assert f"init_from: weights of {path} (saved at epoch 3, step 40) loaded" in caplog.text


def test_resuming_a_run_of_another_network_is_one_line(tmp_path):
    """`ckpt_path=last` takes the newest run under logs/, whatever it trained: a run of another network
    (say a fine-tuned bundled model) is refused by name, not with a state_dict traceback."""
    result = run("train.py", f"ckpt_path={BUNDLED_CHECKPOINT}", "debug=fdr", f"hydra.run.dir={tmp_path}")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"error: ckpt_path={BUNDLED_CHECKPOINT}: its net" in result.stderr
