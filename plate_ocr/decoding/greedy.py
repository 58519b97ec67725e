"""CTC decoding: pure functions from per-step class scores to plate strings."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from plate_ocr.charset import Charset


@dataclass(frozen=True)
class Decoded:
    """A decoded plate and the probability of the greedy path that produced it."""

    text: str
    confidence: float


def collapse(path: list[int], blank: int = 0) -> list[int]:
    """Merge repeated classes, then drop blanks (the CTC many-to-one map)."""
    collapsed = []
    previous = None
    for index in path:
        if index != previous and index != blank:
            collapsed.append(index)
        previous = index
    return collapsed


def greedy_decode(logits: torch.Tensor, charset: Charset) -> list[Decoded]:
    """Best class per time step, collapsed; `logits` is (batch, time, classes).

    Confidence is the product of the per-step maximum probabilities, i.e. the probability of
    the single best alignment.
    """
    log_probs = logits.detach().float().log_softmax(-1)
    best_log_probs, best_paths = log_probs.max(-1)
    confidences = best_log_probs.sum(-1).exp().tolist()
    return [
        Decoded(charset.decode(collapse(path)), confidence)
        for path, confidence in zip(best_paths.tolist(), confidences)
    ]
