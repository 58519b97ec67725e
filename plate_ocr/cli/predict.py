"""Read the plate of each crop: a file, a folder of crops or a glob (quoted, or let the shell expand it).

Prints `file<TAB>plate<TAB>confidence` per image, or JSON lines with those keys. --ckpt is a checkpoint from
train.py or an .onnx file from `plate-ocr export` (the backend follows the suffix unless given); without
it the bundled model reads. An image that cannot be read is named on stderr and skipped; the others are
read, and the exit status is then 1.
"""

from __future__ import annotations

import argparse
import json
import sys

from plate_ocr.cli import config_groups
from plate_ocr.data.crops import IMAGE_SUFFIXES
from plate_ocr.decoding.registry import DECODERS
from plate_ocr.inference.reader import find_images, open_reader, read_files


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", metavar="IMAGES", help="crops: files, folders or globs")
    parser.add_argument("--ckpt", help="checkpoint or .onnx file (default: the bundled model)")
    parser.add_argument(
        "--format", choices=("tsv", "jsonl"), default="tsv", help="output rows (default: tsv)"
    )
    parser.add_argument("--backend", choices=("torch", "onnx"), help="default: from the model file's suffix")
    parser.add_argument("--decoding", choices=DECODERS, default="greedy", help="default: greedy")
    parser.add_argument(
        "--tta",
        choices=("none", *config_groups.options("tta")),
        default="none",
        help="conf/tta/; reframe: read each crop in 18 framings and keep the reading most agree on",
    )
    parser.add_argument("--batch-size", type=int, default=64, help="crops read at once (default: 64)")


def run(args: argparse.Namespace) -> None:
    files = [file for pattern in args.images for file in find_images(pattern)]
    if not files:
        raise FileNotFoundError(f"no images ({', '.join(IMAGE_SUFFIXES)}) match {' '.join(args.images)}")
    tta = None if args.tta == "none" else config_groups.instantiate("tta", args.tta)
    reader = open_reader(args.ckpt, args.backend, decoding=args.decoding, batch_size=args.batch_size, tta=tta)
    skipped = []

    def skip(error: Exception) -> None:
        print(f"skipped: {error}", file=sys.stderr)
        skipped.append(error)

    for path, decoded in read_files(reader, files, skip):
        if args.format == "tsv":
            print(f"{path}\t{decoded.text}\t{decoded.confidence:.4f}")
        else:
            row = {"file": str(path), "plate": decoded.text, "confidence": round(decoded.confidence, 4)}
            print(json.dumps(row, ensure_ascii=False))
    if skipped:
        sys.exit(
            f"error: {len(skipped)} of {len(files)} images could not be read and were skipped (named above)"
        )
