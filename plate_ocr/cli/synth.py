"""Synthetic plates from the command line.

python -m plate_ocr.cli.synth --n 64 --grid grid.png            # a preview grid with labels
python -m plate_ocr.cli.synth --out DIR --n 1000 [--type green]  # labelled crops `<n>-<plate>.jpg`
python -m plate_ocr.cli.synth --compare DIR --n 400              # image statistics: DIR's crops vs synthetic
python -m plate_ocr.cli.synth --compare DIR --grid compare.png   # ... and per province, real beside synthetic
python -m plate_ocr.cli.synth --compare DIR --means means.png    # per province, the crops' registered mean
                                                             # beside their synthetic twins' (glyph_means)
python -m plate_ocr.cli.synth --shard DIR --n 1000000 [--workers W]  # a shard to train on with data=shard

--out and --compare run on one core (OpenCV single-threaded, as in a loader worker); --out prints
plates/s per core, --shard plates/s with its W processes (default: one per core).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from plate_ocr.data.crops import image_files, label_from_filename, read_image
from plate_ocr.data.shard import write_shard
from plate_ocr.evaluation.visualize import image_grid
from plate_ocr.preprocess import to_model_size
from plate_ocr.synth.labels import PLATE_TYPES
from plate_ocr.synth.probes.crop_stats import format_comparison, spread
from plate_ocr.synth.probes.glyph_means import MIN_CROPS, province_means, to_pixels
from plate_ocr.synth.renderer import PlateRenderer

MODEL_INPUT = (32, 128)  # the input size of every shipped model config (model.image_size)


def rendered(renderer: PlateRenderer, count: int, seed: int) -> Iterator[tuple[np.ndarray, str, str]]:
    """`count` (RGB crop, label, plate type); plate i is drawn from the seed [seed, i]."""
    return (renderer.render(np.random.default_rng([seed, index])) for index in range(count))


def write_crops(renderer: PlateRenderer, count: int, out: Path, seed: int) -> None:
    """Write `count` crops named the CCPD2019-dl1 way; tofile keeps Chinese file names working on every OS."""
    out.mkdir(parents=True, exist_ok=True)
    for index, (image, label, _) in enumerate(rendered(renderer, count, seed)):
        _, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
        data.tofile(out / f"{index:04d}-{label}.jpg")


def write_grid(renderer: PlateRenderer, count: int, path: Path, seed: int) -> None:
    """A preview grid of `count` plates, each captioned with its label and type."""
    plates = list(rendered(renderer, count, seed))
    captions = [f"{label} ({plate_type})" for _, label, plate_type in plates]
    grid = image_grid([image for image, _, _ in plates], captions, columns=8, cell_width=192)
    Image.fromarray(grid).save(path)


def compare_with(renderer: PlateRenderer, count: int, folder: Path, seed: int) -> str:
    """A table of brightness, contrast, saturation and sharpness: the crops in `folder` against `count`
    synthetic ones. Where the columns differ, the camera ranges in the config have something to fix."""
    real = spread(read_image(path) for path in image_files(folder))
    synthetic = spread(image for image, _, _ in rendered(renderer, count, seed))
    return format_comparison({folder.name: real, "synthetic": synthetic})


def write_province_grid(folder: Path, path: Path, per_row: int, seed: int) -> None:
    """For each province among the labelled crops in `folder`: a row of `per_row` real crops, then
    `per_row` synthetic plates of that province, as the network sees them (grayscale, its input size)."""
    by_province: dict[str, list[Path]] = {}
    for file in image_files(folder):
        by_province.setdefault(label_from_filename(file)[0], []).append(file)
    images, captions = [], []
    for province, files in sorted(by_province.items(), key=lambda item: -len(item[1])):
        real = [(read_image(file), label_from_filename(file)) for file in files[:per_row]]
        synthetic = rendered(PlateRenderer(provinces={province: 1.0}), per_row, seed)
        for image, caption in real + [(image, f"synthetic {label}") for image, label, _ in synthetic]:
            images.append(to_model_size(image, MODEL_INPUT))
            captions.append(caption)
    Image.fromarray(image_grid(images, captions, columns=2 * per_row, cell_width=160)).save(path)


def write_province_means(folder: Path, path: Path, renderer: PlateRenderer, seed: int) -> list[str]:
    """For each province with MIN_CROPS or more labelled crops in `folder`: the registered mean of its crops
    beside that of their synthetic twins drawn by `renderer`. Returns a line per province."""
    files = image_files(folder)
    means = province_means(
        [label_from_filename(file) for file in files],
        [read_image(file) for file in files],
        renderer,
        seed=seed,
    )
    if not means:
        raise SystemExit(f"{folder}: no province has {MIN_CROPS} single-row crops to average")
    images, captions, lines = [], [], []
    for province, crops, held, real, synthetic in means:
        images += [to_pixels(real), to_pixels(synthetic)]
        captions += [f"{province}: mean of {held} of {crops} crops", f"{province}: their synthetic twins"]
        lines.append(f"{province}: {crops} crops, {held} in the mean")
    Image.fromarray(image_grid(images, captions, columns=2, cell_width=512)).save(path)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=64, help="how many plates")
    parser.add_argument("--grid", type=Path, help="write a preview grid PNG here")
    parser.add_argument("--out", type=Path, help="write labelled crops into this folder")
    parser.add_argument("--compare", type=Path, help="compare image statistics with this folder of crops")
    parser.add_argument("--shard", type=Path, help="render into a shard folder (one memory-mapped array)")
    parser.add_argument("--workers", type=int, default=0, help="processes for --shard (0: one per core)")
    parser.add_argument("--seed", type=int, default=0, help="plate i is drawn from the seed [seed, i]")
    parser.add_argument("--type", choices=PLATE_TYPES, help="only this plate type (default: the usual mix)")
    parser.add_argument(
        "--means", type=Path, help="with --compare: write each province's registered means here"
    )
    parser.add_argument(
        "--faces", help="Chinese faces to draw hanzi in, comma-separated (default: noto_sans)"
    )
    args = parser.parse_args(argv)
    if args.means and not args.compare:
        parser.error("--means needs --compare DIR, the labelled crops to average")
    if not (args.grid or args.out or args.compare or args.shard):
        parser.error("give --grid PATH, --out DIR, --compare DIR or --shard DIR")
    cv2.setNumThreads(1)
    faces = {"chinese_faces": args.faces.split(",")} if args.faces else {}
    try:
        renderer = PlateRenderer(plate_types={args.type: 1.0} if args.type else None, **faces)
    except ValueError as error:  # an unknown face names the known ones
        parser.error(str(error))
    if args.means:
        lines = write_province_means(args.compare, args.means, renderer, args.seed)
        print("\n".join(lines) + f"\nwrote the registered means of each province to {args.means}")
        return
    if args.grid and args.compare:
        write_province_grid(args.compare, args.grid, 4, args.seed)
        print(f"wrote real and synthetic plates of each province in {args.compare} to {args.grid}")
    elif args.grid:
        write_grid(renderer, args.n, args.grid, args.seed)
        print(f"wrote a grid of {args.n} plates to {args.grid}")
    if args.compare:
        print(compare_with(renderer, args.n, args.compare, args.seed))
    if args.out:
        start = time.perf_counter()
        write_crops(renderer, args.n, args.out, args.seed)
        seconds = time.perf_counter() - start
        print(
            f"wrote {args.n} crops to {args.out} in {seconds:.1f} s: "
            f"{args.n / seconds:.0f} plates/s on one core"
        )
    if args.shard:
        start = time.perf_counter()
        write_shard(renderer, args.n, args.shard, args.seed, args.workers, MODEL_INPUT)
        seconds = time.perf_counter() - start
        rate = args.n / seconds
        print(f"wrote a shard of {args.n} plates to {args.shard} in {seconds:.1f} s: {rate:.0f} plates/s")


if __name__ == "__main__":
    main()
