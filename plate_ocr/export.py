"""Export a checkpoint's network to ONNX, then check ONNX Runtime against PyTorch on synthetic plates.

python -m plate_ocr.export ckpt=PATH out=model.onnx [plates=64] [tolerance=1e-3]

The file takes input "images" (N, 1, H, W), normalised by plate_ocr.preprocess, and gives "logits"
(N, T, C), with a dynamic batch axis. Its metadata_props hold, as JSON strings, what a reader needs
without the checkpoint: alphabet, plate_lengths, image_size, pixel_mean, pixel_std and net (the config).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
import torch

from plate_ocr.checkpoints import load_recognizer
from plate_ocr.decoding import greedy_decode
from plate_ocr.predict import PlateReader, parse_key_values
from plate_ocr.preprocess import PIXEL_MEAN, PIXEL_STD
from plate_ocr.system import PlateRecognizer

OPSET = 17
# float32 LSTMs on two runtimes differ by rounding only: about 1e-5 in practice.
TOLERANCE = 1e-3


def onnx_metadata(model: PlateRecognizer) -> dict[str, str]:
    """The model's reading contract as JSON strings (ONNX metadata values are strings)."""
    values = {
        "alphabet": model.charset.alphabet,
        "plate_lengths": list(model.charset.plate_lengths),
        "image_size": list(model.image_size),
        "pixel_mean": PIXEL_MEAN,
        "pixel_std": PIXEL_STD,
        "net": model.hparams.net,
    }
    return {key: json.dumps(value, ensure_ascii=False) for key, value in values.items()}


def export_onnx(model: PlateRecognizer, path: str | Path) -> None:
    """Write `model.net` to `path` as ONNX with a dynamic batch axis and the reading metadata."""
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
    proto = onnx.load(str(path))
    for key, value in onnx_metadata(model).items():
        proto.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(proto)
    onnx.save(proto, str(path))


def synthetic_crops(count: int, seed: int = 0) -> tuple[list[np.ndarray], list[str]]:
    """`count` rendered plates (RGB crops) and their labels, the same for every seed."""
    from plate_ocr.data.synth import PlateRenderer, SynthPlates

    plates = SynthPlates(count, PlateRenderer(), seed=seed)
    samples = [plates[i] for i in range(count)]
    return [s.image for s in samples], [s.record.label for s in samples]


def compare(checkpoint: str | Path, onnx_path: str | Path, plates: int = 64) -> dict:
    """PyTorch vs ONNX Runtime on `plates` synthetic crops in one batch: the largest logit difference and
    how many greedy readings agree."""
    crops, _ = synthetic_crops(plates)
    torch_reader = PlateReader.from_checkpoint(checkpoint, batch_size=plates)
    onnx_reader = PlateReader.from_onnx(onnx_path, batch_size=plates)
    torch_logits, onnx_logits = torch_reader.logits(crops), onnx_reader.logits(crops)
    charset = torch_reader.charset
    torch_texts = [d.text for d in greedy_decode(torch_logits, charset)]
    onnx_texts = [d.text for d in greedy_decode(onnx_logits, charset)]
    return {
        "plates": plates,
        "max_abs_diff": float((torch_logits - onnx_logits).abs().max()),
        "same_text": sum(a == b for a, b in zip(torch_texts, onnx_texts)),
        "examples": list(zip(torch_texts, onnx_texts))[:3],
    }


USAGE = "python -m plate_ocr.export ckpt=PATH out=model.onnx [plates=64] [tolerance=1e-3]"


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_key_values(
        sys.argv[1:] if argv is None else argv,
        {"ckpt": None, "out": None, "plates": "64", "tolerance": str(TOLERANCE)},
        USAGE,
    )
    if not args["ckpt"] or not args["out"]:
        sys.exit(f"pass ckpt=PATH and out=FILE.onnx\nusage: {USAGE}")
    out = Path(args["out"])
    out.parent.mkdir(parents=True, exist_ok=True)
    export_onnx(load_recognizer(args["ckpt"]), out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, opset {OPSET}, dynamic batch)")

    result = compare(args["ckpt"], out, int(args["plates"]))
    tolerance = float(args["tolerance"])
    print(
        f"onnxruntime vs PyTorch on {result['plates']} synthetic plates: max |logit diff| "
        f"{result['max_abs_diff']:.2e} (tolerance {tolerance:.0e}); identical greedy readings "
        f"{result['same_text']}/{result['plates']}, e.g. {result['examples']}"
    )
    if result["max_abs_diff"] > tolerance or result["same_text"] != result["plates"]:
        sys.exit(f"{out} does not match the checkpoint within tolerance {tolerance:.0e}")


if __name__ == "__main__":
    main()
