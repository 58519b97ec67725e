"""`plate-ocr widen CKPT --out PATH --channels C1,C2,...`: the arguments of plate_ocr.tools.widen."""

from __future__ import annotations

import argparse
from pathlib import Path

from plate_ocr.tools import widen


def widths(text: str) -> list[int]:
    """`32,64,128` as [32, 64, 128]."""
    try:
        return [int(width) for width in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not comma-separated whole numbers") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = widen.__doc__
    parser.add_argument("checkpoint", metavar="CKPT", help="a CRNN checkpoint (or `bundled`)")
    parser.add_argument("--out", type=Path, required=True, help="the widened checkpoint to write")
    parser.add_argument(
        "--channels",
        type=widths,
        required=True,
        help="output channels of each conv stage, e.g. 32,64,128,128,256",
    )
    parser.add_argument("--noise", type=float, default=0.01, help="noise on the copied filters (0.01)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the copies and their noise (0)")


def run(args: argparse.Namespace) -> None:
    target = widen.widen(args.checkpoint, args.out, args.channels, args.noise, args.seed)
    print(
        f"wrote {target}: conv channels {args.channels}; train on with `python train.py init_from={target}`"
    )
