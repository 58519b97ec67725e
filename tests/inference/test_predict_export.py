"""Reading crops (CLI and API), ONNX export round trip and the benchmark, on a tiny trained checkpoint."""

import json
import subprocess
import sys

import cv2
import numpy as np
import onnx
import pytest

from plate_ocr.cli.main import main
from plate_ocr.decoding.grammar import plate_automaton
from plate_ocr.inference.export import TOLERANCE, synthetic_crops
from plate_ocr.inference.reader import PlateReader
from plate_ocr.plate_format import DEFAULT_ALPHABET
from tests.conftest import PROJECT_ROOT, TINY_SYNTH, run_entry

pytestmark = pytest.mark.slow


def command(*args: object) -> None:
    """`plate-ocr ARGS`, run in this process."""
    main([str(arg) for arg in args])


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("train")
    run_entry("train.py", "debug=limit", *TINY_SYNTH, f"hydra.run.dir={run_dir}")
    return run_dir / "checkpoints" / "last.ckpt"


@pytest.fixture(scope="module")
def crops():
    return synthetic_crops(5)


@pytest.fixture
def crop_folder(tmp_path, crops):
    for number, (image, label) in enumerate(zip(*crops)):
        _, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        data.tofile(str(tmp_path / f"{number}-{label}.jpg"))
    return tmp_path


def test_predict_cli_prints_tsv(checkpoint, crop_folder):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "plate_ocr.cli.main",
            "predict",
            f"{crop_folder}/*.jpg",
            "--ckpt",
            str(checkpoint),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert [row[0] for row in rows] == [str(p) for p in sorted(crop_folder.glob("*.jpg"))]
    assert all(len(row) == 3 and 0 <= float(row[2]) <= 1 for row in rows)


def test_predict_jsonl_with_grammar_reads_valid_plates(checkpoint, crop_folder, capsys):
    command(
        "predict",
        crop_folder,
        "--ckpt",
        checkpoint,
        "--format",
        "jsonl",
        "--decoding",
        "grammar",
        "--batch-size",
        "2",
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 5
    automaton = plate_automaton(*_charset_key(checkpoint))
    assert all(automaton.accepts(row["plate"]) for row in rows)


def _charset_key(checkpoint):
    charset = PlateReader.from_checkpoint(checkpoint).charset
    return charset.alphabet, charset.plate_lengths


def test_predict_with_tta_reads_every_crop_and_names_bad_options(checkpoint, crop_folder, capsys):
    command("predict", crop_folder, "--ckpt", checkpoint, "--format", "jsonl", "--tta", "reframe")
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["file"] for row in rows] == [str(p) for p in sorted(crop_folder.glob("*.jpg"))]
    assert all(0 <= row["confidence"] <= 1 for row in rows)
    with pytest.raises(SystemExit):
        command("predict", crop_folder, "--ckpt", checkpoint, "--tta", "yes")
    assert "argument --tta: invalid choice: 'yes'" in capsys.readouterr().err


def test_predict_without_a_model_says_which_models_it_reads(monkeypatch, tmp_path, crop_folder):
    monkeypatch.setattr("plate_ocr.checkpoints.BUNDLED_CHECKPOINT", tmp_path / "none.ckpt")
    with pytest.raises(SystemExit, match=r"model not found: .* a checkpoint from train.py or an .onnx"):
        command("predict", crop_folder)


def test_plate_reader_reads_arrays_paths_and_grayscale_alike(checkpoint, crops, crop_folder):
    images, _ = crops
    reader = PlateReader.from_checkpoint(checkpoint, decoding="grammar", batch_size=2)
    from_arrays = reader.read(images)
    assert len(from_arrays) == 5
    grays = [cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) for image in images]
    assert reader.read(grays) == from_arrays
    assert len(reader.read(sorted(crop_folder.glob("*.jpg")))) == 5
    with pytest.raises(ValueError, match="uint8"):
        reader.read([images[0].astype(np.float32)])


def test_export_round_trip_matches_pytorch(checkpoint, crops, tmp_path, capsys):
    out = tmp_path / "model.onnx"
    command("export", "--ckpt", checkpoint, "--out", out, "--plates", "8")
    assert "max |logit diff|" in capsys.readouterr().out
    metadata = {p.key: json.loads(p.value) for p in onnx.load(str(out)).metadata_props}
    assert metadata["image_size"] == [32, 128] and metadata["precision"] == "fp32"
    assert metadata["alphabet"] == DEFAULT_ALPHABET
    assert metadata["net"]["_target_"] == "plate_ocr.models.crnn.CRNN"

    images, _ = crops
    torch_reader = PlateReader.from_checkpoint(checkpoint, decoding="grammar")
    onnx_reader = PlateReader.from_onnx(out, decoding="grammar")
    assert (
        np.abs((torch_reader.logits(images) - onnx_reader.logits(images)).numpy()).max() < TOLERANCE["fp32"]
    )
    for a, b in zip(torch_reader.read(images), onnx_reader.read(images)):
        assert a.text == b.text
        assert a.confidence == pytest.approx(b.confidence, rel=1e-3)


def test_int8_export_of_the_bundled_model_reads_like_pytorch(tmp_path, crop_folder, capsys):
    from plate_ocr.checkpoints import BUNDLED_CHECKPOINT

    out = tmp_path / "int8.onnx"
    # the check itself fails the export (SystemExit) when readings or logits drift past the int8 defaults
    command("export", "--ckpt", BUNDLED_CHECKPOINT, "--out", out, "--precision", "int8", "--plates", "64")
    assert "identical greedy readings" in capsys.readouterr().out
    proto = onnx.load(str(out))
    metadata = {p.key: p.value for p in proto.metadata_props}  # the quantizer adds tags of its own
    assert json.loads(metadata["precision"]) == "int8" and json.loads(metadata["image_size"]) == [32, 128]
    ops = {node.op_type for node in proto.graph.node}
    assert {"QuantizeLinear", "DynamicQuantizeLSTM"} <= ops and "LSTM" not in ops

    # On five crops one changed reading is 20%: the agreement check above, on 64 plates, is the real one.
    command(
        "export",
        "--ckpt",
        BUNDLED_CHECKPOINT,
        "--out",
        out,
        "--precision",
        "int8",
        "--crops",
        crop_folder,
        "--min-agreement",
        "0.8",
    )
    report = capsys.readouterr().out
    assert f"on 5 crops ({crop_folder})" in report and "exact-plate accuracy" in report


def test_export_fails_when_readings_differ(checkpoint, tmp_path):
    with pytest.raises(SystemExit, match="does not match"):
        command(
            "export",
            "--ckpt",
            checkpoint,
            "--out",
            tmp_path / "m.onnx",
            "--plates",
            "8",
            "--tolerance",
            "1e-12",
        )


def test_bench_quick_writes_its_table(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    command("bench", "--quick", "--models", "crnn_small", "--out", out)
    table = out.read_text(encoding="utf-8")
    for heading in (
        "## Inference",
        "## Decoding",
        "## Training steps",
        "| crnn_small | ONNX Runtime |",
        "seed notebook",
    ):
        assert heading in table
