"""Double-row plates: laid out as one row, read both ways, and drawn by the generator."""

import numpy as np
import torch

from plate_ocr.charset import Charset
from plate_ocr.data.dataset import PlateDataset, collate_plates
from plate_ocr.data.records import PlateRecord, PlateSample
from plate_ocr.data.synth_plates import SynthPlates
from plate_ocr.decoding.greedy import Decoded
from plate_ocr.decoding.rows import (
    TOP_COLUMNS,
    TOP_ROWS,
    may_be_double_row,
    one_row,
    pick_readings,
)
from plate_ocr.inference.reader import PlateReader
from plate_ocr.plate_format import DOUBLE_ROW_ASPECT, DOUBLE_ROW_MAX_ASPECT
from plate_ocr.preprocess import preprocess
from plate_ocr.synth.config import default_renderer

IMAGE_SIZE = (32, 128)


def two_line_crop(height=60, width=110):
    """A dark crop whose top line (the middle columns of its top rows) is bright: a double-row plate's
    layout reduced to where the ink is."""
    crop = np.full((height, width), 30, np.uint8)
    rows = slice(round(height * 0.1), round(height * TOP_ROWS[1]) - 2)
    crop[rows, round(width * TOP_COLUMNS[0]) + 2 : round(width * TOP_COLUMNS[1]) - 2] = 230
    return crop


def test_only_squat_crops_may_be_double_row():
    assert may_be_double_row(np.zeros((50, 100), np.uint8))
    assert not may_be_double_row(np.zeros((24, 94, 3), np.uint8))
    assert not may_be_double_row(np.zeros((10, round(10 * DOUBLE_ROW_MAX_ASPECT) + 1), np.uint8))


def test_one_row_puts_the_top_line_left_of_the_bottom_one_at_its_height():
    crop = two_line_crop()
    laid_out = one_row(crop)
    bottom = crop[round(60 * 0.38) :]
    assert laid_out.shape[0] == bottom.shape[0]
    assert np.array_equal(laid_out[:, -bottom.shape[1] :], bottom)
    assert laid_out[:, : laid_out.shape[1] - bottom.shape[1]].mean() > 100  # the bright top line, enlarged
    assert one_row(np.dstack([crop] * 3)).shape == (*laid_out.shape, 3)


def test_the_more_confident_reading_is_kept():
    plain = [Decoded("鲁S9321学", 0.01), Decoded("皖A12345", 0.9), Decoded("粤B11111", 0.5)]
    picked = pick_readings(plain, [Decoded("津AD9823", 0.2), Decoded("粤B1111", 0.1)], [0, 2])
    assert [reading.text for reading in picked] == ["津AD9823", "皖A12345", "粤B11111"]


def test_rendered_double_row_plates_are_squat_and_trained_on_as_one_row():
    renderer = default_renderer(plate_types={"yellow_double": 1.0})
    for seed in range(5):
        image, label, plate_type = renderer.render(np.random.default_rng(seed))
        assert plate_type == "yellow_double" and len(label) == 7
        assert DOUBLE_ROW_ASPECT[0] - 0.05 <= image.shape[1] / image.shape[0] <= DOUBLE_ROW_ASPECT[1] + 0.05
    sample = SynthPlates(3, renderer, seed=1)[0]
    assert not may_be_double_row(sample.image)  # laid out as one row: as wide as a single-row crop


def test_batches_carry_the_one_row_view_of_squat_crops_only():
    samples = [
        PlateSample(np.full((24, 94), 90, np.uint8), PlateRecord("wide.jpg", "皖A12345", "")),
        PlateSample(two_line_crop(), PlateRecord("squat.jpg", "津AD9823", "")),
    ]
    dataset = PlateDataset(samples, Charset(), IMAGE_SIZE)
    batch = collate_plates([dataset[0], dataset[1]])
    assert batch["one_row_indices"] == [1] and batch["one_row_images"].shape == (1, 1, *IMAGE_SIZE)
    assert collate_plates([dataset[0]])["one_row_images"] is None


def test_the_reader_keeps_a_squat_crops_one_row_reading_when_it_is_more_confident():
    charset = Charset()
    crop = two_line_crop()
    plain_mean = float(preprocess(crop, IMAGE_SIZE).mean())
    one_row_mean = float(preprocess(one_row(crop), IMAGE_SIZE).mean())
    assert one_row_mean > plain_mean  # the top line takes a larger share of the one-row view
    threshold = (plain_mean + one_row_mean) / 2

    def logits_for(text: str, confidence: float, steps: int = 16) -> torch.Tensor:
        path = charset.encode(text) + [0] * (steps - len(text))
        logits = torch.zeros(steps, len(charset.alphabet) + 1)
        logits[torch.arange(steps), torch.tensor(path)] = confidence
        return logits

    def run(
        images: torch.Tensor,
    ) -> torch.Tensor:  # a bright view reads 津AD9823 surely, a dark one 鲁S9321学 barely
        means = images.mean(dim=(1, 2, 3))
        return torch.stack(
            [logits_for("津AD9823", 20.0) if m > threshold else logits_for("鲁S9321学", 3.0) for m in means]
        )

    reader = PlateReader(run, charset, IMAGE_SIZE)
    wide = np.full((24, 94), 30, np.uint8)
    readings = reader.read([crop, wide])
    assert readings[0].text == "津AD9823" and readings[1].text == "鲁S9321学"
