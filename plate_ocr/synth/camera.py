"""How a camera and a plate detector see a flat plate: pose, crop, light, optics, sensor and compression."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache

import cv2
import numpy as np

Range = tuple[float, float]


@dataclass(frozen=True)
class CameraEffects:
    """The range each effect is drawn from, and a probability for the occasional ones. Crop margins are
    fractions of the plate's width (x) and height (y) per side; negative cuts into the plate."""

    plate_height: Range = (20, 100)  # plate height in the photo, pixels (CCPD boxes: mostly 55 to 130)
    rotation_deg: Range = (-8, 8)
    shear_deg: Range = (0.0, 0.0)  # lean of the plate's sides beyond rotation (+: bottom to the right)
    perspective: float = 0.06  # random corner displacement, a fraction of the plate height
    yaw: float = 0.12  # one side taller than the other by up to this fraction
    margin_x: Range = (-0.03, 0.04)  # negative cuts into the first or last glyph, as tight boxes do
    margin_y: Range = (-0.1, 0.12)
    antialias_p: float = 0.3  # crops band-limited before shrinking; the rest alias like a plain cv2.resize
    defocus_sigma: Range = (0.0, 0.4)  # Gaussian blur, output pixels
    motion_blur: Range = (1.5, 4)  # kernel length, output pixels
    motion_blur_p: float = 0.15
    low_resolution: Range = (1.2, 2.0)  # shrink and enlarge again by this factor
    low_resolution_p: float = 0.2
    interlace_p: float = 0.0  # an interlaced sensor: odd rows shifted sideways against even ones
    interlace_shift: Range = (-2.0, 2.0)  # output pixels
    sharpen: Range = (0.5, 2.0)  # in-camera sharpening (unsharp mask) amount: strokes edged with halos
    sharpen_p: float = 0.5  # real crops are crisper at the network's input than unsharpened ones
    exposure: Range = (0.5, 1.25)  # above 1 bright plates clip, as overexposed yellow plates do
    light_gradient: Range = (0.0, 0.5)  # relative brightness change across the crop
    colour_cast: Range = (0.88, 1.12)  # gain of each colour channel (white balance)
    haze: Range = (0.1, 0.45)  # veiling light over the crop (a dirty lens, a faded plate): contrast lost
    haze_p: float = 0.0
    saturation: Range = (0.75, 1.3)
    shadow_p: float = 0.15
    glare_p: float = 0.1
    dirt_p: float = 0.2
    noise_sigma: Range = (1.0, 8.0)
    jpeg_quality: Range = (30, 95)  # of the photo the crop was cut from
    jpeg_p: float = 0.5
    output_jpeg_quality: Range = (70, 98)  # of the saved crop, as CCPD's crops are JPEG files

    @classmethod
    def from_config(cls, values: Mapping[str, object]) -> CameraEffects:
        """From plain config values (lists for ranges), naming any unknown key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown camera effect {unknown[0]!r}; known: {sorted(known)}")
        return cls(**{k: tuple(v) if isinstance(v, Sequence) else v for k, v in values.items()})


def _draw(rng: np.random.Generator, bounds: Range) -> float:
    return float(rng.uniform(*bounds))


@cache
def _noise_bank(height: int, width: int) -> np.ndarray:
    """Fixed standard-normal noise to cut (height, width) windows from: cheaper than fresh noise per crop."""
    return np.random.default_rng(0).standard_normal((height * 4, width * 4, 3)).astype(np.float32)


def _window(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    bank = _noise_bank(height, width)
    y, x = rng.integers(height * 3 + 1), rng.integers(width * 3 + 1)
    return bank[y : y + height, x : x + width]


def _surround(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """What lies around the plate: car paint, bumper or grille, mostly dark and grey, softly varied."""
    colour = rng.uniform(10, 200) * rng.uniform(0.85, 1.15, 3)
    coarse = colour * rng.uniform(0.6, 1.3, (3, 6, 1)) + rng.normal(0, 12, (3, 6, 3))
    return cv2.resize(coarse.clip(0, 255).astype(np.uint8), (width, height), interpolation=cv2.INTER_LINEAR)


def _per_pixel(plane: np.ndarray) -> np.ndarray:
    """An (h, w) factor as (h, w, 3): numpy broadcasts slowly along a length-3 last axis."""
    return cv2.merge((plane, plane, plane))


def _pose(plate_w: int, plate_h: int, effects: CameraEffects, rng: np.random.Generator) -> np.ndarray:
    """Where the plate's corners (clockwise from top left) land in the photo, around the origin."""
    half_w, half_h = plate_w / 2, plate_h / 2
    yaw = 1 + rng.uniform(-effects.yaw, effects.yaw)  # the nearer side looks taller
    corners = np.array(
        [[-half_w, -half_h * yaw], [half_w, -half_h / yaw], [half_w, half_h / yaw], [-half_w, half_h * yaw]]
    )
    corners[:, 0] += corners[:, 1] * np.tan(np.deg2rad(_draw(rng, effects.shear_deg)))
    corners += rng.uniform(-effects.perspective, effects.perspective, (4, 2)) * plate_h
    angle = np.deg2rad(_draw(rng, effects.rotation_deg))
    cos, sin = np.cos(angle), np.sin(angle)
    return corners @ np.array([[cos, sin], [-sin, cos]])


def detector_crop(
    plate: np.ndarray, size: tuple[int, int], effects: CameraEffects, rng: np.random.Generator
) -> np.ndarray:
    """The posed plate in front of its surround, cropped by a loose or tight box around it and resized
    to `size` (height, width) as the detector's crops are, whatever their shape: RGB uint8."""
    plate_h, plate_w = plate.shape[:2]
    posed = _pose(plate_w, plate_h, effects, rng)
    margins = np.stack(
        [rng.uniform(*effects.margin_x, 2) * plate_w, rng.uniform(*effects.margin_y, 2) * plate_h]
    )
    low, high = posed.min(0) - margins[:, 0], posed.max(0) + margins[:, 1]
    height, width = size
    scale = np.array([width, height]) / np.maximum(high - low, 1)
    if scale.min() < 0.8 and rng.random() < effects.antialias_p:  # else bilinear sampling aliases
        sigma_x, sigma_y = 0.45 * np.sqrt(np.maximum(scale**-2 - 1, 0)) + 1e-3
        plate = cv2.GaussianBlur(plate, (0, 0), sigmaX=sigma_x, sigmaY=sigma_y)
    flat = np.float32([[0, 0], [plate_w, 0], [plate_w, plate_h], [0, plate_h]])
    homography = cv2.getPerspectiveTransform(flat, ((posed - low) * scale).astype(np.float32))
    return cv2.warpPerspective(
        plate,
        homography,
        (width, height),
        dst=_surround(rng, height, width),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_TRANSPARENT,
    )


def _ramp(length: int) -> np.ndarray:
    """Positions of `length` pixels from -0.5 to 0.5."""
    return np.arange(length, dtype=np.float32) / max(1, length - 1) - 0.5


def _light(image: np.ndarray, effects: CameraEffects, rng: np.random.Generator) -> np.ndarray:
    """Exposure, white balance, saturation, uneven light, haze, a shadow edge and glare."""
    height, width = image.shape[:2]
    saturation = _draw(rng, effects.saturation)
    gains = rng.uniform(*effects.colour_cast, 3) * _draw(rng, effects.exposure)
    # One colour matrix: pull each channel towards the grey mean (saturation), then per-channel gains.
    image = cv2.transform(image, gains[:, None] * ((1 - saturation) / 3 + saturation * np.eye(3)))
    ys, xs = _ramp(height)[:, None], _ramp(width)[None, :]
    direction = rng.normal(size=2)
    direction *= 2 * _draw(rng, effects.light_gradient) / (np.linalg.norm(direction) + 1e-6)
    gain = 1 + xs * np.float32(direction[0]) + ys * np.float32(direction[1])
    if rng.random() < effects.shadow_p:  # a soft-edged shadow over one side
        edge = rng.uniform(-0.3, 0.3) + ys * rng.uniform(-2, 2)
        gain = gain * (1 - np.float32(rng.uniform(0.3, 0.6)) * np.clip((edge - xs) * 20, 0, 1))
    image *= _per_pixel(gain)
    if rng.random() < effects.haze_p:
        veil = rng.uniform(120, 255) * rng.uniform(0.9, 1.1, 3).astype(np.float32)
        amount = np.float32(_draw(rng, effects.haze))
        image = image * (1 - amount) + veil * amount
    if rng.random() < effects.glare_p:
        cx, cy, radius = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.1, 0.4)
        blob = np.exp(-((xs - cx) ** 2 * (width / height) ** 2 + (ys - cy) ** 2) / (2 * radius**2))
        image += _per_pixel(blob.astype(np.float32) * np.float32(rng.uniform(60, 180)))
    return image


def _dirt(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mud and dust: soft brownish blotches."""
    height, width = image.shape[:2]
    coarse = rng.random((rng.integers(2, 5), rng.integers(4, 12))).astype(np.float32)
    field = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    stains = _per_pixel(
        np.clip((field - rng.uniform(0.5, 0.8)) * 3, 0, 1) * np.float32(rng.uniform(0.3, 0.8))
    )
    return image + (np.float32(rng.uniform(40, 110)) * np.float32([1.0, 0.9, 0.75]) - image) * stains


def _blur(image: np.ndarray, effects: CameraEffects, rng: np.random.Generator) -> np.ndarray:
    """Motion blur, defocus, a lower-resolution sensor and interlacing."""
    if rng.random() < effects.motion_blur_p:
        length = max(2, round(_draw(rng, effects.motion_blur)))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2] = 1
        centre = ((length - 1) / 2, (length - 1) / 2)
        kernel = cv2.warpAffine(
            kernel, cv2.getRotationMatrix2D(centre, rng.uniform(-30, 30), 1.0), (length, length)
        )
        image = cv2.filter2D(image, -1, kernel / kernel.sum())
    sigma = _draw(rng, effects.defocus_sigma)
    if sigma > 0.1:
        image = cv2.GaussianBlur(image, (0, 0), sigma)
    if rng.random() < effects.low_resolution_p:
        height, width = image.shape[:2]
        factor = _draw(rng, effects.low_resolution)
        small = (max(4, round(width / factor)), max(4, round(height / factor)))
        image = cv2.resize(cv2.resize(image, small, interpolation=cv2.INTER_AREA), (width, height))
    if rng.random() < effects.interlace_p:
        shift = np.float32([[1, 0, _draw(rng, effects.interlace_shift)], [0, 1, 0]])
        image[1::2] = cv2.warpAffine(image, shift, image.shape[1::-1], borderMode=cv2.BORDER_REPLICATE)[1::2]
    return image


def _sharpen(image: np.ndarray, effects: CameraEffects, rng: np.random.Generator) -> np.ndarray:
    """In-camera sharpening, as most cameras' image processors apply it: an unsharp mask that edges every
    stroke with a light and a dark halo."""
    if effects.sharpen_p <= 0 or rng.random() >= effects.sharpen_p:
        return image
    return image + (image - cv2.GaussianBlur(image, (0, 0), 1.0)) * np.float32(_draw(rng, effects.sharpen))


def _jpeg(rgb: np.ndarray, quality: float) -> np.ndarray:
    _, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    )
    return cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def photograph(
    plate: np.ndarray, size: tuple[int, int], effects: CameraEffects, rng: np.random.Generator
) -> np.ndarray:
    """A flat RGB uint8 plate to a detector crop of `size` (height, width), RGB uint8. Light, blur,
    noise and compression act on the crop: far cheaper than on the photo, and alike at this scale."""
    image = detector_crop(plate, size, effects, rng).astype(np.float32)
    if rng.random() < effects.dirt_p:
        image = _dirt(image, rng)
    image = _sharpen(_blur(_light(image, effects, rng), effects, rng), effects, rng)
    image = image + _window(rng, *size) * _draw(rng, effects.noise_sigma)
    image = np.clip(image, 0, 255).astype(np.uint8)
    if rng.random() < effects.jpeg_p:
        image = _jpeg(image, _draw(rng, effects.jpeg_quality))
    return _jpeg(image, _draw(rng, effects.output_jpeg_quality))
