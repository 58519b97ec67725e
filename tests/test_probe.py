"""The probe tool: image changes at the network's input, and the table of what the model reads under each."""

import cv2
import numpy as np
import pytest

from plate_ocr.checkpoints import checkpoint_path, load_recognizer
from plate_ocr.data.crops import read_image
from plate_ocr.data.synth import PlateRenderer, SynthPlates
from plate_ocr.predict import PlateReader
from plate_ocr.probe import PROBES, main, read_under


@pytest.fixture(scope="module")
def crops(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crops")
    plates = SynthPlates(12, PlateRenderer(), seed=11)
    for i in range(len(plates)):
        sample = plates[i]
        path = folder / f"{i:04d}-{sample.record.label}.jpg"
        path.write_bytes(cv2.imencode(".jpg", cv2.cvtColor(sample.image, cv2.COLOR_RGB2BGR))[1].tobytes())
    return folder


@pytest.mark.parametrize("name", PROBES)
def test_every_probe_gives_the_network_its_input_size_from_any_crop(name):
    crop = np.random.default_rng(0).integers(0, 256, (41, 157), dtype=np.uint8)
    changed = PROBES[name](crop, (32, 128))
    assert changed.shape == (32, 128) and changed.dtype == np.uint8


def test_probes_change_what_they_say():
    crop = np.full((48, 192), 40, np.uint8)
    crop[12:36, 60:70] = 220  # one light stroke on a dark plate
    ink = {name: int((PROBES[name](crop, (32, 128)) > 128).sum()) for name in PROBES}
    assert ink["bolder strokes"] > ink["as they are"] > ink["thinner strokes"]
    assert ink["tighter box (110%)"] > ink["as they are"] > ink["looser box (90%)"]
    plain = PROBES["as they are"](crop, (32, 128)).astype(int)
    assert np.abs(PROBES["crisper (sharpen 1.0)"](crop, (32, 128)) - plain).max() > 20
    assert PROBES["darker (gamma 1.4)"](crop, (32, 128)).mean() < plain.mean()


def test_crops_as_they_are_read_as_the_predictor_reads_them(crops):
    files = sorted(crops.iterdir())
    model = load_recognizer(None)
    images = [read_image(path, gray=True) for path in files]
    predictor = PlateReader.from_checkpoint(checkpoint_path(None))
    expected = [decoded.text for decoded in predictor.read([str(path) for path in files])]
    assert read_under(model, images, PROBES["as they are"], batch_size=5) == expected


def test_the_command_prints_every_probe_and_names_bad_input(crops, capsys, tmp_path):
    main([f"root={crops}"])
    printed = capsys.readouterr().out
    assert printed.startswith("12 crops of") and all(name in printed for name in PROBES)
    with pytest.raises(SystemExit, match="error: image folder not found"):
        main([f"root={tmp_path / 'missing'}"])
    with pytest.raises(SystemExit, match="pass root=DIR"):
        main([])
