"""`plate-ocr probe DIR [--ckpt PATH]`: the arguments of plate_ocr.synth.probes.probe."""

from __future__ import annotations

import argparse

from plate_ocr.cli import config_groups
from plate_ocr.synth.config import DEFAULT_RENDERER, default_renderer
from plate_ocr.synth.probes import probe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = probe.__doc__
    parser.add_argument("folder", metavar="DIR", help="labelled crops named <n>-<plate>.jpg")
    parser.add_argument("--ckpt", help="the model to probe (default: the bundled model)")
    parser.add_argument("--batch-size", type=int, default=256, help="crops read at once (256)")
    parser.add_argument("--no-twins", dest="twins", action="store_false", help="skip the synthetic twins")
    parser.add_argument(
        "--renderer",
        choices=config_groups.options("renderer"),
        default=DEFAULT_RENDERER,
        help=f"conf/renderer/ option that draws the twins (default: {DEFAULT_RENDERER})",
    )
    parser.add_argument(
        "--faces", help="Chinese faces of the twins' hanzi, comma-separated (default: the renderer's)"
    )


def run(args: argparse.Namespace) -> None:
    renderer = None
    if args.twins:
        faces = {"chinese_faces": args.faces.split(",")} if args.faces else {}
        renderer = default_renderer(args.renderer, **faces)
    print(probe.probe_folder(args.folder, args.ckpt, args.batch_size, renderer))
