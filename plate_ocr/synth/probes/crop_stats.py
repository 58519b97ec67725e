"""Image statistics that tell synthetic crops from real ones: brightness, contrast, colour and sharpness,
each measured at CCPD's crop size so that crops of any size compare."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

MEASURE_SIZE = (94, 24)  # width, height: CCPD2019-dl1's crops
PERCENTILES = (10, 50, 90)


def crop_statistics(rgb: np.ndarray) -> dict[str, float]:
    """brightness (mean grey), contrast (5th to 95th percentile of grey), saturation (mean HSV S) and
    sharpness (mean absolute Laplacian of grey) of an RGB uint8 crop, resized to MEASURE_SIZE."""
    rgb = cv2.resize(rgb, MEASURE_SIZE, interpolation=cv2.INTER_AREA)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    low, high = np.percentile(grey, (5, 95))
    return {
        "brightness": float(grey.mean()),
        "contrast": float(high - low),
        "saturation": float(cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[..., 1].mean()),
        "sharpness": float(np.abs(cv2.Laplacian(grey, cv2.CV_32F)).mean()),
    }


def spread(images: Iterable[np.ndarray]) -> dict[str, tuple[float, ...]]:
    """Each statistic's PERCENTILES over `images`."""
    measured = [crop_statistics(image) for image in images]
    if not measured:
        raise ValueError("no images to measure")
    return {name: tuple(np.percentile([m[name] for m in measured], PERCENTILES)) for name in measured[0]}


def format_comparison(columns: dict[str, dict[str, tuple[float, ...]]]) -> str:
    """A plain table: one row per statistic, one column of percentiles per named set of crops."""
    head = "/".join(f"p{p}" for p in PERCENTILES)
    lines = [f"{'statistic':12s}" + "".join(f"{f'{name} {head}':>26s}" for name in columns)]
    for statistic in next(iter(columns.values())):
        cells = ("/".join(f"{v:.0f}" for v in values[statistic]) for values in columns.values())
        lines.append(f"{statistic:12s}" + "".join(f"{cell:>26s}" for cell in cells))
    return "\n".join(lines)
