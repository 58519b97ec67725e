import cv2
import numpy as np
import pytest

from plate_ocr.cli.main import main as plate_ocr
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.probes.crop_stats import crop_statistics, format_comparison, spread


def plates(count: int) -> list[np.ndarray]:
    renderer = default_renderer(camera={"defocus_sigma": [0, 0], "motion_blur_p": 0, "low_resolution_p": 0})
    return [renderer(np.random.default_rng(seed))[0] for seed in range(count)]


def test_statistics_follow_blur_light_and_colour():
    crop = plates(1)[0]
    plain = crop_statistics(crop)
    assert crop_statistics(cv2.GaussianBlur(crop, (0, 0), 1.5))["sharpness"] < 0.6 * plain["sharpness"]
    assert crop_statistics(crop // 2)["brightness"] == pytest.approx(plain["brightness"] / 2, rel=0.05)
    grey = cv2.cvtColor(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    assert crop_statistics(grey)["saturation"] == 0
    # Measured at one size: a crop twice as large (and as sharp at that size) measures about the same.
    assert crop_statistics(cv2.resize(crop, None, fx=2, fy=2))["brightness"] == pytest.approx(
        plain["brightness"], rel=0.02
    )


def test_spread_gives_ordered_percentiles_and_the_table_names_each_set():
    measured = spread(plates(20))
    assert set(measured) == {"brightness", "contrast", "saturation", "sharpness"}
    assert all(low <= mid <= high for low, mid, high in measured.values())
    table = format_comparison({"mine": measured, "synthetic": measured})
    assert table.splitlines()[0].split()[:2] == ["statistic", "mine"] and len(table.splitlines()) == 5
    with pytest.raises(ValueError, match="no images"):
        spread([])


def test_cli_compares_a_folder_of_crops_with_synthetic_ones(tmp_path, capsys):
    plate_ocr(["synth", "--n", "8", "--out", str(tmp_path / "crops")])
    capsys.readouterr()
    plate_ocr(["synth", "--n", "8", "--compare", str(tmp_path / "crops")])
    lines = capsys.readouterr().out.splitlines()
    assert "crops p10/p50/p90" in lines[0] and "synthetic p10/p50/p90" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["brightness", "contrast", "saturation", "sharpness"]
