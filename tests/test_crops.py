import cv2
import numpy as np
import pytest

from plate_ocr.data.crops import CropFiles, label_from_filename, list_crops
from plate_ocr.data.sources import ccpd_crops_splits, folder_splits


@pytest.mark.parametrize(
    ("name", "label"),
    [("0001-皖A0T999.jpg", "皖A0T999"), ("皖AD00518.png", "皖AD00518"), ("cam-3-2024-粤B12345.jpg", "粤B12345")],
)
def test_label_is_the_text_after_the_last_dash(name, label):
    assert label_from_filename(f"/some/dir/{name}") == label


def write_crop(folder, name):
    folder.mkdir(parents=True, exist_ok=True)
    ok, data = cv2.imencode(".jpg", np.full((24, 94, 3), 128, np.uint8))
    (folder / name).write_bytes(data.tobytes())


def test_crop_files_decode_chinese_paths_to_rgb(tmp_path):
    write_crop(tmp_path, "0001-皖A0T999.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    records = list_crops(tmp_path, subset="x")
    assert [r.label for r in records] == ["皖A0T999"]
    sample = CropFiles(records)[0]
    assert sample.image.shape == (24, 94, 3) and sample.image.dtype == np.uint8


def test_dl1_layout_holds_out_val_from_train_when_there_is_no_val_folder(tmp_path):
    for i in range(10):
        write_crop(tmp_path / "train", f"{i:04d}-皖A1234{i}.jpg")
    write_crop(tmp_path / "test", "0100-皖A00000.jpg")
    splits = ccpd_crops_splits(str(tmp_path), val_fraction=0.2, seed=3)
    assert [len(splits[s]) for s in ("train", "val", "test")] == [8, 2, 1]
    again = ccpd_crops_splits(str(tmp_path), val_fraction=0.2, seed=3)
    assert again["val"].records == splits["val"].records


def test_dl1_layout_uses_a_val_folder_when_present(tmp_path):
    for split in ("train", "val", "test"):
        write_crop(tmp_path / split, "1-皖A12345.jpg")
    splits = ccpd_crops_splits(str(tmp_path))
    assert [len(splits[s]) for s in ("train", "val", "test")] == [1, 1, 1]


def test_folder_layout_is_a_test_split(tmp_path):
    write_crop(tmp_path, "皖A12345.jpg")
    assert len(folder_splits(str(tmp_path))["test"]) == 1
    with pytest.raises(ValueError, match="only has a test split"):
        folder_splits(str(tmp_path), splits=["train"])


def test_missing_root_names_the_key(tmp_path):
    with pytest.raises(ValueError, match="data.root"):
        ccpd_crops_splits(None)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        ccpd_crops_splits(str(tmp_path / "nowhere"))


def test_shared_dl1_sample_labels_fit_the_alphabet(shared_data):
    from plate_ocr.charset import Charset

    splits = ccpd_crops_splits(str(shared_data / "ccpd-dl1-sample"), val_fraction=0.1)
    charset = Charset()
    assert len(splits["test"]) == 51
    for split in splits.values():
        for record in split.records:
            charset.validate(record.label, record.path)
