"""Rendered plates packed once into one memory-mapped array, for training faster than the generator renders.

A shard is a folder: `images.npy`, an (N, H, W) uint8 array of the crops as the network reads them
(grayscale, at its input size H x W: what preprocessing makes of each rendered crop), `labels.tsv`, one
`label<TAB>plate type` line per crop, and `renderer.yaml`, the renderer config they were drawn with.
Training streams it with `data=shard data.root=DIR`; every loader worker maps the same file, nothing is
copied.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import cv2
import hydra
import numpy as np
import torch
from omegaconf import OmegaConf

from plate_ocr.data.records import PlateRecord, PlateSample
from plate_ocr.data.synth_plates import as_read
from plate_ocr.preprocess import to_model_size

IMAGES, LABELS, RENDERER = "images.npy", "labels.tsv", "renderer.yaml"
CHUNK = 2048  # plates a pool worker renders per task


def _render_chunk(args: tuple[dict[str, Any], Path, int, int, int]) -> list[tuple[str, str]]:
    """Render plates [start, stop) into the shard's array; plate i is drawn from the seed [seed, i]."""
    renderer_config, out, seed, start, stop = args
    cv2.setNumThreads(1)
    renderer = hydra.utils.instantiate(renderer_config)
    images = np.load(out / IMAGES, mmap_mode="r+")
    image_size = images.shape[1:]
    labels = []
    for index in range(start, stop):
        image, label, plate_type = renderer.render(np.random.default_rng([seed, index]))
        images[index] = to_model_size(as_read(image, plate_type), image_size)
        labels.append((label, plate_type))
    images.flush()
    return labels


def write_shard(
    renderer: Mapping[str, Any],
    count: int,
    out: Path,
    image_size: tuple[int, int],
    seed: int = 0,
    workers: int = 0,
) -> None:
    """Render `count` plates with the renderer config `renderer` (plate_ocr.synth.config.renderer_config)
    into a shard folder `out` with `workers` processes (0: one per core), stored at the network's
    `image_size` (height, width)."""
    out.mkdir(parents=True, exist_ok=True)
    config = OmegaConf.create(renderer)
    OmegaConf.save(config, out / RENDERER)
    plain = OmegaConf.to_container(config, resolve=True)
    height, width = image_size
    np.lib.format.open_memmap(out / IMAGES, mode="w+", dtype=np.uint8, shape=(count, height, width)).flush()
    tasks = [(plain, out, seed, start, min(start + CHUNK, count)) for start in range(0, count, CHUNK)]
    with get_context("spawn").Pool(workers or os.cpu_count()) as pool:
        labels = [pair for chunk in pool.imap(_render_chunk, tasks) for pair in chunk]
    (out / LABELS).write_text("".join(f"{label}\t{plate_type}\n" for label, plate_type in labels), "utf-8")


class ShardPlates:
    """The plates of a shard folder written by `write_shard`, read through a memory map. With
    `plates_per_epoch`, every access draws one of them at random from torch's RNG (reproducible under
    Lightning's seed_everything, different in each worker); without, an epoch reads each plate once."""

    def __init__(self, root: str | Path, plates_per_epoch: int | None = None) -> None:
        self.root = Path(root).expanduser()
        if not (self.root / IMAGES).is_file() or not (self.root / LABELS).is_file():
            raise FileNotFoundError(
                f"{self.root} is not a plate shard (no {IMAGES} and {LABELS}): "
                f"write one with plate-ocr synth --shard {self.root} --n N"
            )
        lines = (self.root / LABELS).read_text("utf-8").splitlines()
        self.labels = [tuple(line.split("\t")) for line in lines]
        self.images = np.load(self.root / IMAGES, mmap_mode="r")
        if len(self.images) != len(self.labels):
            raise ValueError(
                f"{self.root}: {len(self.images)} images but {len(self.labels)} labels; write the shard again"
            )
        self.plates_per_epoch = plates_per_epoch

    def __len__(self) -> int:
        return self.plates_per_epoch or len(self.labels)

    def __getitem__(self, index: int) -> PlateSample:
        if self.plates_per_epoch:
            index = int(torch.randint(len(self.labels), ()))
        label, plate_type = self.labels[index]
        return PlateSample(np.array(self.images[index]), PlateRecord(f"shard/{index}", label, plate_type))
