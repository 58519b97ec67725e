"""Export a checkpoint (default: the bundled model) to ONNX with a dynamic batch axis, then check the file:
ONNX Runtime and PyTorch read the --crops (labelled by file name, so accuracy is reported too) or else
--plates synthetic plates, and the export fails when logits differ by more than --tolerance or fewer than
--min-agreement of the readings are identical (defaults per precision: fp32 1e-3 and every reading, int8
5 and 90%).

int8 quantizes the network (about 1.3x the float throughput on a 2-core AVX2 CPU), calibrated on the
--calibration crops or else on 256 synthetic plates. The file carries the alphabet and preprocessing in
its metadata: `plate-ocr predict --ckpt model.onnx` and PlateReader.from_onnx need no checkpoint.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from plate_ocr.inference.export import (
    MIN_AGREEMENT,
    OPSET,
    PRECISIONS,
    TOLERANCE,
    compare,
    export_checkpoint,
    validation_crops,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ckpt", help="a train.py checkpoint (default: the bundled model)")
    parser.add_argument("--out", type=Path, default=Path("model.onnx"), help="default: model.onnx")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32", help="default: fp32")
    parser.add_argument(
        "--calibration", metavar="CROPS", help="int8: calibrate on these crops (folder or glob)"
    )
    parser.add_argument("--crops", help="check on these labelled crops (folder or glob)")
    parser.add_argument("--plates", type=int, default=64, help="else on this many synthetic plates (64)")
    parser.add_argument("--tolerance", type=float, help="largest |logit difference| allowed")
    parser.add_argument("--min-agreement", type=float, help="least share of identical readings")


def run(args: argparse.Namespace) -> None:
    out = export_checkpoint(args.ckpt, args.out, args.precision, args.calibration)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, {args.precision}, opset {OPSET}, dynamic batch)")
    crops, labels, described = validation_crops(args.crops, args.plates)
    result = compare(args.ckpt, out, crops, labels)
    tolerance = TOLERANCE[args.precision] if args.tolerance is None else args.tolerance
    min_agreement = MIN_AGREEMENT[args.precision] if args.min_agreement is None else args.min_agreement
    print(
        f"onnxruntime vs PyTorch on {result['plates']} crops ({described}): max |logit diff| "
        f"{result['max_abs_diff']:.2e} (tolerance {tolerance:.0e}); identical greedy readings "
        f"{result['same_text']}/{result['plates']} (at least {min_agreement:.0%} required); exact-plate "
        f"accuracy {result['onnx_accuracy']:.3f} (PyTorch {result['torch_accuracy']:.3f})"
    )
    if result["max_abs_diff"] > tolerance or result["same_text"] / result["plates"] < min_agreement:
        sys.exit(f"error: {out} does not match the checkpoint within the tolerances above")
