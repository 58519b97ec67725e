"""The probe tool: image changes at the network's input, and the table of what the model reads under each."""

import cv2
import numpy as np
import pytest

from plate_ocr.checkpoints import checkpoint_path, load_recognizer
from plate_ocr.cli.main import main
from plate_ocr.data.crops import read_image
from plate_ocr.data.synth_plates import SynthPlates
from plate_ocr.inference.reader import PlateReader
from plate_ocr.synth.camera import photograph
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.layout import render_plate
from plate_ocr.synth.probes.probe import PROBES, read_under, twins_table
from plate_ocr.synth.probes.twins import plate_type, twin_crops


@pytest.fixture(scope="module")
def crops(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crops")
    plates = SynthPlates(12, default_renderer(), seed=11)
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
    main(["probe", str(crops)])
    printed = capsys.readouterr().out
    assert printed.startswith("12 crops of") and all(name in printed for name in PROBES)
    assert "synthetic twins" in printed and "\nall           12" in printed
    main(["probe", str(crops), "--no-twins"])
    assert "twins" not in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown Chinese face 'comic_sans'"):
        main(["probe", str(crops), "--faces", "noto_sans,comic_sans"])
    with pytest.raises(SystemExit, match="error: image folder not found"):
        main(["probe", str(tmp_path / "missing")])
    with pytest.raises(SystemExit):
        main(["probe"])
    assert "the following arguments are required: DIR" in capsys.readouterr().err


def rendered(plate_type, label, size=(40, 150)):
    renderer = default_renderer()
    rng = np.random.default_rng(3)
    plate = render_plate(label, plate_type, 60, renderer.lettering(rng), rng)
    return photograph(plate, size, renderer.camera, rng)


@pytest.mark.parametrize(
    "label, painted, expected",
    [
        ("皖AD12345", "green", "green"),
        ("皖A1234警", "police", "police"),
        ("皖A1234学", "coach", "coach"),
        ("粤B12345", "yellow", "yellow"),
        ("粤B12345", "blue", "blue"),
        ("粤B12345", "yellow_double", "yellow_double"),
    ],
)
def test_a_crops_plate_type_comes_from_its_string_then_its_paint(label, painted, expected):
    size = (55, 100) if painted == "yellow_double" else (40, 150)
    assert plate_type(label, rendered(painted, label, size)) == expected


def test_grey_crops_count_as_blue():
    assert plate_type("粤B12345", cv2.cvtColor(rendered("yellow", "粤B12345"), cv2.COLOR_RGB2GRAY)) == "blue"


def test_twins_have_their_crops_size_and_are_drawn_from_the_seed():
    crops = [rendered("blue", "浙A12345", (31, 97)), rendered("yellow", "鲁B54321", (64, 170))]
    labels = ["浙A12345", "鲁B54321"]
    twins = twin_crops(default_renderer(), labels, crops, seed=5)
    assert [twin.shape for twin in twins] == [(31, 97, 3), (64, 170, 3)]
    assert all(
        np.array_equal(a, b) for a, b in zip(twins, twin_crops(default_renderer(), labels, crops, seed=5))
    )
    assert not np.array_equal(twins[0], twin_crops(default_renderer(), labels, crops, seed=6)[0])


def test_twins_table_sets_shares_of_crops_beside_shares_of_twins():
    labels = ["浙A11111", "浙A22222", "沪B33333"]
    real = ["湘A11111", "浙A22222", "沪B33333"]
    twins = ["浙A11111", "浙A22222", "沪B33333", "浙A11111", "浙A22221", "沪B33333"]  # two rounds
    rows = {
        line.split()[0]: line.split()[1:]
        for line in twins_table(labels, real, twins, min_crops=2).splitlines()[1:]
    }
    assert rows["all"] == ["3", "0.667", "0.833", "+0.167"]
    assert rows["province"] == ["3", "0.667", "1.000", "+0.333"]
    assert rows["浙"] == ["2", "0.500", "0.750", "+0.250"]
    assert "沪" not in rows  # one crop: under min_crops
