"""The order crops are asked in: each strategy on hand-made readings, and real readings of generated crops."""

import pytest

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT
from plate_ocr.cli.config_groups import instantiate
from plate_ocr.inference.reader import PlateReader
from plate_ocr.labelling.order import STRATEGIES, CropReading, read_crops, read_folder, reading_order
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.probes.previews import write_crops

READINGS = [
    #            path  text         confidence voted       agreement
    CropReading("a", "皖A12345", 0.99, "皖A12345", 1.0),
    CropReading("b", "皖A1234", 0.40, "皖A12345", 0.6),
    CropReading("c", "京B88888", 0.90, "京B88888", 0.5),
    CropReading("d", "皖C00001", 0.70, "皖C00001", 0.9),
    CropReading("e", "", 0.95, "", 1.0),
]


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        ("confidence", [1, 3, 2, 4, 0]),
        # the vote differs from the plain reading (b), then the lowest agreement
        ("disagreement", [1, 2, 3, 4, 0]),
        # provinces read once ("", 京) before 皖, read three times; least confident first within each
        ("province", [4, 2, 1, 3, 0]),
        # confidence, disagreement and province in turn, each crop once
        ("mixed", [1, 4, 3, 2, 0]),
    ],
)
def test_each_order(strategy, expected):
    assert reading_order(READINGS, strategy) == expected


def test_every_order_is_a_permutation_and_random_follows_its_seed():
    for strategy in STRATEGIES:
        assert sorted(reading_order(READINGS, strategy)) == list(range(len(READINGS)))
    assert reading_order(READINGS, "random", seed=1) == reading_order(READINGS, "random", seed=1)
    orders = {tuple(reading_order(READINGS, "random", seed=seed)) for seed in range(10)}
    assert len(orders) > 1
    assert reading_order([], "mixed") == []


def test_an_unknown_order_is_named():
    with pytest.raises(ValueError, match="unknown order 'best'"):
        reading_order(READINGS, "best")


def test_real_readings_of_a_folder(tmp_path):
    write_crops(default_renderer(), 4, tmp_path, seed=0)
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    reader = PlateReader.from_checkpoint(BUNDLED_CHECKPOINT)
    skipped = []
    readings = read_folder(tmp_path, reader, instantiate("tta", "reframe"), skipped.append)
    assert len(readings) == 4 and len(skipped) == 1 and "broken.jpg" in str(skipped[0])
    plain = reader.read([reading.path for reading in readings])
    assert [(r.text, r.confidence) for r in readings] == [(d.text, d.confidence) for d in plain]
    assert all(0 < reading.agreement <= 1 for reading in readings)
    with pytest.raises(ValueError, match=r"broken\.jpg"):
        read_crops([tmp_path / "broken.jpg"], reader, None)
    plain_only = read_crops([reading.path for reading in readings], reader, None)
    assert [(r.text, r.voted, r.agreement) for r in plain_only] == [(r.text, r.text, 1.0) for r in readings]
