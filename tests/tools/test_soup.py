"""Averaging the weights of several runs into one checkpoint (a model soup)."""

import pytest
import torch

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, load_recognizer, read_checkpoint
from plate_ocr.cli.main import main
from plate_ocr.tools import soup, widen
from tests.conftest import WIDER


@pytest.fixture
def shifted(tmp_path):
    """The bundled checkpoint with every floating-point tensor raised by 1."""
    checkpoint = read_checkpoint(BUNDLED_CHECKPOINT)
    checkpoint["state_dict"] = {
        name: tensor + 1 if tensor.is_floating_point() else tensor + 5
        for name, tensor in checkpoint["state_dict"].items()
    }
    checkpoint["epoch"] = 99
    path = tmp_path / "shifted.ckpt"
    torch.save(checkpoint, path)
    return path


def test_soup_is_the_mean_of_the_weights(tmp_path, shifted):
    target = soup.soup([BUNDLED_CHECKPOINT, shifted], tmp_path / "soup.ckpt")
    original, averaged = read_checkpoint(BUNDLED_CHECKPOINT), read_checkpoint(target)
    for name, tensor in original["state_dict"].items():
        expected = tensor + 0.5 if tensor.is_floating_point() else tensor
        torch.testing.assert_close(averaged["state_dict"][name], expected)
    assert averaged["hyper_parameters"] == original["hyper_parameters"]
    assert averaged["epoch"] == original["epoch"]


def test_soup_of_one_run_with_itself_reads_the_same(tmp_path):
    target = soup.soup([BUNDLED_CHECKPOINT, BUNDLED_CHECKPOINT], tmp_path / "soup.ckpt")
    alone, souped = load_recognizer(None), load_recognizer(target)
    images = torch.randn(4, 1, *alone.image_size)
    with torch.no_grad():
        torch.testing.assert_close(souped(images), alone(images))


def test_checkpoints_of_different_networks_are_refused(tmp_path):
    wide = widen.widen(BUNDLED_CHECKPOINT, tmp_path / "wide.ckpt", WIDER)
    with pytest.raises(soup.CheckpointError, match="net differs"):
        soup.soup([BUNDLED_CHECKPOINT, wide], tmp_path / "soup.ckpt")
    with pytest.raises(ValueError, match="at least two"):
        soup.soup([BUNDLED_CHECKPOINT], tmp_path / "soup.ckpt")


def test_cli_writes_the_soup(tmp_path, shifted, capsys):
    target = tmp_path / "soup.ckpt"
    main(["soup", str(BUNDLED_CHECKPOINT), str(shifted), "--out", str(target)])
    assert "the mean of 2 checkpoints' weights" in capsys.readouterr().out
    assert (
        load_recognizer(target).hparams["net"]
        == read_checkpoint(BUNDLED_CHECKPOINT)["hyper_parameters"]["net"]
    )
    with pytest.raises(SystemExit, match="error: a soup needs at least two checkpoints"):
        main(["soup", str(BUNDLED_CHECKPOINT), "--out", str(target)])
