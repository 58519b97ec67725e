import os

import cv2
import numpy as np
import pytest

from plate_ocr.data import ccpd
from plate_ocr.data.ccpd import CachedCcpdCrops, list_ccpd_split, parse_ccpd_name, plate_from_indices, rectify_plate

README_EXAMPLE = "025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-37-15.jpg"
# Real names from the CCPD sample (../shared/data/ccpd-full-sample) and the plates their fields encode.
REAL_NAMES = {
    "00622964559386-91_90-226&433_358&500-360&494_230&484_231&438_361&448-0_0_22_10_27_31_29-121-11.jpg": "皖AYL375",
    "01-0_1-249&528_393&586-392&584_249&586_250&530_393&528-0_0_25_27_7_26_29-131-21.jpg": "皖A13H25",
    "0219683908046-89_84-126&620_414&687-414&688_144&694_122&619_392&613-0_0_1_25_25_26_3-36-29.jpg": "皖AB112D",
}


def test_readme_example():
    annotation = parse_ccpd_name(README_EXAMPLE)
    assert annotation.label == "皖AY339S"
    assert annotation.area == 25 and annotation.tilt == (95, 113)
    assert annotation.bbox == ((154, 383), (386, 473))
    assert annotation.vertices == ((386, 473), (177, 454), (154, 383), (363, 402))
    assert (annotation.brightness, annotation.blur) == (37, 15)


def test_green_plate_field_has_eight_characters():
    assert plate_from_indices("0_0_3_24_24_29_25_32") == "皖AD00518"


@pytest.mark.parametrize(("name", "plate"), REAL_NAMES.items())
def test_real_sample_names(name, plate):
    assert parse_ccpd_name(f"ccpd_base/{name}").label == plate


@pytest.mark.parametrize(
    ("name", "field"),
    [("025-95_113-154&383_386&473.jpg", "7"), ("025-95_113-154&383_386&473-x&473_1&4_1&3_3&4-0_0_1_1_1_1_1-37-15.jpg", "vertices"),
     ("025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_99_27_27_33_16-37-15.jpg", "plate")],
)
def test_malformed_names_say_which_field(name, field):
    with pytest.raises(ValueError, match=field):
        parse_ccpd_name(name)


def test_rectify_recovers_a_known_quadrilateral():
    # An upright 40x120 pattern (left half dark, a bright bar at the top) warped into a known quad.
    pattern = np.full((40, 120, 3), 200, np.uint8)
    pattern[:, :60] = 40
    pattern[:6, :] = 255
    quad_tl_tr_br_bl = np.float32([[100, 50], [260, 80], [250, 140], [90, 110]])
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [120, 0], [120, 40], [0, 40]]), quad_tl_tr_br_bl)
    photo = cv2.warpPerspective(pattern, warp, (400, 200), flags=cv2.INTER_LINEAR)
    tl, tr, br, bl = (tuple(int(round(v)) for v in p) for p in quad_tl_tr_br_bl)
    crop = rectify_plate(photo, (br, bl, tl, tr), size=(40, 120))
    assert crop.shape == (40, 120, 3)
    inner = (slice(8, 34), slice(4, 116))
    assert np.abs(crop[inner].astype(int) - pattern[inner].astype(int)).mean() < 12
    assert crop[2, 30:90].mean() > 220  # the bar stays on top: the crop is upright, not flipped


def write_photo(path, name: str) -> None:
    path.mkdir(parents=True, exist_ok=True)
    image = np.random.default_rng(len(name)).integers(0, 255, (200, 300, 3), dtype=np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    (path / name).write_bytes(data.tobytes())


def ccpd_name(index: int, plate_field: str = "0_0_22_27_27_33_16") -> str:
    return f"{index:03d}-90_90-10&10_200&80-190&70_20&75_15&20_185&15-{plate_field}-100-10.jpg"


def test_splits_from_split_files(tmp_path):
    for i in range(3):
        write_photo(tmp_path / "ccpd_base", ccpd_name(i))
    write_photo(tmp_path / "ccpd_blur", ccpd_name(9))
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "train.txt").write_text(f"ccpd_base/{ccpd_name(0)}\nccpd_base/{ccpd_name(1)}\n")
    (tmp_path / "splits" / "test.txt").write_text(f"ccpd_blur/{ccpd_name(9)}\n")
    train = list_ccpd_split(tmp_path, "train")
    assert [r.subset for r in train] == ["ccpd_base", "ccpd_base"] and train[0].label == "皖AY339S"
    assert [r.subset for r in list_ccpd_split(tmp_path, "test")] == ["ccpd_blur"]


def test_splits_without_split_files_hold_out_base_and_test_on_other_subsets(tmp_path):
    for i in range(10):
        write_photo(tmp_path / "ccpd_base", ccpd_name(i))
    write_photo(tmp_path / "ccpd_tilt", ccpd_name(20))
    write_photo(tmp_path / "ccpd_db", ccpd_name(21))
    train, val = list_ccpd_split(tmp_path, "train", 0.2, 1), list_ccpd_split(tmp_path, "val", 0.2, 1)
    assert len(train) == 8 and len(val) == 2 and not {r.path for r in train} & {r.path for r in val}
    assert sorted(r.subset for r in list_ccpd_split(tmp_path, "test")) == ["ccpd_db", "ccpd_tilt"]


def test_ccpd2020_green_layout(tmp_path):
    write_photo(tmp_path / "ccpd_green" / "test", ccpd_name(1, "0_0_3_24_24_29_25_32"))
    records = list_ccpd_split(tmp_path, "test")
    assert [(r.label, r.subset) for r in records] == [("皖AD00518", "ccpd_green")]


def test_missing_layout_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="CCPD subset"):
        list_ccpd_split(tmp_path, "train")


def test_crop_cache_is_built_once_reused_and_rebuilt_when_a_file_changes(tmp_path, monkeypatch):
    for i in range(3):
        write_photo(tmp_path / "ccpd_base", ccpd_name(i))
    records = list_ccpd_split(tmp_path, "train", val_fraction=0)
    crops_made = []
    original = ccpd._crop_one
    monkeypatch.setattr(ccpd, "_crop_one", lambda job: crops_made.append(job) or original(job))

    first = CachedCcpdCrops(records, tmp_path / "cache", crop_size=(24, 72), workers=1)
    assert len(crops_made) == 3 and first[0].image.shape == (24, 72, 3)
    second = CachedCcpdCrops(records, tmp_path / "cache", crop_size=(24, 72), workers=1)
    assert len(crops_made) == 3 and np.array_equal(second[2].image, first[2].image)

    changed = records[1].path
    os.utime(changed, ns=(os.stat(changed).st_atime_ns, os.stat(changed).st_mtime_ns + 10**9))
    CachedCcpdCrops(records, tmp_path / "cache", crop_size=(24, 72), workers=1)
    assert len(crops_made) == 6
    CachedCcpdCrops(records, tmp_path / "cache", crop_size=(32, 96), workers=1)
    assert len(crops_made) == 9


def test_shared_sample_builds(shared_data, tmp_path):
    from plate_ocr.data.sources import ccpd_splits

    splits = ccpd_splits(str(shared_data / "ccpd-full-sample"), cache_dir=str(tmp_path))
    assert {name: len(source) for name, source in splits.items()} == {"train": 20, "val": 6, "test": 6}
    assert splits["test"][0].image.shape == (48, 144, 3)
