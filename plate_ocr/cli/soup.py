"""`plate-ocr soup A.ckpt B.ckpt ... --out PATH`: the arguments of plate_ocr.tools.soup."""

from __future__ import annotations

import argparse
from pathlib import Path

from plate_ocr.tools import soup


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = soup.__doc__
    parser.add_argument(
        "checkpoints", nargs="+", metavar="CKPT", help="two or more checkpoints of one network"
    )
    parser.add_argument("--out", type=Path, required=True, help="the averaged checkpoint to write")


def run(args: argparse.Namespace) -> None:
    target = soup.soup(args.checkpoints, args.out)
    print(f"wrote {target}: the mean of {len(args.checkpoints)} checkpoints' weights")
