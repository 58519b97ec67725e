"""Synthetic twins of labelled crops: the generator's plates with the same strings, crop sizes and plate
colours. A model that reads the twins but not the crops meets something the generator does not draw (the
sim-to-real gap); one that reads neither has not learnt those strings at those sizes."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from plate_ocr.plate_format import DOUBLE_ROW_ASPECT
from plate_ocr.synth.camera import photograph
from plate_ocr.synth.layout import render_plate
from plate_ocr.synth.renderer import PlateRenderer

# OpenCV's hue runs 0-179: yellow paint falls in 10-40, blue in 90-135; greys and white carry no hue.
YELLOW_HUES, BLUE_HUES, MIN_SATURATION = (10, 40), (90, 135), 60


def plate_type(label: str, image: np.ndarray) -> str:
    """The plate type a crop of `label` shows: green for eight characters, police for 警, coach for 学,
    otherwise yellow or blue, whichever paint covers more of the crop's centre (blue for grey crops); a
    yellow crop as squat as the generator's double-row ones is a double-row plate."""
    if len(label) == 8:
        return "green"
    if label.endswith("警"):
        return "police"
    if label.endswith("学"):
        return "coach"
    if image.ndim != 3:
        return "blue"
    height, width = image.shape[:2]
    centre = image[height // 5 : height - height // 5, width // 8 : width - width // 8]
    hsv = cv2.cvtColor(np.ascontiguousarray(centre), cv2.COLOR_RGB2HSV)
    hue, coloured = hsv[..., 0], hsv[..., 1] > MIN_SATURATION
    yellow = np.count_nonzero(coloured & (hue >= YELLOW_HUES[0]) & (hue <= YELLOW_HUES[1]))
    blue = np.count_nonzero(coloured & (hue >= BLUE_HUES[0]) & (hue <= BLUE_HUES[1]))
    if yellow <= blue:
        return "blue"
    return "yellow_double" if width <= DOUBLE_ROW_ASPECT[1] * height else "yellow"


def twin_crops(
    renderer: PlateRenderer, labels: Sequence[str], images: Sequence[np.ndarray], seed: int = 0
) -> list[np.ndarray]:
    """One RGB twin per labelled RGB crop, drawn by `renderer`'s lettering and camera at the crop's size."""
    rng = np.random.default_rng(seed)
    twins = []
    for label, image in zip(labels, images):
        height = round(rng.uniform(*renderer.camera.plate_height))
        plate = render_plate(label, plate_type(label, image), height, renderer.lettering(rng), rng)
        twins.append(photograph(plate, image.shape[:2], renderer.camera, rng))
    return twins
