import os
import pickle
import zlib
from functools import partial

import cv2
import numpy as np
import pytest

from plate_ocr.data import ccpd_cache
from plate_ocr.data.ccpd import (
    list_ccpd_split,
    parse_ccpd_name,
    plate_from_indices,
    rectify_plate,
)
from plate_ocr.data.ccpd_cache import CachedCcpdCrops
from plate_ocr.data.crops import read_image
from plate_ocr.data.datamodule import PlateDataModule
from plate_ocr.data.sources import ccpd_splits
from plate_ocr.data.validation import load_image

IMAGE_SIZE = (32, 128)  # the network input the datamodule is built for
README_EXAMPLE = "025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-37-15.jpg"
# Real names from the CCPD sample (../shared/data/ccpd-full-sample) and the plates their fields encode.
REAL_NAMES = {
    "00622964559386-91_90-226&433_358&500-360&494_230&484_231&438_361&448-0_0_22_10_27_31_29-121-11.jpg": (
        "皖AYL375"
    ),
    "01-0_1-249&528_393&586-392&584_249&586_250&530_393&528-0_0_25_27_7_26_29-131-21.jpg": "皖A13H25",
    "01-3_9-252&503_396&561-396&561_257&553_252&503_391&511-11_4_26_32_29_31_33-110-7.jpg": "浙E28579",
    "0219683908046-89_84-126&620_414&687-414&688_144&694_122&619_392&613-0_0_1_25_25_26_3-36-29.jpg": (
        "皖AB112D"
    ),
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
    assert parse_ccpd_name(f"/data/ccpd_base/{name}").label == plate


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("025-95_113-154&383_386&473.jpg", "7 '-'-separated fields"),
        ("025-95-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-37-15.jpg", "tilt"),
        ("025-95_113-154&383_386&473-x&473_1&4_1&3_3&4-0_0_1_1_1_1_1-37-15.jpg", "vertices"),
        ("025-95_113-154&383_386&473-386&473_177&454_154&383-0_0_1_1_1_1_1-37-15.jpg", "vertices"),
        ("025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_99_27_27_33_16-37-15.jpg", "label"),
        ("025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27-37-15.jpg", "label"),
        (
            "025-95_113-154&383_386&473-386&473_177&454_154&383_363&402-0_0_22_27_27_33_16-b-15.jpg",
            "brightness",
        ),
    ],
)
def test_malformed_names_say_which_field(name, field):
    with pytest.raises(ValueError, match=field) as error:
        parse_ccpd_name(name)
    assert name in str(error.value)


def upright_pattern(height, width):
    """Asymmetric on both axes: a bright bar on top and a dark left half, so any flip shows."""
    pattern = np.full((height, width, 3), 200, np.uint8)
    pattern[:, : width // 2] = 40
    pattern[: height // 6, :] = 255
    return pattern


@pytest.mark.parametrize("scale", [1, 3])  # plate as large as the crop, and three times larger
def test_rectify_recovers_a_known_quadrilateral(scale):
    pattern = upright_pattern(40 * scale, 120 * scale)
    tl, tr, br, bl = (np.array(p) * scale for p in ([100, 50], [260, 80], [250, 140], [90, 110]))
    corners = np.float32([[0, 0], [120 * scale, 0], [120 * scale, 40 * scale], [0, 40 * scale]])
    warp = cv2.getPerspectiveTransform(corners, np.float32([tl, tr, br, bl]))
    photo = cv2.warpPerspective(pattern, warp, (400 * scale, 200 * scale), flags=cv2.INTER_LINEAR)
    vertices = [tuple(int(v) for v in p) for p in (br, bl, tl, tr)]  # CCPD order
    crop = rectify_plate(photo, vertices, size=(40, 120))
    expected = upright_pattern(40, 120)
    assert crop.shape == (40, 120, 3)
    inner = (slice(8, 34), slice(4, 116))  # away from edges blurred by resampling
    assert np.abs(crop[inner].astype(int) - expected[inner].astype(int)).mean() < 12
    assert crop[2, 30:90].mean() > 220 and crop[20, 10:50].mean() < 70 and crop[20, 70:110].mean() > 170


def test_rectify_needs_four_vertices():
    with pytest.raises(ValueError, match="4 vertices"):
        rectify_plate(np.zeros((10, 10, 3), np.uint8), [(0, 0), (1, 1), (2, 2)])


def ccpd_name(index, plate_field="0_0_22_27_27_33_16"):
    return f"{index:03d}-90_90-10&10_80&40-80&40_10&40_10&10_80&10-{plate_field}-100-10.jpg"


def write_photo(folder, name):
    folder.mkdir(parents=True, exist_ok=True)
    image = np.random.default_rng(zlib.crc32(name.encode())).integers(0, 255, (50, 90, 3), dtype=np.uint8)
    _, data = cv2.imencode(".jpg", image)
    (folder / name).write_bytes(data.tobytes())


def test_splits_from_split_files_ignore_per_subset_lists(tmp_path):
    for i in range(3):
        write_photo(tmp_path / "ccpd_base", ccpd_name(i))
    write_photo(tmp_path / "ccpd_blur", ccpd_name(9))
    splits = tmp_path / "splits"
    splits.mkdir()
    (splits / "train.txt").write_text(f"ccpd_base/{ccpd_name(0)}\nccpd_base/{ccpd_name(1)}\n\n")
    (splits / "val.txt").write_text(f"ccpd_base/{ccpd_name(2)}\n")
    (splits / "test.txt").write_text(f"ccpd_blur/{ccpd_name(9)}\n")
    (splits / "ccpd_blur.txt").write_text(f"ccpd_blur/{ccpd_name(9)}\n")
    train = list_ccpd_split(tmp_path, "train")[0]
    assert [r.path for r in train] == [str(tmp_path / "ccpd_base" / ccpd_name(i)) for i in (0, 1)]
    assert [(r.label, r.subset) for r in train] == [("皖AY339S", "ccpd_base")] * 2
    assert [r.subset for r in list_ccpd_split(tmp_path, "val")[0]] == ["ccpd_base"]
    assert [r.subset for r in list_ccpd_split(tmp_path, "test")[0]] == ["ccpd_blur"]


def test_split_file_naming_a_missing_photo_is_a_clear_error(tmp_path):
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "train.txt").write_text(f"ccpd_base/{ccpd_name(0)}\n")
    with pytest.raises(FileNotFoundError, match=r"train\.txt lists 1 photos missing"):
        list_ccpd_split(tmp_path, "train")
    with pytest.raises(FileNotFoundError, match=r"val\.txt is missing"):
        list_ccpd_split(tmp_path, "val")


def test_without_split_files_base_is_held_out_and_other_subsets_are_test(tmp_path):
    for i in range(10):
        write_photo(tmp_path / "ccpd_base", ccpd_name(i))
    write_photo(tmp_path / "ccpd_tilt", ccpd_name(20))
    write_photo(tmp_path / "ccpd_db", ccpd_name(21))
    train, val = list_ccpd_split(tmp_path, "train", 0.2, 1)[0], list_ccpd_split(tmp_path, "val", 0.2, 1)[0]
    assert len(train) == 8 and len(val) == 2 and not {r.path for r in train} & {r.path for r in val}
    assert val == list_ccpd_split(tmp_path, "val", 0.2, 1)[0]
    assert {r.subset for r in train + val} == {"ccpd_base"}
    assert sorted(r.subset for r in list_ccpd_split(tmp_path, "test")[0]) == ["ccpd_db", "ccpd_tilt"]


def test_ccpd2020_green_layout(tmp_path):
    write_photo(tmp_path / "ccpd_green" / "train", ccpd_name(0, "0_0_3_24_24_29_25_32"))
    write_photo(tmp_path / "ccpd_green" / "test", ccpd_name(1, "0_0_3_24_24_29_25_32"))
    records, _ = list_ccpd_split(tmp_path, "test")
    assert [(r.label, r.subset) for r in records] == [("皖AD00518", "ccpd_green")]
    with pytest.raises(FileNotFoundError, match="val"):
        list_ccpd_split(tmp_path, "val")


def test_unknown_layout_or_split_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="ccpd_base"):
        list_ccpd_split(tmp_path, "train")
    with pytest.raises(FileNotFoundError, match="no test subset"):
        list_ccpd_split(tmp_path, "test")
    with pytest.raises(ValueError, match="unknown split 'dev'"):
        list_ccpd_split(tmp_path, "dev")


@pytest.fixture
def photos(tmp_path):
    for i in range(3):
        write_photo(tmp_path / "ccpd_base", ccpd_name(i))
    return list_ccpd_split(tmp_path, "train", val_fraction=0)[0]


@pytest.fixture
def decodes(monkeypatch):
    """Counts photo decodes."""
    calls = []
    monkeypatch.setattr(ccpd_cache, "load_image", lambda path: calls.append(path) or load_image(path))
    return calls


def test_crop_cache_is_built_once_reused_and_rebuilt_when_a_file_changes(tmp_path, photos, decodes):
    cache = tmp_path / "cache"
    first = CachedCcpdCrops(photos, cache, crop_size=(24, 72), workers=1)
    assert len(decodes) == 3 and len(first) == 3
    expected = rectify_plate(read_image(photos[2].path), parse_ccpd_name(photos[2].path).vertices, (24, 72))
    assert first[2].record == photos[2] and np.array_equal(first[2].image, expected)

    second = CachedCcpdCrops(photos, cache, crop_size=(24, 72), workers=1)
    assert len(decodes) == 3 and np.array_equal(second[2].image, expected)

    changed = photos[1].path
    os.utime(changed, ns=(os.stat(changed).st_atime_ns, os.stat(changed).st_mtime_ns + 10**9))
    CachedCcpdCrops(photos, cache, crop_size=(24, 72), workers=1)
    assert len(decodes) == 6
    assert len(list(cache.glob("*.npy"))) == len(list(cache.glob("*.json"))) == 1  # the stale one is gone

    CachedCcpdCrops(photos, cache, crop_size=(32, 96), workers=1)
    assert len(decodes) == 9 and len(list(cache.glob("*.npy"))) == 2  # another crop size is kept beside


def test_damaged_cache_is_rebuilt(tmp_path, photos, decodes):
    built = CachedCcpdCrops(photos, tmp_path / "cache", workers=1)
    built.array_path.write_bytes(b"truncated")
    rebuilt = CachedCcpdCrops(photos, tmp_path / "cache", workers=1)
    assert len(decodes) == 6 and rebuilt[0].image.shape == (48, 144, 3)
    assert not list((tmp_path / "cache").glob(".*"))  # no temporary files left behind


def test_cached_crops_pickle_without_their_array(tmp_path, photos):
    source = CachedCcpdCrops(photos, tmp_path / "cache", workers=1)
    first = source[0].image
    data = pickle.dumps(source)
    assert len(data) < 4096 and b"_crops" in data
    assert np.array_equal(pickle.loads(data)[0].image, first)


def test_pool_build_matches_serial_build(tmp_path):
    for i in range(64):
        write_photo(tmp_path / "ccpd_base", ccpd_name(i))
    records, _ = list_ccpd_split(tmp_path, "train", val_fraction=0)
    serial = CachedCcpdCrops(records, tmp_path / "serial", crop_size=(16, 48), workers=1)
    pooled = CachedCcpdCrops(records, tmp_path / "pooled", crop_size=(16, 48), workers=2)
    assert np.array_equal(np.load(serial.array_path), np.load(pooled.array_path))


def test_shared_sample_builds(shared_data, tmp_path):
    splits = ccpd_splits(str(shared_data / "ccpd-full-sample"), cache_dir=str(tmp_path))
    assert {name: len(source) for name, source in splits.items()} == {"train": 20, "val": 6, "test": 6}
    assert splits["test"][0].image.shape == (48, 144, 3)


@pytest.fixture
def opencv_threads():
    """OpenCV's thread pool enabled in this process, as in a fresh one, and the setting restored after."""
    previous = cv2.getNumThreads()
    cv2.setNumThreads(2)
    yield
    cv2.setNumThreads(previous)


def test_loader_workers_start_after_a_crop_cache_is_built_from_full_size_photos(tmp_path, opencv_threads):
    photo = np.random.default_rng(0).integers(0, 255, (1160, 720, 3), dtype=np.uint8)  # CCPD's size
    (tmp_path / "ccpd_weather").mkdir()
    for i in range(4):
        cv2.imwrite(str(tmp_path / "ccpd_weather" / ccpd_name(i)), photo)
    builder = partial(ccpd_splits, cache_dir=str(tmp_path / "cache"))
    data = PlateDataModule(builder, IMAGE_SIZE, root=str(tmp_path), num_workers=1)
    data.setup("test")  # builds the cache here, in the process the worker forks from
    loader = data.test_dataloader()
    loader.timeout = 60  # a hung worker fails the test instead of stalling the suite
    batch = next(iter(loader))
    assert batch["labels"] == ["皖AY339S"] * 4 and batch["images"].shape == (4, 1, *IMAGE_SIZE)
