import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from plate_ocr.models.crnn import CRNN

NOTEBOOK = {"channels": (64, 128, 256, 512, 1024), "lstm_hidden": 512}
SMALL = {"channels": (16, 32, 64, 128, 256), "lstm_hidden": 128}


def multiply_adds(model: torch.nn.Module) -> float:
    with FlopCounterMode(display=False) as counter:
        model(torch.zeros(1, 1, 32, 128))
    return counter.get_total_flops() / 2


def test_notebook_crnn_shape_and_size():
    model = CRNN(num_classes=68, **NOTEBOOK).eval()
    assert model(torch.zeros(3, 1, 32, 128)).shape == (3, 16, 68)
    assert sum(p.numel() for p in model.parameters()) == pytest.approx(16.3e6, rel=0.02)


def test_small_crnn_has_at_least_four_times_fewer_multiply_adds():
    small = CRNN(num_classes=68, **SMALL).eval()
    assert small(torch.zeros(2, 1, 32, 128)).shape == (2, 16, 68)
    assert multiply_adds(CRNN(num_classes=68, **NOTEBOOK).eval()) >= 4 * multiply_adds(small)


def test_sixteen_steps_align_the_worst_eight_character_plate():
    # An 8-character plate with every neighbour repeated needs 8 + 7 blanks = 15 steps.
    assert CRNN(num_classes=68, **SMALL)(torch.zeros(1, 1, 32, 128)).shape[1] >= 15


def test_wrong_input_height_is_a_clear_error():
    with pytest.raises(ValueError, match="needs 32"):
        CRNN(num_classes=68, **SMALL)(torch.zeros(1, 1, 48, 128))
