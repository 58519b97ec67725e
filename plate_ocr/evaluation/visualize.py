"""Pictures of what the model gets wrong: crops with label and prediction drawn under them."""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image, ImageDraw

from plate_ocr.preprocess import PIXEL_MEAN, PIXEL_STD
from plate_ocr.synth.fonts import cjk_font


@dataclass(order=True)
class ErrorExample:
    """A misread plate; examples order by edit distance so the worst sort last."""

    image: torch.Tensor = field(compare=False)
    label: str = field(compare=False)
    prediction: str = field(compare=False)
    distance: int


class WorstErrors:
    """Keeps the `capacity` misreads with the largest edit distance seen since the last reset."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._heap: list[tuple[int, int, ErrorExample]] = []
        self._order = itertools.count()

    def reset(self) -> None:
        self._heap.clear()

    def add(self, example: ErrorExample) -> None:
        entry = (example.distance, -next(self._order), example)
        if len(self._heap) < self.capacity:
            heapq.heappush(self._heap, entry)
        elif self.capacity:
            heapq.heappushpop(self._heap, entry)

    def __len__(self) -> int:
        return len(self._heap)

    def examples(self) -> list[ErrorExample]:
        """Worst first; among equals, the one seen first comes first."""
        return [entry[2] for entry in sorted(self._heap, reverse=True)]

    def grid(self, columns: int = 4) -> np.ndarray:
        """An RGB uint8 grid of the kept examples, label and prediction under each."""
        return error_grid(
            [e.image for e in self.examples()],
            [e.label for e in self.examples()],
            [e.prediction for e in self.examples()],
            columns,
        )


def to_pixels(image: torch.Tensor) -> np.ndarray:
    """A normalised 1xHxW network input back to an HxW uint8 picture."""
    pixels = (image.float().squeeze(0) * PIXEL_STD + PIXEL_MEAN).clamp(0, 1) * 255
    return pixels.round().byte().numpy()


def error_grid(
    images: list[torch.Tensor | np.ndarray], labels: list[str], predictions: list[str], columns: int = 4
) -> np.ndarray:
    """Misreads with 'label → prediction' under each, red where they differ."""
    captions = [f"{label} → {prediction or '(empty)'}" for label, prediction in zip(labels, predictions)]
    colours = [
        "darkgreen" if label == prediction else "red" for label, prediction in zip(labels, predictions)
    ]
    return image_grid(images, captions, colours, columns)


def image_grid(
    images: list[torch.Tensor | np.ndarray],
    captions: list[str],
    colours: list[str] | None = None,
    columns: int = 4,
    cell_width: int = 256,
) -> np.ndarray:
    """Tile images (normalised tensors or uint8 arrays) with a caption under each, glyphs drawn."""
    font = cjk_font(max(12, cell_width // 14))
    rows = max(1, -(-len(images) // columns))
    cell_image_height = cell_width // 4
    ascent, descent = font.getmetrics()
    cell_height = cell_image_height + ascent + descent + 6  # descenders (g, y) stay above the next row
    canvas = Image.new("RGB", (columns * cell_width, rows * cell_height), "white")
    draw = ImageDraw.Draw(canvas)
    for n, (image, caption) in enumerate(zip(images, captions)):
        pixels = to_pixels(image) if isinstance(image, torch.Tensor) else image
        tile = Image.fromarray(pixels).convert("RGB").resize((cell_width - 8, cell_image_height))
        x, y = (n % columns) * cell_width, (n // columns) * cell_height
        canvas.paste(tile, (x + 4, y + 2))
        colour = colours[n] if colours else "black"
        draw.text((x + 4, y + cell_image_height + 3), caption, fill=colour, font=font)
    return np.asarray(canvas)
