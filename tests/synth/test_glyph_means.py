import cv2
import numpy as np
import pytest
from PIL import Image

from plate_ocr.cli.main import main as plate_ocr
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.layout import render_plate
from plate_ocr.synth.probes.glyph_means import MEAN_SIZE, normalised, registered_mean
from plate_ocr.synth.probes.previews import write_crops


def flat_plate(label: str, kind: str) -> np.ndarray:
    rng = np.random.default_rng(0)
    return render_plate(label, kind, 64, default_renderer().lettering(rng), rng)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def fit_to(template: np.ndarray, image: np.ndarray) -> float:
    """How well `image` matches `template` once moved onto it (the correlation of an affine ECC fit)."""
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
    warp = np.eye(2, 3, dtype=np.float32)
    return cv2.findTransformECC(template, image, warp, cv2.MOTION_AFFINE, criteria, None, 5)[0]


def moved(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """`image` shifted by up to 6 pixels, scaled by 0.95 to 1.05 and given noise, as crops of one plate
    differ between cameras and detectors."""
    scale = rng.uniform(0.95, 1.05)
    warp = np.float32([[scale, 0, rng.uniform(-6, 6)], [0, scale, rng.uniform(-3, 3)]])
    size = image.shape[::-1]
    shifted = cv2.warpAffine(image, warp, size, borderMode=cv2.BORDER_REPLICATE)
    return shifted + rng.normal(0, 0.5, image.shape).astype(np.float32)


def test_characters_come_out_bright_whatever_the_plate_colour():
    blue = normalised(flat_plate("湘A12345", "blue"), "blue")
    yellow = normalised(flat_plate("湘A12345", "yellow"), "yellow")
    assert blue.shape == yellow.shape == MEAN_SIZE and blue.dtype == np.float32
    assert abs(blue.mean()) < 1e-4 and blue.std() == pytest.approx(1, abs=1e-3)
    assert correlation(blue, yellow) > 0.6
    assert correlation(blue, normalised(flat_plate("湘A12345", "yellow"), "blue")) < 0


def test_registration_undoes_the_shifts_that_blur_a_plain_mean():
    plate = normalised(flat_plate("浙A12345", "blue"), "blue")
    rng = np.random.default_rng(1)
    copies = [moved(plate, rng) for _ in range(8)]
    mean, held = registered_mean(copies)
    assert held == 8
    plain = np.mean(copies, axis=0, dtype=np.float32)
    assert fit_to(plate, mean) > 0.95 > 0.9 > fit_to(plate, plain)


def test_what_does_not_fit_is_left_out_and_nothing_is_an_error():
    plate = normalised(flat_plate("浙A12345", "blue"), "blue")
    rng = np.random.default_rng(2)
    copies = [moved(plate, rng) for _ in range(6)]
    noise = rng.normal(0, 1, MEAN_SIZE).astype(np.float32)
    mean, held = registered_mean([*copies, noise])
    assert held == 6 and fit_to(plate, mean) > 0.95
    with pytest.raises(ValueError, match="no images"):
        registered_mean([])


def test_cli_writes_each_provinces_means_beside_its_twins(tmp_path, capsys):
    crops = tmp_path / "crops"
    crops.mkdir()
    for province, kind, count in [("湘", "blue", 4), ("鲁", "yellow", 3), ("京", "blue", 2)]:
        renderer = default_renderer(provinces={province: 1.0}, plate_types={kind: 1.0})
        write_crops(renderer, count, tmp_path / kind, seed=0)
        for file in (tmp_path / kind).iterdir():
            file.rename(crops / f"{kind}{file.name}")
    means = tmp_path / "means.png"
    plate_ocr(["synth", "--compare", str(crops), "--means", str(means), "--faces", "plate_strokes"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("湘: 4 crops") and lines[1].startswith("鲁: 3 crops")
    assert not any(line.startswith("京") for line in lines)  # two crops are too few to average
    width, height = Image.open(means).size
    assert width == 2 * 512 and height > 2 * 128
    with pytest.raises(SystemExit):
        plate_ocr(["synth", "--means", str(means)])
    assert "--means needs --compare" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="unknown Chinese face 'comic_sans'"):
        plate_ocr(["synth", "--compare", str(crops), "--means", str(means), "--faces", "comic_sans"])
