"""Registered means of crops: the plate typeface seen through many cameras at once.

One crop of a province hides the shape of its hanzi in blur, noise and compression; the crops of that
province aligned to each other and averaged keep what they share (the glyph, the plate's edge, the
office letter) and lose what they do not (serials, noise). Beside the same mean of the crops' synthetic
twins, it shows where the generator's hanzi depart from the plates' own, at twice the network's input.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from plate_ocr.preprocess import to_model_size
from plate_ocr.synth.probes.twins import plate_type, twin_crops
from plate_ocr.synth.renderer import PlateRenderer

MEAN_SIZE = (64, 256)  # height, width: twice the network's input
MIN_CROPS = 3  # fewer crops of a province average to no more than what each shows
# Characters are light on blue plates and dark on the others: those are inverted so that ink is bright.
LIGHT_LETTERED = ("blue",)
# Each round fits a freer map than the last, once the mean is sharp enough to hold it: a shift, an affine
# map, then a homography (a plate seen at an angle is foreshortened).
MOTIONS = (cv2.MOTION_TRANSLATION, cv2.MOTION_AFFINE, cv2.MOTION_HOMOGRAPHY)
ECC_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-4)


def normalised(image: np.ndarray, kind: str) -> np.ndarray:
    """A crop of plate type `kind` as float32 grayscale at MEAN_SIZE (resized as the network's input is),
    with bright characters, zero mean and unit variance, so that crops of any colour and exposure average
    alike."""
    resized = to_model_size(image, MEAN_SIZE).astype(np.float32)
    if kind not in LIGHT_LETTERED:
        resized = 255 - resized
    return (resized - resized.mean()) / max(float(resized.std()), 1e-6)


def _fitted(
    image: np.ndarray, template: np.ndarray, warp: np.ndarray, motion: int
) -> tuple[float, np.ndarray] | None:
    """The ECC fit of an OpenCV `motion` model that maps `template` onto `image`, started from `warp`:
    its correlation and warp, or None where it does not converge."""
    start = warp.copy() if motion == cv2.MOTION_HOMOGRAPHY else warp[:2].copy()
    try:
        correlation, fitted = cv2.findTransformECC(template, image, start, motion, ECC_CRITERIA, None, 5)
    except cv2.error:
        return None
    return correlation, fitted if fitted.shape[0] == 3 else np.vstack([fitted, [0, 0, 1]]).astype(np.float32)


def registered_mean(
    images: Sequence[np.ndarray], rounds: int = 4, min_correlation: float = 0.3
) -> tuple[np.ndarray, int]:
    """The mean of `normalised` images after each is aligned to the running mean by an ECC fit, `rounds`
    times (MOTIONS: each image's fit starts from its last), and how many it holds: an image whose fit
    correlates below `min_correlation` with the mean, or does not converge, is left out of that round."""
    if not images:
        raise ValueError("no images to average")
    mean = np.mean(images, axis=0, dtype=np.float32)
    held = len(images)
    warps = [np.eye(3, dtype=np.float32) for _ in images]
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    for round_ in range(rounds):
        motion = MOTIONS[min(round_, len(MOTIONS) - 1)]
        kept = []
        for index, image in enumerate(images):
            fit = _fitted(image, mean, warps[index], motion)
            if fit is None or fit[0] < min_correlation:
                continue
            warps[index] = fit[1]
            size = image.shape[::-1]
            kept.append(
                cv2.warpPerspective(image, fit[1], size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
            )
        if not kept:
            break
        mean, held = np.mean(kept, axis=0, dtype=np.float32), len(kept)
    return mean, held


def to_pixels(mean: np.ndarray) -> np.ndarray:
    """A mean stretched to uint8 between its 1st and 99.5th percentiles."""
    low, high = np.percentile(mean, [1, 99.5])
    return (np.clip((mean - low) / max(high - low, 1e-6), 0, 1) * 255).astype(np.uint8)


def province_means(
    labels: Sequence[str],
    images: Sequence[np.ndarray],
    renderer: PlateRenderer,
    min_crops: int = MIN_CROPS,
    seed: int = 0,
) -> list[tuple[str, int, int, np.ndarray, np.ndarray]]:
    """For each province with at least `min_crops` single-row RGB crops, most crops first: (province,
    crops, crops the mean holds, the crops' registered mean, the registered mean of their twins drawn by
    `renderer`)."""
    kinds = [plate_type(label, image) for label, image in zip(labels, images)]
    by_province: dict[str, list[int]] = {}
    for index, kind in enumerate(kinds):
        if kind != "yellow_double":
            by_province.setdefault(labels[index][0], []).append(index)
    means = []
    for province, indices in sorted(by_province.items(), key=lambda item: (-len(item[1]), item[0])):
        if len(indices) < min_crops:
            continue
        crops = [images[i] for i in indices]
        twins = twin_crops(renderer, [labels[i] for i in indices], crops, seed)
        real, held = registered_mean([normalised(crop, kinds[i]) for crop, i in zip(crops, indices)])
        synthetic, _ = registered_mean([normalised(twin, kinds[i]) for twin, i in zip(twins, indices)])
        means.append((province, len(indices), held, real, synthetic))
    return means
