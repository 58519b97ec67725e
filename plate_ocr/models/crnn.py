"""CRNN: a conv feature extractor that squeezes the image to one row, then a BiLSTM over columns."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

# The seed notebook's pooling after each 3x3 stage: (kernel, stride, padding).
# Stages 1-2 halve both axes; 3 halves both with a (1, 2) kernel; 4 halves only the height.
NOTEBOOK_POOLS = (
    ((2, 2), (2, 2), (0, 0)),
    ((2, 2), (2, 2), (0, 0)),
    ((1, 2), (2, 2), (0, 0)),
    ((1, 2), (2, 1), (0, 1)),
)


def conv_bn_relu(in_channels: int, out_channels: int, kernel: int, padding: int) -> list[nn.Module]:
    """A convolution, batch norm and ReLU, as every notebook stage is built."""
    return [
        nn.Conv2d(in_channels, out_channels, kernel, padding=padding),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


class CRNN(nn.Module):
    """The seed notebook's CRNN, with its widths as parameters.

    Four 3x3 conv stages with the notebook's pooling, then a 2x2 conv that reduces a 32-pixel-high
    input to height 1; for a 128-pixel-wide input the output has 16 time steps.
    """

    def __init__(
        self,
        num_classes: int,
        in_channels: int = 1,
        channels: Sequence[int] = (64, 128, 256, 512, 1024),
        lstm_hidden: int = 512,
        lstm_layers: int = 2,
    ) -> None:
        super().__init__()
        if len(channels) != len(NOTEBOOK_POOLS) + 1:
            raise ValueError(f"channels needs {len(NOTEBOOK_POOLS) + 1} widths, got {list(channels)}")
        layers: list[nn.Module] = []
        previous = in_channels
        for width, (kernel, stride, padding) in zip(channels, NOTEBOOK_POOLS):
            layers += conv_bn_relu(previous, width, kernel=3, padding=1)
            layers.append(nn.MaxPool2d(kernel, stride, padding))
            previous = width
        layers += conv_bn_relu(previous, channels[-1], kernel=2, padding=0)
        self.features = nn.Sequential(*layers)
        self.rnn = nn.LSTM(
            channels[-1], lstm_hidden, num_layers=lstm_layers, bidirectional=True, batch_first=True
        )
        self.classifier = nn.Linear(2 * lstm_hidden, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(batch, channels, height, width) images to (batch, time, classes) logits."""
        features = self.features(images)
        if features.shape[2] != 1:
            raise ValueError(
                f"input height {images.shape[2]} leaves a feature map {features.shape[2]} high; "
                "the CRNN needs 32"
            )
        sequence = features.squeeze(2).transpose(1, 2)
        hidden, _ = self.rnn(sequence)
        return self.classifier(hidden)
