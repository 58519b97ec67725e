"""`plate-ocr bundle CKPT [--out PATH]`: the arguments of plate_ocr.tools.bundle."""

from __future__ import annotations

import argparse
from pathlib import Path

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT
from plate_ocr.tools import bundle


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = bundle.__doc__
    parser.add_argument("checkpoint", metavar="CKPT", help="e.g. logs/train/runs/<run>/checkpoints/last.ckpt")
    parser.add_argument(
        "--out", type=Path, default=BUNDLED_CHECKPOINT, help="default: the bundled model's own file, replaced"
    )


def run(args: argparse.Namespace) -> None:
    target = bundle.bundle(args.checkpoint, args.out)
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")
