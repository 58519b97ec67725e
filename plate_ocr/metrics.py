"""Plate metrics as torchmetrics Metrics, defined as in the seed notebook so numbers compare.

accuracy = share of plates read exactly;
CER = sum of edit distances / sum of max(len(label), len(prediction)).
"""

from __future__ import annotations

import torch
from rapidfuzz.distance import Levenshtein
from torchmetrics import Metric


class PlateAccuracy(Metric):
    """Share of predictions equal to their label."""

    higher_is_better = True
    full_state_update = False

    def __init__(self) -> None:
        super().__init__()
        self.add_state("correct", default=torch.tensor(0), dist_reduce_fx="sum")
        self.add_state("total", default=torch.tensor(0), dist_reduce_fx="sum")

    def update(self, predictions: list[str], labels: list[str]) -> None:
        self.correct += sum(p == t for p, t in zip(predictions, labels, strict=True))
        self.total += len(labels)

    def compute(self) -> torch.Tensor:
        return self.correct.float() / self.total.clamp(min=1)


class PlateCER(Metric):
    """Character error rate: sum of edit distances over sum of max(len(label), len(prediction))."""

    higher_is_better = False
    full_state_update = False

    def __init__(self) -> None:
        super().__init__()
        self.add_state("edits", default=torch.tensor(0), dist_reduce_fx="sum")
        self.add_state("length", default=torch.tensor(0), dist_reduce_fx="sum")

    def update(self, predictions: list[str], labels: list[str]) -> None:
        for prediction, label in zip(predictions, labels, strict=True):
            self.edits += Levenshtein.distance(prediction, label)
            self.length += max(len(prediction), len(label))

    def compute(self) -> torch.Tensor:
        return self.edits.float() / self.length.clamp(min=1)
