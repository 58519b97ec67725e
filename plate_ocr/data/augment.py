"""Augmentations the torchvision library lacks for 1xHxW uint8 plate images."""

from __future__ import annotations

import torch
from torch import nn


class GaussianNoise(nn.Module):
    """Adds sensor-like noise with a standard deviation drawn from `sigma` (in pixel levels)."""

    def __init__(self, sigma: tuple[float, float] = (2.0, 12.0), p: float = 0.5) -> None:
        super().__init__()
        self.sigma = sigma
        self.p = p

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        if torch.rand(()) >= self.p:
            return image
        low, high = self.sigma
        sigma = low + (high - low) * torch.rand(())
        noisy = image.float() + torch.randn(image.shape) * sigma
        return noisy.clamp(0, 255).round().to(torch.uint8)
