"""The `plate-ocr` command as users run it: every subcommand listed and described by `--help`, the Hydra
entry points forwarded, and one line on stderr with exit status 1 for every bad input, never a traceback."""

import subprocess
import sys

import cv2
import pytest

from plate_ocr.cli.main import COMMANDS, FORWARDED, main
from plate_ocr.inference.export import synthetic_crops
from tests.conftest import PROJECT_ROOT

CORRUPT_CHECKPOINT = (
    "truncated, corrupt, not written by torch.save, or holding objects other than plain values"
)


def run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "plate_ocr.cli.main", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def exit_message(*args: str) -> str:
    """The message `plate-ocr ARGS` exits with, checked to be a single `error:` line."""
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


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    printed = capsys.readouterr().out
    assert all(name in printed for name in [*COMMANDS, *FORWARDED])


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_describes_itself(command, capsys):
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"usage: plate-ocr {command}") and len(printed.splitlines()) > 6


def test_a_usage_error_exits_2_naming_the_option(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["predict", "crops/", "--format", "csv"])
    assert exited.value.code == 2
    assert "argument --format: invalid choice: 'csv'" in capsys.readouterr().err


@pytest.mark.slow
def test_the_command_runs_as_a_module_and_forwards_to_evaluate(tmp_path):
    result = run_command("--help")
    assert result.returncode == 0 and "loader-bench" in result.stdout and not result.stderr
    result = run_command("evaluate", "ckpt=nowhere.ckpt", f"hydra.run.dir={tmp_path}")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "error: checkpoint not found: nowhere.ckpt"


def test_predict_names_skips_and_counts_a_non_image(crop_folder):
    (crop_folder / "1-zz.jpg").write_text("not an image")
    result = run_command("predict", str(crop_folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 2  # the two readable crops were read
    assert result.stderr.splitlines() == [
        f"skipped: cannot decode image {crop_folder / '1-zz.jpg'}: not a JPEG, PNG or BMP image",
        "error: 1 of 3 images could not be read and were skipped (named above)",
    ]


def test_predict_bad_inputs(tmp_path, crop_folder, corrupt_checkpoint):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert exit_message("predict", str(empty)) == (
        f"error: image folder {empty} holds no .jpg/.jpeg/.png/.bmp files"
    )
    assert exit_message("predict", str(tmp_path / "*.jpg")) == (
        f"error: no images (.jpg, .jpeg, .png, .bmp) match {tmp_path / '*.jpg'}"
    )
    missing = tmp_path / "missing.onnx"
    assert exit_message("predict", str(crop_folder), "--ckpt", str(missing)).startswith(
        f"error: model not found: {missing}"
    )
    corrupt_onnx = tmp_path / "corrupt.onnx"
    corrupt_onnx.write_bytes(b"not a protobuf")
    assert exit_message("predict", str(crop_folder), "--ckpt", str(corrupt_onnx)) == (
        f"error: cannot load ONNX model {corrupt_onnx}: truncated, corrupt or not an ONNX file "
        "(InvalidProtobuf)"
    )
    assert exit_message("predict", str(crop_folder), "--ckpt", str(corrupt_checkpoint)) == (
        f"error: cannot read checkpoint {corrupt_checkpoint}: {CORRUPT_CHECKPOINT} (RuntimeError)"
    )
    assert exit_message("predict", str(crop_folder), "--ckpt", str(corrupt_onnx), "--backend", "torch") == (
        f"error: backend torch cannot read {corrupt_onnx}: torch reads checkpoints, onnx reads .onnx files"
    )


def test_export_bad_inputs(tmp_path, corrupt_checkpoint):
    out = ["--out", str(tmp_path / "model.onnx")]
    assert exit_message("export", "--ckpt", str(tmp_path / "none.ckpt"), *out) == (
        f"error: checkpoint not found: {tmp_path / 'none.ckpt'}"
    )
    assert CORRUPT_CHECKPOINT in exit_message("export", "--ckpt", str(corrupt_checkpoint), *out)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "holds no" in exit_message("export", *out, "--precision", "int8", "--calibration", str(empty))


def test_checkpoint_tools_say_what_is_wrong(tmp_path, corrupt_checkpoint):
    out = ["--out", str(tmp_path / "x.ckpt")]
    assert CORRUPT_CHECKPOINT in exit_message("bundle", str(corrupt_checkpoint), *out)
    assert "at least two" in exit_message("soup", "bundled", *out)
    assert "conv stages, got 2" in exit_message("widen", "bundled", *out, "--channels", "64,64")


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
    main(["export", "--out", str(tmp_path / "bundled.onnx"), "--plates", "4"])
    assert "identical greedy readings 4/4" in capsys.readouterr().out
