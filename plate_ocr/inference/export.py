"""Export a checkpoint's network to ONNX, and compare ONNX Runtime with PyTorch on plates (the
`plate-ocr export` command is plate_ocr.cli.export).

int8 quantizes the network (about 1.3x the float throughput on a 2-core AVX2 CPU), calibrated on given
crops or else on 256 synthetic plates. A file matches its checkpoint when logits differ by at most
TOLERANCE and at least MIN_AGREEMENT of the greedy readings are identical (both per precision).

The file takes input "images" (N, 1, H, W), normalised by plate_ocr.preprocess, and gives "logits"
(N, T, C), with a dynamic batch axis. Its metadata_props hold, as JSON strings, what a reader needs
without the checkpoint: alphabet, plate_lengths, image_size, pixel_mean, pixel_std, net (the config) and
precision.
"""

from __future__ import annotations

import json
import logging
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import onnx
import torch
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from plate_ocr.checkpoints import load_recognizer
from plate_ocr.data.crops import label_from_filename, read_image
from plate_ocr.decoding.greedy import greedy_decode
from plate_ocr.inference.reader import PlateReader, find_images
from plate_ocr.preprocess import PIXEL_MEAN, PIXEL_STD, preprocess_batch
from plate_ocr.system import PlateRecognizer

OPSET = 17
PRECISIONS = ("fp32", "int8")
# Calibration images for int8 activation ranges, when the user gives none.
CALIBRATION_PLATES = 256
# What export checks ONNX Runtime's readings against: float32 on two runtimes differs by rounding only
# (about 1e-5 in practice); int8 moves logits by up to a few units and changes a few percent of readings,
# mostly on plates the float model itself reads with low confidence.
TOLERANCE = {"fp32": 1e-3, "int8": 5.0}
MIN_AGREEMENT = {"fp32": 1.0, "int8": 0.9}


def onnx_metadata(model: PlateRecognizer, precision: str) -> dict[str, str]:
    """The model's reading contract as JSON strings (ONNX metadata values are strings)."""
    values = {
        "alphabet": model.charset.alphabet,
        "plate_lengths": list(model.charset.plate_lengths),
        "image_size": list(model.image_size),
        "pixel_mean": PIXEL_MEAN,
        "pixel_std": PIXEL_STD,
        "net": model.hparams.net,
        "precision": precision,
    }
    return {key: json.dumps(value, ensure_ascii=False) for key, value in values.items()}


class ImageBatches(CalibrationDataReader):
    """Preprocessed (N, 1, H, W) images fed to ONNX Runtime's calibration in batches."""

    def __init__(self, images: np.ndarray, batch_size: int = 32) -> None:
        self._batches = iter(
            [{"images": images[i : i + batch_size]} for i in range(0, len(images), batch_size)]
        )

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._batches, None)


@contextmanager
def quiet_root_logger() -> Iterator[None]:
    """Errors only from the root logger, which ONNX Runtime's quantization tools warn through."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        yield
    finally:
        root.setLevel(level)


def quantize_int8(fp32_path: Path, out_path: Path, calibration: np.ndarray) -> None:
    """An int8 copy of an exported CRNN: convolutions with int8 weights and activations (per-channel
    weights; activation ranges calibrated on `calibration`, preprocessed images), LSTMs with int8 weights
    and activations quantized on the fly. Other layers stay float."""
    with tempfile.TemporaryDirectory() as folder:
        prepared, convs = Path(folder) / "prepared.onnx", Path(folder) / "convs.onnx"
        quant_pre_process(str(fp32_path), str(prepared))
        quantize_static(
            str(prepared),
            str(convs),
            ImageBatches(calibration),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            # 7-bit weights: AVX2's u8 x s8 multiply-add saturates 16-bit sums at full range
            # (without it, the first convolution's readings drift on a fifth of real plates)
            reduce_range=True,
            op_types_to_quantize=["Conv", "Relu", "MaxPool"],
        )
        # unsigned weights: ONNX Runtime's u8u8 LSTM kernel is the fast one on AVX2 CPUs. The quantizer
        # warns that the model "is already quantized": by design, its convolutions are.
        with quiet_root_logger():
            quantize_dynamic(
                str(convs), str(out_path), weight_type=QuantType.QUInt8, op_types_to_quantize=["LSTM"]
            )


def export_onnx(
    model: PlateRecognizer, path: str | Path, precision: str = "fp32", calibration: np.ndarray | None = None
) -> None:
    """Write `model.net` to `path` as ONNX with a dynamic batch axis and the reading metadata; `precision`
    int8 quantizes it (see quantize_int8), calibrated on `calibration` images or else on synthetic plates."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    height, width = model.image_size
    example = torch.zeros(2, 1, height, width)
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated but, unlike the dynamo one, needs no onnxscript; the
        # CRNN's input-height check is traced as a constant, which is right for a fixed image size.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model.net.eval(),
            (example,),
            str(path),
            input_names=["images"],
            output_names=["logits"],
            dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    if precision == "int8":
        if calibration is None:
            crops, _ = synthetic_crops(CALIBRATION_PLATES, seed=1)
            calibration = preprocess_batch(crops, model.image_size).numpy()
        quantize_int8(Path(path), Path(path), calibration)
    proto = onnx.load(str(path))
    for key, value in onnx_metadata(model, precision).items():
        proto.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))


def export_checkpoint(
    checkpoint: str | Path | None, out: Path, precision: str = "fp32", calibration: str | None = None
) -> Path:
    """Export `checkpoint` (the bundled model when None) to `out`; int8 is calibrated on the crops matching
    `calibration`, or else on synthetic plates."""
    model = load_recognizer(checkpoint)
    images = None
    if calibration:
        crops, _ = read_crops(calibration, "calibration")
        images = preprocess_batch(crops, model.image_size).numpy()
    out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out, precision, images)
    return out


def synthetic_crops(count: int, seed: int = 0) -> tuple[list[np.ndarray], list[str]]:
    """`count` plates of the default renderer (conf/renderer/plates.yaml) as the reader reads them, and
    their labels; the same plates for the same seed."""
    from plate_ocr.data.synth_plates import SynthPlates
    from plate_ocr.synth.config import default_renderer

    plates = SynthPlates(count, default_renderer(), seed=seed)
    samples = [plates[i] for i in range(count)]
    return [s.image for s in samples], [s.record.label for s in samples]


def read_crops(pattern: str, purpose: str) -> tuple[list[np.ndarray], list[str]]:
    """The crops matching `pattern`, decoded as the data sources decode them, with the labels in their
    file names; FileNotFoundError, naming `purpose`, when none match."""
    files = find_images(pattern)
    if not files:
        raise FileNotFoundError(f"no {purpose} crops match {pattern}")
    return [read_image(f, gray=True) for f in files], [label_from_filename(f) for f in files]


def validation_crops(pattern: str | None, plates: int) -> tuple[list[np.ndarray], list[str], str]:
    """The crops to compare the runtimes on: files matching `pattern` (labels from their names), or else
    `plates` synthetic plates; with a description for the report."""
    if pattern:
        return (*read_crops(pattern, "validation"), pattern)
    crops, labels = synthetic_crops(plates)
    return crops, labels, "synthetic plates"


def compare(
    checkpoint: str | Path, onnx_path: str | Path, crops: Sequence[np.ndarray], labels: Sequence[str]
) -> dict:
    """PyTorch vs ONNX Runtime on `crops`: the largest logit difference, how many greedy readings agree,
    and each runtime's exact-plate accuracy against `labels`."""
    torch_reader = PlateReader.from_checkpoint(checkpoint, batch_size=256)
    onnx_reader = PlateReader.from_onnx(onnx_path, batch_size=256)
    torch_logits, onnx_logits = torch_reader.logits(crops), onnx_reader.logits(crops)
    charset = torch_reader.charset
    torch_texts = [d.text for d in greedy_decode(torch_logits, charset)]
    onnx_texts = [d.text for d in greedy_decode(onnx_logits, charset)]
    return {
        "plates": len(crops),
        "max_abs_diff": float((torch_logits - onnx_logits).abs().max()),
        "same_text": sum(a == b for a, b in zip(torch_texts, onnx_texts)),
        "torch_accuracy": float(np.mean([t == label for t, label in zip(torch_texts, labels)])),
        "onnx_accuracy": float(np.mean([t == label for t, label in zip(onnx_texts, labels)])),
    }
