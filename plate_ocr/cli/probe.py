"""`plate-ocr probe DIR [--ckpt PATH]`: the arguments of plate_ocr.synth.probes.probe."""

from __future__ import annotations

import argparse

from plate_ocr.cli import config_groups
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.probes import probe


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = probe.__doc__
    parser.add_argument("folder", metavar="DIR", help="labelled crops named <n>-<plate>.jpg")
    parser.add_argument("--ckpt", help="the model to probe (default: the bundled model)")
    parser.add_argument("--batch-size", type=int, default=256, help="crops read at once (256)")
    parser.add_argument("--no-twins", dest="twins", action="store_false", help="skip the synthetic twins")
    config_groups.add_renderer_options(parser, "the twins")


def run(args: argparse.Namespace) -> None:
    renderer = None
    if args.twins:
        renderer = default_renderer(args.renderer, **config_groups.renderer_overrides(args))
    print(probe.probe_folder(args.folder, args.ckpt, args.batch_size, renderer))
