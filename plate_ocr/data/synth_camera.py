"""How a camera and a plate detector see a flat plate: pose, crop, light, optics and compression."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Range = tuple[float, float]


@dataclass(frozen=True)
class CameraEffects:
    """Ranges of each effect; a probability per optional effect. Lengths are fractions of the plate."""

    plate_height_px: Range = (20, 60)  # plate height in the photo, before the crop is resized
    rotation_deg: Range = (-8, 8)
    perspective: float = 0.12  # corner displacement, as a fraction of the plate height
    crop_margin: Range = (-0.05, 0.1)  # per side: negative cuts into the plate (a tight detector box)
    defocus_sigma: Range = (0.0, 1.3)
    motion_blur_px: Range = (1, 5)
    motion_blur_p: float = 0.2
    low_resolution_factor: Range = (1.3, 2.5)
    low_resolution_p: float = 0.3
    light_gain: Range = (0.6, 1.35)  # overall exposure
    light_gradient: float = 0.35  # strength of uneven light across the crop
    shadow_p: float = 0.2
    glare_p: float = 0.1
    dirt_p: float = 0.2
    noise_sigma: Range = (0.0, 8.0)
    jpeg_quality: Range = (25, 95)
    jpeg_p: float = 0.6


def _uniform(rng: np.random.Generator, bounds: Range) -> float:
    return float(rng.uniform(*bounds))


def _background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A car-body-like surround: a random colour with soft blotches, drawn coarse and scaled up."""
    coarse = rng.uniform(20, 230, 3) * rng.uniform(0.6, 1.2, (4, 8, 1)) + rng.normal(0, 15, (4, 8, 3))
    return cv2.resize(coarse.clip(0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR)


def place_in_scene(plate: np.ndarray, effects: CameraEffects, rng: np.random.Generator) -> np.ndarray:
    """Pose the plate in front of a background and crop it the way a detector box would."""
    plate_h, plate_w = plate.shape[:2]
    pad_y, pad_x = plate_h // 2, plate_h // 2
    scene = _background(rng, plate_h + 2 * pad_y, plate_w + 2 * pad_x)
    scene[pad_y : pad_y + plate_h, pad_x : pad_x + plate_w] = plate

    target_h = _uniform(rng, effects.plate_height_px)
    scale = target_h / plate_h
    corners = np.array([[0, 0], [plate_w, 0], [plate_w, plate_h], [0, plate_h]], dtype=np.float32)
    moved = corners + rng.uniform(-1, 1, (4, 2)).astype(np.float32) * effects.perspective * plate_h
    angle = np.deg2rad(_uniform(rng, effects.rotation_deg))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    centre = corners.mean(0)
    posed = ((moved - centre) @ rotation.T) * scale
    low, high = posed.min(0), posed.max(0)
    size = high - low
    margins = np.array([_uniform(rng, effects.crop_margin) for _ in range(4)]) * size[1]
    origin = low - margins[:2]
    crop_w = max(8, round(size[0] + margins[0] + margins[2]))
    crop_h = max(6, round(size[1] + margins[1] + margins[3]))
    destination = (posed - origin).astype(np.float32)
    homography = cv2.getPerspectiveTransform(corners + np.float32([pad_x, pad_y]), destination)
    if scale < 0.7:  # pre-filter before shrinking, as the lens and sensor would
        scene = cv2.GaussianBlur(scene, (0, 0), 0.45 / scale)
    return cv2.warpPerspective(scene, homography, (crop_w, crop_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _light(image: np.ndarray, effects: CameraEffects, rng: np.random.Generator) -> np.ndarray:
    height, width = image.shape[:2]
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction) + 1e-6
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    field = (xs / width - 0.5) * direction[0] + (ys / height - 0.5) * direction[1]
    gain = _uniform(rng, effects.light_gain) * (1 + effects.light_gradient * rng.uniform(-1, 1) * field)
    image = image * gain[..., None]
    if rng.random() < effects.shadow_p:  # a hard-edged shadow over part of the plate
        edge = rng.uniform(0.2, 0.8) * width + (ys - height / 2) * rng.uniform(-1, 1)
        image = np.where((xs < edge)[..., None], image * rng.uniform(0.4, 0.75), image)
    if rng.random() < effects.glare_p:
        cx, cy, radius = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0.2, 0.6) * width
        blob = np.exp(-((xs - cx) ** 2 + (ys - cy) ** 2) / (2 * radius**2))
        image = image + blob[..., None] * rng.uniform(60, 160)
    return image


def _dirt(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    height, width = image.shape[:2]
    stains = np.zeros((height, width), dtype=np.float32)
    for _ in range(rng.integers(1, 6)):
        centre = (int(rng.uniform(0, width)), int(rng.uniform(0, height)))
        axes = (int(rng.uniform(1, width / 8)) + 1, int(rng.uniform(1, height / 4)) + 1)
        cv2.ellipse(stains, centre, axes, rng.uniform(0, 180), 0, 360, rng.uniform(0.2, 0.7), -1)
    stains = cv2.GaussianBlur(stains, (0, 0), 1.0)[..., None]
    return image * (1 - stains) + stains * rng.uniform(30, 90, 3)


def photograph(plate: np.ndarray, effects: CameraEffects, rng: np.random.Generator) -> np.ndarray:
    """A flat RGB plate to a detector crop (RGB uint8) with every camera effect drawn from its range."""
    image = place_in_scene(plate, effects, rng).astype(np.float32)
    height, width = image.shape[:2]
    if rng.random() < effects.dirt_p:
        image = _dirt(image, rng)
    image = _light(image, effects, rng)
    if rng.random() < effects.motion_blur_p:
        length = int(round(_uniform(rng, effects.motion_blur_px)))
        kernel = np.zeros((length, length), dtype=np.float32)
        kernel[length // 2] = 1.0 / length
        rotation = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), rng.uniform(0, 180), 1.0)
        kernel = cv2.warpAffine(kernel, rotation, (length, length))
        image = cv2.filter2D(image, -1, kernel / max(kernel.sum(), 1e-6))
    sigma = _uniform(rng, effects.defocus_sigma)
    if sigma > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    if rng.random() < effects.low_resolution_p:
        factor = _uniform(rng, effects.low_resolution_factor)
        small = cv2.resize(image, (max(4, round(width / factor)), max(3, round(height / factor))), interpolation=cv2.INTER_AREA)
        image = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    image = image + rng.normal(0, _uniform(rng, effects.noise_sigma), image.shape).astype(np.float32)
    image = image.clip(0, 255).astype(np.uint8)
    if rng.random() < effects.jpeg_p:
        quality = int(_uniform(rng, effects.jpeg_quality))
        _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        image = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)
    return image
