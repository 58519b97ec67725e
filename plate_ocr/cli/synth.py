"""Synthetic plates, drawn by a conf/renderer/ option (as `python train.py renderer=NAME` draws them).

plate-ocr synth --n 64 --grid grid.png              a preview grid with labels
plate-ocr synth --n 6 --grid types.png --per-type   a row of --n plates of each plate type
plate-ocr synth --out DIR --n 1000 [--type green]   labelled crops `<n>-<plate>.jpg`
plate-ocr synth --compare DIR --n 400               image statistics: DIR's crops vs synthetic ones
plate-ocr synth --compare DIR --grid compare.png    ... and per province, real beside synthetic
plate-ocr synth --compare DIR --means means.png     per province, the crops' registered mean beside
                                                    their synthetic twins' (synth/probes/glyph_means.py)
plate-ocr synth --shard DIR --n 1000000             a shard to train on with data=shard

--out and --compare run on one core (OpenCV single-threaded, as in a loader worker); --out prints
plates/s per core, --shard plates/s with its --workers processes (default: one per core).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2

from plate_ocr.cli import config_groups
from plate_ocr.configs import default_image_size
from plate_ocr.data.shard import write_shard
from plate_ocr.plate_format import PLATE_TYPES
from plate_ocr.synth.config import default_renderer, renderer_config
from plate_ocr.synth.probes import previews


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--n", type=int, default=64, help="how many plates (64)")
    parser.add_argument("--grid", type=Path, help="write a preview grid PNG here")
    parser.add_argument(
        "--per-type", action="store_true", help="with --grid: a row of --n plates of each plate type"
    )
    parser.add_argument("--out", type=Path, help="write labelled crops into this folder")
    parser.add_argument("--compare", type=Path, help="compare image statistics with this folder of crops")
    parser.add_argument(
        "--means", type=Path, help="with --compare: write each province's registered means here"
    )
    parser.add_argument("--shard", type=Path, help="render into a shard folder (one memory-mapped array)")
    parser.add_argument("--workers", type=int, default=0, help="processes for --shard (0: one per core)")
    parser.add_argument("--seed", type=int, default=0, help="plate i is drawn from the seed [seed, i] (0)")
    config_groups.add_renderer_options(parser)
    parser.add_argument(
        "--type", choices=list(PLATE_TYPES), help="only this plate type (default: the renderer's mix)"
    )
    parser.add_argument(
        "--image-size",
        type=int,
        nargs=2,
        metavar=("H", "W"),
        help="the shard's and province grid's network input (default: the default model config's)",
    )
    parser.set_defaults(parser=parser)


def run(args: argparse.Namespace) -> None:
    if args.means and not args.compare:
        args.parser.error("--means needs --compare DIR, the labelled crops to average")
    if not (args.grid or args.out or args.compare or args.shard):
        args.parser.error("give --grid PATH, --out DIR, --compare DIR or --shard DIR")
    cv2.setNumThreads(1)
    overrides = config_groups.renderer_overrides(args)
    if args.type:
        overrides["plate_types"] = {args.type: 1.0}
    renderer = default_renderer(args.renderer, **overrides)
    image_size = tuple(args.image_size) if args.image_size else default_image_size()
    if args.means:
        lines = previews.write_province_means(args.compare, args.means, renderer, args.seed)
        print("\n".join(lines) + f"\nwrote the registered means of each province to {args.means}")
        return
    if args.per_type and not args.grid:
        args.parser.error("--per-type needs --grid PATH")
    if args.grid and args.per_type:
        previews.write_type_grid(args.renderer, overrides, args.n, args.grid, args.seed)
        print(f"wrote {args.n} plates of each of the {len(PLATE_TYPES)} plate types to {args.grid}")
    elif args.grid and args.compare:
        previews.write_province_grid(args.compare, args.grid, image_size, 4, args.seed, args.renderer)
        print(f"wrote real and synthetic plates of each province in {args.compare} to {args.grid}")
    elif args.grid:
        previews.write_grid(renderer, args.n, args.grid, args.seed)
        print(f"wrote a grid of {args.n} plates to {args.grid}")
    if args.compare:
        print(previews.compare_with(renderer, args.n, args.compare, args.seed))
    if args.out:
        start = time.perf_counter()
        previews.write_crops(renderer, args.n, args.out, args.seed)
        seconds = time.perf_counter() - start
        rate = args.n / seconds
        print(f"wrote {args.n} crops to {args.out} in {seconds:.1f} s: {rate:.0f} plates/s on one core")
    if args.shard:
        start = time.perf_counter()
        config = renderer_config(args.renderer, **overrides)
        write_shard(config, args.n, args.shard, image_size, args.seed, args.workers)
        seconds = time.perf_counter() - start
        rate = args.n / seconds
        print(f"wrote a shard of {args.n} plates to {args.shard} in {seconds:.1f} s: {rate:.0f} plates/s")
