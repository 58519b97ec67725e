"""What the generator draws, set out for a person to look at or to measure: labelled crops on disk, preview
grids, image statistics and per-province means beside a folder of real crops (`plate-ocr synth`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from plate_ocr.data.crops import image_files, label_from_filename, read_image
from plate_ocr.evaluation.visualize import image_grid
from plate_ocr.plate_format import PLATE_TYPES
from plate_ocr.preprocess import to_model_size
from plate_ocr.synth.config import DEFAULT_RENDERER, default_renderer
from plate_ocr.synth.probes.crop_stats import format_comparison, spread
from plate_ocr.synth.probes.glyph_means import MIN_CROPS, province_means, to_pixels
from plate_ocr.synth.renderer import PlateRenderer


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


def write_type_grid(renderer: str, overrides: dict, per_row: int, path: Path, seed: int) -> None:
    """A preview grid with a row of `per_row` plates of each plate type (plate_ocr.plate_format.PLATE_TYPES),
    drawn by conf/renderer/`renderer` with `overrides`."""
    images, captions = [], []
    for plate_type in PLATE_TYPES:
        drawer = default_renderer(renderer, **{**overrides, "plate_types": {plate_type: 1.0}})
        for image, label, _ in rendered(drawer, per_row, seed):
            images.append(image)
            captions.append(f"{label} ({plate_type})")
    Image.fromarray(image_grid(images, captions, columns=per_row, cell_width=192)).save(path)


def compare_with(renderer: PlateRenderer, count: int, folder: Path, seed: int) -> str:
    """A table of brightness, contrast, saturation and sharpness: the crops in `folder` against `count`
    synthetic ones. Where the columns differ, the camera ranges in the config have something to fix."""
    real = spread(read_image(path) for path in image_files(folder))
    synthetic = spread(image for image, _, _ in rendered(renderer, count, seed))
    return format_comparison({folder.name: real, "synthetic": synthetic})


def write_province_grid(
    folder: Path,
    path: Path,
    image_size: tuple[int, int],
    per_row: int = 4,
    seed: int = 0,
    renderer: str = DEFAULT_RENDERER,
) -> None:
    """For each province among the labelled crops in `folder`: a row of `per_row` real crops, then
    `per_row` plates of that province drawn by conf/renderer/`renderer`, as the network sees them
    (grayscale, at its `image_size`)."""
    by_province: dict[str, list[Path]] = {}
    for file in image_files(folder):
        by_province.setdefault(label_from_filename(file)[0], []).append(file)
    images, captions = [], []
    for province, files in sorted(by_province.items(), key=lambda item: -len(item[1])):
        real = [(read_image(file), label_from_filename(file)) for file in files[:per_row]]
        synthetic = rendered(default_renderer(renderer, provinces={province: 1.0}), per_row, seed)
        for image, caption in real + [(image, f"synthetic {label}") for image, label, _ in synthetic]:
            images.append(to_model_size(image, image_size))
            captions.append(caption)
    Image.fromarray(image_grid(images, captions, columns=2 * per_row, cell_width=160)).save(path)


def write_province_means(folder: Path, path: Path, renderer: PlateRenderer, seed: int) -> list[str]:
    """For each province with MIN_CROPS or more labelled crops in `folder`: the registered mean of its crops
    beside that of their synthetic twins drawn by `renderer`. Returns a line per province; ValueError when
    no province has enough crops."""
    files = image_files(folder)
    means = province_means(
        [label_from_filename(file) for file in files],
        [read_image(file) for file in files],
        renderer,
        seed=seed,
    )
    if not means:
        raise ValueError(f"{folder}: no province has {MIN_CROPS} single-row crops to average")
    images, captions, lines = [], [], []
    for province, crops, held, real, synthetic in means:
        images += [to_pixels(real), to_pixels(synthetic)]
        captions += [f"{province}: mean of {held} of {crops} crops", f"{province}: their synthetic twins"]
        lines.append(f"{province}: {crops} crops, {held} in the mean")
    Image.fromarray(image_grid(images, captions, columns=2, cell_width=512)).save(path)
    return lines
