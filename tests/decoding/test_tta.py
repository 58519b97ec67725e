"""Test-time augmentation: the views it makes, the vote, and reading through evaluate and the reader."""

import json

import hydra
import numpy as np
import pytest
import torch
from hydra import compose, initialize_config_dir

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT
from plate_ocr.decoding.greedy import Decoded
from plate_ocr.decoding.tta import ReframingVote, vote
from plate_ocr.inference.reader import PlateReader
from plate_ocr.synth.config import default_renderer
from tests.conftest import PROJECT_ROOT, TINY_SYNTH, run_entry


def column_image(column: int, width: int = 128) -> torch.Tensor:
    """A (1, 1, 32, width) batch, dark but for one bright column."""
    image = torch.zeros(1, 1, 32, width)
    image[..., column] = 1.0
    return image


def bright_column(image: torch.Tensor) -> int:
    return int(image[0, 0].mean(0).argmax())


def test_reframings_are_every_combination_with_the_plain_crop_first():
    reframings = ReframingVote().reframings
    assert len(reframings) == len(set(reframings)) == 3 * 2 * 3
    assert reframings[0] == (1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="plain crop"):
        ReframingVote(shifts=(-0.02, 0.02))


def test_plain_view_is_the_input_and_others_move_the_content():
    image = column_image(48)
    tta = ReframingVote(widths=(1.0, 0.5), heights=(1.0,), shifts=(0.0, 0.25))
    views = dict(zip(tta.reframings, tta.views(image)))
    torch.testing.assert_close(views[(1.0, 1.0, 0.0)], image, atol=1e-5, rtol=0)
    assert all(view.shape == image.shape for view in views.values())
    # The view moves right by a quarter of the width: the column appears 32 pixels further left.
    assert bright_column(views[(1.0, 1.0, 0.25)]) == 16
    # A view covering the middle half doubles distances from the centre (64): 48 -> 32 or its neighbour.
    assert bright_column(views[(0.5, 1.0, 0.0)]) in (32, 33)


def test_vote_takes_the_most_common_reading_and_ties_go_to_the_plain_crop():
    readings = [Decoded("皖A12345", 0.9), Decoded("皖A12346", 0.8), Decoded("皖A12346", 0.6)]
    assert vote(readings) == Decoded("皖A12346", pytest.approx((0.8 + 0.6) / 3))
    tied = [Decoded("皖A12345", 0.5), Decoded("皖A12346", 0.9)]
    assert vote(tied).text == "皖A12345"
    tied_elsewhere = [Decoded("皖A00000", 0.9), Decoded("皖A12345", 0.2), Decoded("皖A12346", 0.7)]
    assert vote(tied_elsewhere).text == "皖A00000"


def test_read_votes_per_image_across_views():
    tta = ReframingVote(widths=(1.0,), heights=(1.0,), shifts=(-0.25, 0.0, 0.25))
    images = torch.cat([column_image(64), column_image(20)])

    def read_batch(views: torch.Tensor) -> list[Decoded]:
        # "reads" where the bright column lies: the first image's is off centre in the shifted views
        return [Decoded("centre" if 60 <= bright_column(v[None]) <= 68 else "side", 1.0) for v in views]

    readings = tta.read(images, read_batch)
    assert [r.text for r in readings] == ["side", "side"]
    assert readings[0].confidence == pytest.approx(2 / 3)


def test_reframe_config_is_the_default_vote():
    with initialize_config_dir(config_dir=str(PROJECT_ROOT / "conf"), version_base="1.3"):
        cfg = compose("evaluate", overrides=["tta=reframe"])
    assert hydra.utils.instantiate(cfg.tta).reframings == ReframingVote().reframings


def test_bundled_reader_with_tta_reads_generated_plates():
    clean = {"defocus_sigma": [0, 0.3], "motion_blur_p": 0, "low_resolution_p": 0}
    renderer = default_renderer(plate_types={"blue": 1.0}, camera=clean)
    plates = [renderer(np.random.default_rng([321, i])) for i in range(16)]
    reader = PlateReader.from_checkpoint(BUNDLED_CHECKPOINT, tta=ReframingVote())
    readings = reader.read([image for image, _ in plates])
    correct = sum(reading.text == label for reading, (_, label) in zip(readings, plates))
    assert correct >= 12, [(r.text, label) for r, (_, label) in zip(readings, plates)]
    assert all(0 <= reading.confidence <= 1 for reading in readings)


@pytest.mark.slow
def test_evaluate_with_tta_reports_every_plate(tmp_path):
    run_entry(
        "evaluate.py",
        "tta=reframe",
        "renderer.plate_types={blue: 1}",
        *TINY_SYNTH,
        f"hydra.run.dir={tmp_path}",
    )
    metrics = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["num_samples"] == 32
    assert metrics["accuracy"] >= 0.75
