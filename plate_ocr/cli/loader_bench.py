"""`plate-ocr loader-bench [OVERRIDE ...]`: the arguments of plate_ocr.tools.loader_bench."""

from __future__ import annotations

import argparse

from plate_ocr.tools import loader_bench


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = loader_bench.__doc__
    parser.add_argument(
        "overrides", nargs="*", metavar="OVERRIDE", help="as for train.py, e.g. data=ccpd_crops data.root=DIR"
    )
    parser.add_argument("--max-batches", type=int, help="stop after this many batches (default: one epoch)")


def run(args: argparse.Namespace) -> None:
    result = loader_bench.measure(args.overrides, args.max_batches)
    print(
        f"{result['images']} images in {result['seconds']:.1f} s: {result['images_per_second']:.0f} images/s"
    )
