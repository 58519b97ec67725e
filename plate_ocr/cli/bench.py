"""Speed and memory of inference (crnn_small, crnn_wide and crnn under PyTorch eager, ONNX Runtime and ONNX
Runtime int8, each configuration in a fresh process), decoding, and training steps of the project's data
pipeline against the seed notebook's. A full run writes BENCHMARKS.md in the repository root; --quick
(tiny repeat counts, seconds) only prints unless --out is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from plate_ocr.configs import CONF_DIR
from plate_ocr.tools.bench import MODELS
from plate_ocr.tools.bench_report import benchmark


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="tiny repeat counts: seconds, for tests")
    parser.add_argument(
        "--out", type=Path, help="where to write the table (default: BENCHMARKS.md, except with --quick)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="every configuration is measured once per round (3)"
    )
    parser.add_argument(
        "--models", nargs="+", choices=MODELS, default=list(MODELS), help="conf/model options"
    )


def run(args: argparse.Namespace) -> None:
    table = benchmark(tuple(args.models), args.quick, args.rounds)
    print(table)
    out = args.out or (None if args.quick else CONF_DIR.parent / "BENCHMARKS.md")
    if out:
        out.write_text(table, encoding="utf-8")
        print(f"wrote {out}")
