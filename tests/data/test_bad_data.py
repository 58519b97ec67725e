"""Messy datasets: every kind of bad file is named once, before training, and `data.on_bad` decides."""

import logging
import os
import subprocess
import sys
from functools import partial

import cv2
import numpy as np
import pytest

from plate_ocr.data import ccpd_cache
from plate_ocr.data.crops import ImageError, decode_image
from plate_ocr.data.datamodule import PlateDataModule
from plate_ocr.data.sources import ccpd_crops_splits, ccpd_splits, folder_splits
from plate_ocr.data.validation import BadDataError, load_image
from tests.conftest import PROJECT_ROOT, run_entry
from tests.data.test_ccpd import ccpd_name, write_photo

IMAGE_SIZE = (32, 128)  # the network input the datamodules are built for

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
CROP = np.random.default_rng(0).integers(0, 255, (24, 94, 3), dtype=np.uint8)
JPEG = cv2.imencode(".jpg", CROP)[1].tobytes()
PNG = cv2.imencode(".png", CROP)[1].tobytes()
BMP = cv2.imencode(".bmp", CROP)[1].tobytes()


def write_good(folder, count, start=0):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        (folder / f"{i:04d}-皖A1234{i % 10}.jpg").write_bytes(JPEG)


def messy_crops(root):
    """A dl1 layout with good crops in every split and one bad file of each kind; returns
    {bad file: what its message must say}."""
    for split in ("train", "val", "test"):
        write_good(root / split, 4)
    bad = {
        "train/0100-皖A00001.jpg": (b"", "empty file"),
        "train/0101-皖A00002.jpg": (JPEG[: len(JPEG) // 2], "truncated JPEG"),
        "train/0102-皖A00003.jpg": (b"just some text, not a photo", "not a JPEG, PNG or BMP image"),
        "train/0103-皖A00004.png": (PNG[:-30], "truncated PNG"),
        "val/0104-皖A0O005.jpg": (JPEG, "character 'O' is not in the alphabet"),
        "test/0105-皖AI0006.jpg": (JPEG, "character 'I' is not in the alphabet"),
        "test/0106-皖A1234.jpg": (JPEG, "length 6 is not one of (7, 8)"),
    }
    for name, (data, _) in bad.items():
        (root / name).write_bytes(data)
    expected = {str(root / name): reason for name, (_, reason) in bad.items()}
    if not IS_ROOT:  # root reads anything, so only another user can meet an unreadable file
        unreadable = root / "train" / "0107-皖A00008.jpg"
        unreadable.write_bytes(JPEG)
        unreadable.chmod(0)
        expected[str(unreadable)] = "cannot be read: Permission denied"
    return expected


def datamodule(builder, root, on_bad):
    return PlateDataModule(partial(builder), IMAGE_SIZE, root=str(root), on_bad=on_bad, num_workers=0)


def test_error_names_every_bad_crop_in_one_message(tmp_path):
    expected = messy_crops(tmp_path)
    with pytest.raises(BadDataError) as error:
        datamodule(ccpd_crops_splits, tmp_path, "error").setup("fit")
    message = str(error.value)
    assert message.startswith(f"{len(expected)} bad data files") and "data.on_bad=skip" in message
    for path, reason in expected.items():
        assert f"  {path}: " in message and reason in message.split(f"  {path}: ")[1].splitlines()[0]


def test_skip_trains_on_the_rest_and_logs_which(tmp_path, caplog):
    expected = messy_crops(tmp_path)
    data = datamodule(ccpd_crops_splits, tmp_path, "skip")
    with caplog.at_level(logging.WARNING):
        data.setup("fit")
    assert {split: len(dataset) for split, dataset in data.datasets.items()} == {
        "train": 4,
        "val": 4,
        "test": 4,
    }
    assert f"left out {len(expected)} bad data files" in caplog.text
    assert all(path in caplog.text for path in expected)
    assert data.split("train")[0]["image"].shape[-2:] == (32, 128)


def test_long_lists_show_the_first_twenty_then_count(tmp_path):
    write_good(tmp_path, 1)
    for i in range(25):
        (tmp_path / f"{i:04d}-皖A0000{i % 10}.jpg").write_bytes(b"")
    with pytest.raises(BadDataError) as error:
        datamodule(folder_splits, tmp_path, "error").setup("test")
    lines = str(error.value).splitlines()
    assert lines[0].startswith("25 bad data files") and len(lines) == 22 and lines[-1] == "  and 5 more"


def test_folder_source_reports_its_bad_files(tmp_path):
    write_good(tmp_path, 2)
    (tmp_path / "9-皖A1234.jpg").write_bytes(JPEG)
    splits = folder_splits(str(tmp_path))
    assert len(splits["test"]) == 2
    assert [(p.path, p.reason) for p in splits.problems] == [
        (str(tmp_path / "9-皖A1234.jpg"), "label '皖A1234': length 6 is not one of (7, 8)")
    ]


def test_every_split_left_bad_is_an_error_even_when_skipping(tmp_path):
    write_good(tmp_path / "train", 3)
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "1-皖A12345.jpg").write_bytes(b"")
    with pytest.raises(BadDataError, match="no usable files left in the test split"):
        datamodule(ccpd_crops_splits, tmp_path, "skip").setup("test")


def test_missing_or_empty_split_folders_are_errors_whatever_the_policy(tmp_path):
    write_good(tmp_path / "train", 3)
    with pytest.raises(FileNotFoundError, match=r"image folder not found: .*test"):
        ccpd_crops_splits(str(tmp_path), splits=["test"])
    (tmp_path / "test").mkdir()
    with pytest.raises(FileNotFoundError, match=r"test holds no \.jpg"):
        datamodule(ccpd_crops_splits, tmp_path, "skip").setup("test")


def test_unknown_policy_names_the_key():
    with pytest.raises(ValueError, match=r"data\.on_bad='ignore': expected one of error, skip"):
        PlateDataModule(partial(folder_splits), IMAGE_SIZE, on_bad="ignore")


@pytest.mark.parametrize("data", [JPEG, PNG, BMP, JPEG + b"\0\0"])
def test_whole_images_decode(data):
    assert decode_image(data).shape == (24, 94, 3)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (JPEG[:-2], "truncated JPEG"),  # cut just before its end-of-image marker
        (BMP[:-100], "truncated BMP"),
        (b"GIF89a" + bytes(40), "not a JPEG, PNG or BMP image"),
    ],
)
def test_incomplete_images_say_why(data, reason):
    with pytest.raises(ImageError, match=reason):
        decode_image(data)


def messy_ccpd(root):
    """CCPD photos (50 x 90) in ccpd_base and a test subset, each kind of bad photo among them."""
    for i in range(4):
        write_photo(root / "ccpd_base", ccpd_name(i))
        write_photo(root / "ccpd_tilt", ccpd_name(10 + i))
    base, tilt = root / "ccpd_base", root / "ccpd_tilt"
    outside = ccpd_name(20).replace("-80&40_10&40_", "-200&40_10&40_")
    write_photo(base, outside)
    (base / ccpd_name(21)).write_bytes(b"")
    write_photo(base, ccpd_name(22))
    (base / ccpd_name(22)).write_bytes((base / ccpd_name(22)).read_bytes()[:600])
    write_photo(base, "025-95_113-garbled.jpg")
    write_photo(tilt, ccpd_name(23, "0_0_22_27_27_33_34"))  # index 34 is CCPD's 'O', no character
    return {
        str(base / outside): "plate vertex (200, 40) is outside the 90x50 photo",
        str(base / ccpd_name(21)): "empty file",
        str(base / ccpd_name(22)): "truncated JPEG",
        str(base / "025-95_113-garbled.jpg"): "unparsable CCPD name: a CCPD name has 7 '-'-separated fields",
        str(tilt / ccpd_name(23, "0_0_22_27_27_33_34")): "character 'O' is not in the alphabet",
    }


def test_ccpd_problems_are_found_with_the_cache_and_kept_in_it(tmp_path, monkeypatch):
    expected = messy_ccpd(tmp_path / "ccpd")
    decoded = []
    monkeypatch.setattr(ccpd_cache, "load_image", lambda path: decoded.append(path) or load_image(path))
    build = partial(ccpd_splits, str(tmp_path / "ccpd"), cache_dir=str(tmp_path / "cache"), val_fraction=0.25)
    first = build()
    assert {p.path: p.reason for p in first.problems}.keys() == expected.keys()
    for problem in first.problems:
        assert expected[problem.path] in problem.reason
    assert len(first["train"]) + len(first["val"]) == 4 and len(first["test"]) == 4
    assert first["train"][2].image.shape == (48, 144, 3)

    decoded.clear()
    again = build()
    assert not decoded and again.problems == first.problems  # the reused cache reports them undecoded
    assert np.array_equal(again["train"][2].image, first["train"][2].image)


def test_ccpd_missing_split_file_is_an_error_whatever_the_policy(tmp_path):
    write_photo(tmp_path / "ccpd_base", ccpd_name(0))
    (tmp_path / "splits").mkdir()
    (tmp_path / "splits" / "train.txt").write_text(f"ccpd_base/{ccpd_name(0)}\n")
    (tmp_path / "splits" / "test.txt").write_text("\n")
    data = datamodule(ccpd_splits, tmp_path, "skip")
    with pytest.raises(FileNotFoundError, match=r"splits/val\.txt is missing"):
        data.setup("validate")
    with pytest.raises(FileNotFoundError, match=r"splits/test\.txt lists no photos"):
        data.setup("test")


@pytest.mark.slow
def test_train_skips_or_stops_on_bad_files(tmp_path):
    expected = messy_crops(tmp_path / "data")
    overrides = ["data=ccpd_crops", f"data.root={tmp_path / 'data'}", "debug=fdr", "data.batch_size=4"]
    result = run_entry("train.py", *overrides, "data.on_bad=skip", f"hydra.run.dir={tmp_path / 'skip'}")
    assert f"left out {len(expected)} bad data files" in result.stderr + result.stdout

    stopped = subprocess.run(
        [sys.executable, "train.py", *overrides, f"hydra.run.dir={tmp_path / 'error'}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert stopped.returncode != 0
    assert f"{len(expected)} bad data files" in stopped.stderr
    assert all(path in stopped.stderr for path in expected)
