"""The deployment tools as users run them: `--help`, and one line on stderr with exit status 1 for every
bad input, never a traceback."""

import subprocess
import sys

import cv2
import pytest

from plate_ocr import export, predict
from plate_ocr.inference.export import synthetic_crops
from tests.conftest import PROJECT_ROOT

CORRUPT_CHECKPOINT = (
    "truncated, corrupt, not written by torch.save, or holding objects other than plain values"
)


def run_module(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )


def exit_message(main, *args: str) -> str:
    """The message a tool's main exits with, checked to be a single `error:` line."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    message = str(exited.value.code)
    assert message.startswith("error: ") and "\n" not in message
    return message


@pytest.fixture
def crop_folder(tmp_path):
    folder = tmp_path / "crops"
    folder.mkdir()
    for number, (image, label) in enumerate(zip(*synthetic_crops(2))):
        cv2.imwrite(str(folder / f"{number}-{label}.png"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    return folder


@pytest.fixture
def corrupt_checkpoint(tmp_path):
    path = tmp_path / "corrupt.ckpt"
    path.write_bytes(b"PK\x03\x04 truncated")
    return path


@pytest.mark.parametrize("module", ["plate_ocr.inference.reader", "plate_ocr.inference.export"])
def test_help(module):
    result = run_module(module, "--help")
    assert result.returncode == 0 and f"python -m {module}" in result.stdout and not result.stderr


def test_predict_names_skips_and_counts_a_non_image(crop_folder):
    (crop_folder / "1-zz.jpg").write_text("not an image")
    result = run_module("plate_ocr.inference.reader", f"images={crop_folder}")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 2  # the two readable crops were read
    assert result.stderr.splitlines() == [
        f"skipped: cannot decode image {crop_folder / '1-zz.jpg'}: not a JPEG, PNG or BMP image",
        "error: 1 of 3 images could not be read and were skipped (named above)",
    ]


def test_predict_bad_inputs(tmp_path, crop_folder, corrupt_checkpoint):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert exit_message(predict.main, f"images={empty}") == (
        f"error: image folder {empty} holds no .jpg/.jpeg/.png/.bmp files"
    )
    missing = tmp_path / "missing.onnx"
    assert exit_message(predict.main, f"ckpt={missing}", f"images={crop_folder}").startswith(
        f"error: model not found: {missing}"
    )
    corrupt_onnx = tmp_path / "corrupt.onnx"
    corrupt_onnx.write_bytes(b"not a protobuf")
    assert exit_message(predict.main, f"ckpt={corrupt_onnx}", f"images={crop_folder}") == (
        f"error: cannot load ONNX model {corrupt_onnx}: truncated, corrupt or not an ONNX file "
        "(InvalidProtobuf)"
    )
    assert exit_message(predict.main, f"ckpt={corrupt_checkpoint}", f"images={crop_folder}") == (
        f"error: cannot read checkpoint {corrupt_checkpoint}: {CORRUPT_CHECKPOINT} (RuntimeError)"
    )
    assert "unexpected argument 'image=x'" in exit_message(predict.main, "image=x")


def test_export_bad_inputs(tmp_path, corrupt_checkpoint):
    out = f"out={tmp_path / 'model.onnx'}"
    assert exit_message(export.main, f"ckpt={tmp_path / 'none.ckpt'}", out) == (
        f"error: checkpoint not found: {tmp_path / 'none.ckpt'}"
    )
    assert CORRUPT_CHECKPOINT in exit_message(export.main, f"ckpt={corrupt_checkpoint}", out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no" in exit_message(export.main, out, "precision=int8", f"calibration={empty}")


def test_evaluate_says_what_is_wrong_with_a_corrupt_checkpoint(tmp_path, corrupt_checkpoint):
    result = subprocess.run(
        [sys.executable, "evaluate.py", f"ckpt={corrupt_checkpoint}", f"hydra.run.dir={tmp_path}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: cannot read checkpoint {corrupt_checkpoint}: {CORRUPT_CHECKPOINT} (RuntimeError)"
    )


@pytest.mark.slow
def test_export_without_ckpt_exports_the_bundled_model(tmp_path, capsys):
    export.main([f"out={tmp_path / 'bundled.onnx'}", "plates=4"])
    assert "identical greedy readings 4/4" in capsys.readouterr().out
