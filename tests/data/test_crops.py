import pickle

import cv2
import numpy as np
import pytest

from plate_ocr.charset import Charset
from plate_ocr.data.crops import CropFiles, image_files, label_from_filename, list_crops, read_image
from plate_ocr.data.sources import ccpd_crops_splits, folder_splits


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("0001-皖A0T999.jpg", "皖A0T999"),
        ("皖A0T999.jpg", "皖A0T999"),
        ("皖AD00518.png", "皖AD00518"),
        ("cam-3-2024-粤B12345.jpg", "粤B12345"),
    ],
)
def test_label_is_the_text_after_the_last_dash(name, label):
    assert label_from_filename(f"/some/dir/{name}") == label


def write_crop(folder, name, image=None):
    folder.mkdir(parents=True, exist_ok=True)
    image = np.full((24, 94, 3), 128, np.uint8) if image is None else image
    _, data = cv2.imencode(".png" if name.endswith(".png") else ".jpg", image)
    (folder / name).write_bytes(data.tobytes())


def test_list_crops_sorts_images_of_any_case_and_skips_the_rest(tmp_path):
    for name in ("2-皖B22222.JPG", "1-皖A11111.png", "3-皖C33333.bmp", "._1-皖A11111.jpg"):
        write_crop(tmp_path, name)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "sub.jpg").mkdir()
    records = list_crops(tmp_path, subset="x")
    assert [(r.label, r.subset) for r in records] == [("皖A11111", "x"), ("皖B22222", "x"), ("皖C33333", "x")]


def test_missing_or_empty_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        list_crops(tmp_path / "nowhere", subset="x")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no images here")
    with pytest.raises(FileNotFoundError, match=r"empty holds no \.jpg/"):
        list_crops(tmp_path / "empty", subset="x")


def test_crops_decode_chinese_paths_to_rgb_or_straight_to_gray(tmp_path):
    bgr = np.zeros((24, 94, 3), np.uint8)
    bgr[..., 2] = 255  # pure red in OpenCV's BGR order
    write_crop(tmp_path / "车牌", "0001-皖A0T999.png", bgr)
    (path,) = image_files(tmp_path / "车牌")
    assert read_image(path)[0, 0].tolist() == [255, 0, 0]
    source = CropFiles(list_crops(tmp_path / "车牌", subset="x"))
    sample = source[0]
    assert len(source) == 1 and sample.record.label == "皖A0T999"
    assert sample.image.shape == (24, 94) and sample.image.dtype == np.uint8
    assert sample.image[0, 0] == 76  # red's luminance: 0.299 x 255


def test_undecodable_file_is_named(tmp_path):
    (tmp_path / "1-皖A12345.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match=r"1-皖A12345\.jpg: not a JPEG"):
        CropFiles(list_crops(tmp_path, subset="x"))[0]


def test_crop_files_pickle(tmp_path):
    write_crop(tmp_path, "1-皖A12345.jpg")
    source = pickle.loads(pickle.dumps(CropFiles(list_crops(tmp_path, subset="x"))))
    assert source[0].image.shape == (24, 94)


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
    with pytest.raises(FileNotFoundError, match=r"data\.root"):
        ccpd_crops_splits(None)
    with pytest.raises(FileNotFoundError, match="not a folder"):
        ccpd_crops_splits(str(tmp_path / "nowhere"))


def test_shared_dl1_sample_labels_fit_the_alphabet(shared_data):
    splits = ccpd_crops_splits(str(shared_data / "ccpd-dl1-sample"), val_fraction=0.1)
    charset = Charset()
    assert len(splits["test"]) == 51
    assert splits["test"][0].image.shape == (24, 94)
    for split in splits.values():
        for record in split.records:
            charset.validate(record.label, record.path)


def test_mix_layout_streams_synthetic_plates_beside_real_crops(tmp_path):
    from plate_ocr.data.sources import mix_splits
    from plate_ocr.synth.config import default_renderer

    for i in range(10):
        write_crop(tmp_path / "train", f"{i:04d}-皖A1234{i}.jpg")
    write_crop(tmp_path / "test", "0100-皖A00000.jpg")
    splits = mix_splits(default_renderer(), str(tmp_path), synth_per_real=2, val_fraction=0.2)
    train = splits["train"]
    assert len(train) == 8 + 16 and len(splits["val"]) == 2 and len(splits["test"]) == 1
    assert train[0].record.subset == "train" and train[8].record.path.startswith("synth/")
