"""The one preprocessing path shared by training, evaluation, prediction and export."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import torch

# Pixel values are mapped from [0, 255] to [-1, 1], as in the seed notebook (Normalize(0.5, 0.5)).
PIXEL_MEAN = 0.5
PIXEL_STD = 0.5


def to_model_size(image: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Resize an RGB (HxWx3) or grayscale (HxW) uint8 image to the model's HxW uint8 grayscale."""
    height, width = image_size
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def normalize(images: torch.Tensor) -> torch.Tensor:
    """uint8 pixels (any shape) to the float range the network expects."""
    return (images.float() / 255.0 - PIXEL_MEAN) / PIXEL_STD


def preprocess(image: np.ndarray, image_size: tuple[int, int]) -> torch.Tensor:
    """An RGB or grayscale uint8 image to the network's 1xHxW float input."""
    return normalize(torch.from_numpy(to_model_size(image, image_size)).unsqueeze(0))


def preprocess_batch(images: Sequence[np.ndarray], image_size: tuple[int, int]) -> torch.Tensor:
    """RGB or grayscale uint8 images to the network's (N, 1, H, W) float input."""
    return torch.stack([preprocess(image, image_size) for image in images])
