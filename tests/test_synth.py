import re

import numpy as np
import pytest
import torch

from plate_ocr.charset import Charset
from plate_ocr.data.crops import label_from_filename
from plate_ocr.data.synth import PlateRenderer, SynthPlates
from plate_ocr.data.synth_plate import STYLES
from plate_ocr.synth import main as synth_cli

SERIAL = "[A-HJ-NP-Z0-9]"
GRAMMAR = {
    "blue": f"^.[A-HJ-NP-Z]{SERIAL}{{5}}$",
    "yellow": f"^.[A-HJ-NP-Z]{SERIAL}{{5}}$",
    "green": f"^.[A-HJ-NP-Z]([DF]{SERIAL}[0-9]{{4}}|[0-9]{{5}}[DF])$",
    "police": f"^.[A-HJ-NP-Z]{SERIAL}{{4}}警$",
    "coach": f"^.[A-HJ-NP-Z]{SERIAL}{{4}}学$",
}


@pytest.mark.parametrize("plate_type", sorted(STYLES))
def test_every_plate_type_renders_a_valid_plate(plate_type):
    renderer = PlateRenderer(type_mix={plate_type: 1.0})
    charset = Charset()
    for seed in range(20):
        image, label, rendered_type = renderer(np.random.default_rng(seed))
        assert rendered_type == plate_type
        charset.validate(label)
        assert re.match(GRAMMAR[plate_type], label), label
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert 6 <= image.shape[0] <= 120 and image.shape[1] > image.shape[0]


def test_glyphs_are_drawn_where_the_label_says():
    # Without camera effects, a plate with glyphs differs from the same plate with other glyphs.
    from plate_ocr.data.synth_plate import render_plate

    first = render_plate("皖A11111", "blue", np.random.default_rng(0))
    second = render_plate("皖A88888", "blue", np.random.default_rng(0))
    differs = np.abs(first.astype(int) - second.astype(int)).sum(axis=(0, 2)) > 0
    width = first.shape[1]
    assert not differs[: int(width * 0.3)].any()  # province and letter identical
    assert differs[int(width * 0.4) :].sum() > width * 0.2


def test_fixed_sets_are_deterministic_and_the_train_stream_follows_torch_seed():
    renderer = PlateRenderer()
    fixed = SynthPlates(4, renderer, seed=7)
    assert np.array_equal(fixed[2].image, SynthPlates(4, renderer, seed=7)[2].image)
    assert fixed[2].record.label == SynthPlates(4, renderer, seed=7)[2].record.label

    stream = SynthPlates(4, renderer, seed=None)
    torch.manual_seed(1)
    first = [stream[0].record.label for _ in range(3)]
    torch.manual_seed(1)
    assert [stream[0].record.label for _ in range(3)] == first
    assert len(set(first)) == 3  # a new plate on every access


def test_province_mix_is_configurable():
    renderer = PlateRenderer(dominant_province="粤", dominant_share=1.0)
    assert {renderer(np.random.default_rng(i))[1][0] for i in range(10)} == {"粤"}
    with pytest.raises(ValueError, match="unknown plate types"):
        PlateRenderer(type_mix={"purple": 1.0})


def test_cli_writes_named_crops_and_a_grid(tmp_path):
    synth_cli(["--n", "5", "--out", str(tmp_path / "crops"), "--grid", str(tmp_path / "grid.png"), "--type", "green"])
    files = sorted((tmp_path / "crops").glob("*.jpg"))
    assert [f.name[:5] for f in files] == ["0000-", "0001-", "0002-", "0003-", "0004-"]
    assert all(len(label_from_filename(f)) == 8 for f in files)
    assert (tmp_path / "grid.png").stat().st_size > 1000
