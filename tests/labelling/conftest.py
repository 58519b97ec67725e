"""A folder of generated crops with made-up readings, and the labelling app over it."""

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from plate_ocr.charset import Charset
from plate_ocr.data.crops import image_files, label_from_filename
from plate_ocr.labelling.order import CropReading
from plate_ocr.labelling.server import create_app
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.probes.previews import write_crops


@pytest.fixture(scope="session")
def crop_images(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    write_crops(default_renderer(), 4, folder, seed=0)
    return folder


@pytest.fixture
def crops(crop_images, tmp_path) -> Path:
    """Four crops of their own for each test; labels.tsv starts absent."""
    folder = tmp_path / "crops"
    folder.mkdir()
    for path in image_files(crop_images):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def fake_readings(folder: Path) -> list[CropReading]:
    """The model reads the first crop right, the others wrong; the later, the surer."""
    readings = []
    for number, path in enumerate(image_files(folder)):
        plate = label_from_filename(path.name)
        text = plate if number == 0 else plate[:-1] + ("1" if plate[-1] != "1" else "2")
        readings.append(CropReading(str(path), text, 0.5 + number / 10, text, 1.0))
    return readings


@pytest.fixture
def client(crops) -> TestClient:
    app = create_app(crops, fake_readings(crops), Charset(), order="confidence")
    return TestClient(app, base_url="http://127.0.0.1")
