"""Widening a checkpoint's conv stages: same readings, wider network, ready for init_from."""

import pytest
import torch

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, init_weights, load_recognizer, read_checkpoint
from plate_ocr.cli.main import main
from plate_ocr.system import PlateRecognizer
from plate_ocr.tools import widen
from tests.conftest import BUNDLED_CHANNELS, WIDER


def logits(model: PlateRecognizer, images: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model(images)


def test_widened_network_computes_the_same_logits(tmp_path):
    target = widen.widen(BUNDLED_CHECKPOINT, tmp_path / "wide.ckpt", WIDER, noise=0.0)
    narrow, wide = load_recognizer(None), load_recognizer(target)
    assert wide.hparams["net"]["channels"] == WIDER
    assert [m.out_channels for m in wide.net.features if isinstance(m, torch.nn.Conv2d)] == WIDER
    assert sum(p.numel() for p in wide.parameters()) > sum(p.numel() for p in narrow.parameters())
    images = torch.randn(4, 1, *narrow.image_size)
    torch.testing.assert_close(logits(wide, images), logits(narrow, images), atol=1e-4, rtol=1e-4)


def test_noise_sets_the_copies_apart_and_the_seed_fixes_it():
    state = read_checkpoint(BUNDLED_CHECKPOINT)["state_dict"]

    def first_conv(noise: float, seed: int) -> torch.Tensor:
        generator = torch.Generator().manual_seed(seed)
        return widen.widen_state(state, WIDER, noise, generator)["net.features.0.weight"]

    quiet, noisy = first_conv(0.0, 0), first_conv(0.01, 0)
    narrow = BUNDLED_CHANNELS[0]
    assert torch.equal(quiet[:narrow], state["net.features.0.weight"])
    assert torch.equal(noisy[:narrow], quiet[:narrow])
    assert not torch.equal(noisy[narrow:], quiet[narrow:])
    assert torch.allclose(noisy[narrow:], quiet[narrow:], atol=0.05 * quiet.std().item())
    assert torch.equal(first_conv(0.01, 0), noisy) and not torch.equal(first_conv(0.01, 1), noisy)


def test_widened_checkpoint_starts_training_with_the_wider_config(tmp_path):
    target = widen.widen(BUNDLED_CHECKPOINT, tmp_path / "wide.ckpt", WIDER)
    hparams = read_checkpoint(target)["hyper_parameters"]
    model = PlateRecognizer(**hparams)
    init_weights(model, target)
    narrow = PlateRecognizer(**read_checkpoint(BUNDLED_CHECKPOINT)["hyper_parameters"])
    with pytest.raises(Exception, match="net"):
        init_weights(narrow, target)


def test_widths_are_checked(tmp_path):
    with pytest.raises(ValueError, match="5 conv stages, got 4"):
        widen.widen(BUNDLED_CHECKPOINT, tmp_path / "x.ckpt", WIDER[:4])
    with pytest.raises(ValueError, match="cannot narrow"):
        widen.widen(BUNDLED_CHECKPOINT, tmp_path / "x.ckpt", [BUNDLED_CHANNELS[0] - 1, *BUNDLED_CHANNELS[1:]])


def test_cli_writes_the_checkpoint_and_says_how_to_train_on(tmp_path, capsys):
    target = tmp_path / "wide.ckpt"
    main(["widen", str(BUNDLED_CHECKPOINT), "--out", str(target), "--channels", ",".join(map(str, WIDER))])
    assert (
        f"conv channels {WIDER}; train on with `python train.py init_from={target}`"
        in capsys.readouterr().out
    )
    assert load_recognizer(target).hparams["net"]["channels"] == WIDER
    with pytest.raises(SystemExit):
        main(["widen", str(BUNDLED_CHECKPOINT), "--out", str(target)])
    assert "the following arguments are required: --channels" in capsys.readouterr().err
