"""Training augmentation for plate images at model size (HxW uint8 grayscale), done with OpenCV.

Each effect is one small class; `PlateAugment` applies a list of them in order. All the geometry is one
homography and one `cv2.warpPerspective`, so an augmented 32x128 plate costs tens of microseconds rather
than the near millisecond that per-image tensor transforms cost on an image this small.

Random numbers come from Python's `random` module, which Lightning's `seed_everything` seeds in the main
process and the DataLoader reseeds in each worker: runs are repeatable and workers differ.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import cv2
import numpy as np

BORDERS = {"constant": cv2.BORDER_CONSTANT, "replicate": cv2.BORDER_REPLICATE}


def _uniform(bounds: Sequence[float]) -> float:
    low, high = bounds
    return random.uniform(low, high)


def perspective_corners(width: int, height: int, distortion: float) -> np.ndarray:
    """The image corners, each moved inward by up to `distortion` x half the image size
    (torchvision's RandomPerspective `distortion_scale`)."""
    dx, dy = distortion * width / 2, distortion * height / 2
    right, bottom = width - 1, height - 1
    return np.float32(
        [
            [random.uniform(0, dx), random.uniform(0, dy)],
            [right - random.uniform(0, dx), random.uniform(0, dy)],
            [right - random.uniform(0, dx), bottom - random.uniform(0, dy)],
            [random.uniform(0, dx), bottom - random.uniform(0, dy)],
        ]
    )


class Warp:
    """Perspective, rotation, shift, scale and shear in one warp: how a camera sees the plate and how
    loosely or tightly a detector crops it.

    perspective: torchvision's `distortion_scale` (corners move inward up to this share of half the size),
    applied with probability `perspective_p`. degrees: rotation range +-; translate: (x, y) shift range as
    shares of width and height; scale: zoom range; shear: x-shear range in degrees. border: what fills the
    uncovered area, `constant` (black, as torchvision does) or `replicate` (the plate's own edge).
    """

    def __init__(
        self,
        perspective: float = 0.0,
        perspective_p: float = 0.0,
        degrees: float = 0.0,
        translate: Sequence[float] = (0.0, 0.0),
        scale: Sequence[float] = (1.0, 1.0),
        shear: Sequence[float] = (0.0, 0.0),
        border: str = "constant",
    ) -> None:
        if border not in BORDERS:
            raise ValueError(f"border must be one of {sorted(BORDERS)}, got {border!r}")
        self.perspective = perspective
        self.perspective_p = perspective_p
        self.degrees = degrees
        self.translate = tuple(translate)
        self.scale = tuple(scale)
        self.shear = tuple(shear)
        self.border = BORDERS[border]

    def homography(self, width: int, height: int) -> np.ndarray:
        """A random 3x3 transform: the perspective step first, then the affine one about the centre."""
        angle = math.radians(random.uniform(-self.degrees, self.degrees))
        shear = math.tan(math.radians(_uniform(self.shear)))
        zoom = _uniform(self.scale)
        cos, sin = zoom * math.cos(angle), zoom * math.sin(angle)
        # rotation x x-shear x zoom about the centre (cx, cy), then the shift
        a, b, c, d = cos, cos * shear - sin, sin, sin * shear + cos
        cx, cy = (width - 1) / 2, (height - 1) / 2
        tx = cx + random.uniform(-self.translate[0], self.translate[0]) * width - (a * cx + b * cy)
        ty = cy + random.uniform(-self.translate[1], self.translate[1]) * height - (c * cx + d * cy)
        affine = np.array([[a, b, tx], [c, d, ty], [0.0, 0.0, 1.0]])
        if self.perspective > 0 and random.random() < self.perspective_p:
            corners = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
            moved = perspective_corners(width, height, self.perspective)
            return affine @ cv2.getPerspectiveTransform(corners, moved)
        return affine

    def __call__(self, image: np.ndarray) -> np.ndarray:
        height, width = image.shape
        return cv2.warpPerspective(
            image,
            self.homography(width, height),
            (width, height),
            flags=cv2.INTER_LINEAR,
            borderMode=self.border,
        )


class Blur:
    """Defocus: a Gaussian blur with sigma drawn from `sigma`, with probability `p`."""

    def __init__(self, sigma: Sequence[float] = (0.2, 1.0), kernel_size: int = 3, p: float = 0.3) -> None:
        self.sigma = tuple(sigma)
        self.kernel_size = kernel_size
        self.p = p

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if random.random() >= self.p:
            return image
        size = (self.kernel_size, self.kernel_size)
        return cv2.GaussianBlur(image, size, _uniform(self.sigma), borderType=cv2.BORDER_REPLICATE)


class Lighting:
    """Exposure and contrast: brightness scales by 1 +- `brightness`, contrast around the image mean by
    1 +- `contrast` (torchvision ColorJitter's factors)."""

    def __init__(self, brightness: float = 0.3, contrast: float = 0.3) -> None:
        self.brightness = brightness
        self.contrast = contrast

    def __call__(self, image: np.ndarray) -> np.ndarray:
        gain = random.uniform(1 - self.brightness, 1 + self.brightness)
        contrast = random.uniform(1 - self.contrast, 1 + self.contrast)
        mean = float(image.mean()) * gain
        # gain * x, then (y - mean) * contrast + mean, as one scale and offset, saturated to 0..255
        return cv2.addWeighted(image, gain * contrast, image, 0.0, mean * (1 - contrast))


class Noise:
    """Sensor noise: Gaussian, standard deviation drawn from `sigma` (pixel levels), with probability `p`."""

    def __init__(self, sigma: Sequence[float] = (2.0, 8.0), p: float = 0.3) -> None:
        self.sigma = tuple(sigma)
        self.p = p

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if random.random() >= self.p:
            return image
        cv2.setRNGSeed(random.getrandbits(31))  # OpenCV's generator, drawn from the seeded `random`
        noise = np.empty(image.shape, np.int16)
        cv2.randn(noise, 0.0, _uniform(self.sigma))
        return cv2.add(image, noise, dtype=cv2.CV_8U)  # saturating


class Jpeg:
    """Compression artefacts: a JPEG round trip at a quality drawn from `quality`, with probability `p`."""

    def __init__(self, quality: Sequence[int] = (30, 90), p: float = 0.2) -> None:
        self.quality = tuple(quality)
        self.p = p

    def __call__(self, image: np.ndarray) -> np.ndarray:
        if random.random() >= self.p:
            return image
        quality = random.randint(*self.quality)
        _, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        return cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)


class Invert:
    """Dark glyphs on a light plate (green, yellow) from light on dark (blue), with probability `p`."""

    def __init__(self, p: float = 0.1) -> None:
        self.p = p

    def __call__(self, image: np.ndarray) -> np.ndarray:
        return 255 - image if random.random() < self.p else image


class PlateAugment:
    """Applies `effects` in order to an HxW uint8 image; no effects means no augmentation."""

    def __init__(self, effects: Sequence = ()) -> None:
        self.effects = list(effects)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        for effect in self.effects:
            image = effect(image)
        return image
