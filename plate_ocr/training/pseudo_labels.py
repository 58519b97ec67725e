"""Pseudo-labels for unlabelled crops: each crop is read in several framings (plate_ocr.decoding.tta), the
readings vote, and the winner is kept as a training label only when it is a valid plate that enough framings
agree on, confidently. What self-training (plate_ocr.training.adapt) learns from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from plate_ocr.charset import Charset
from plate_ocr.data.crops import read_image
from plate_ocr.decoding.grammar import plate_automaton
from plate_ocr.decoding.greedy import Decoded, greedy_decode
from plate_ocr.decoding.registry import Decoder
from plate_ocr.decoding.tta import ReframingVote, vote
from plate_ocr.preprocess import preprocess_batch


@dataclass(frozen=True)
class PseudoLabel:
    """One crop's reading. `text` is the framings' vote, `once` the plain crop read greedily (what
    `evaluate.py` reads); `agreement` is the share of framings that read `text`, `confidence` their mean
    confidence; `kept` says whether `text` passed the selection."""

    path: str
    text: str
    once: str
    confidence: float
    agreement: float
    kept: bool


def select(
    path: str,
    readings: Sequence[Decoded],
    once: str,
    accepts: Callable[[str], bool],
    min_confidence: float,
    min_agreement: float,
) -> PseudoLabel:
    """The voted reading of one crop's `readings` (one per framing, the plain crop's first), kept when
    `accepts` it as a plate, at least `min_agreement` of the framings read it, with a mean confidence of
    at least `min_confidence`."""
    text = vote(readings).text
    agreeing = [reading.confidence for reading in readings if reading.text == text]
    agreement = len(agreeing) / len(readings)
    confidence = sum(agreeing) / len(agreeing)
    kept = accepts(text) and agreement >= min_agreement and confidence >= min_confidence
    return PseudoLabel(path, text, once, confidence, agreement, kept)


def label_views(
    view_logits: Sequence[torch.Tensor],
    paths: Sequence[str],
    charset: Charset,
    decode: Decoder,
    min_confidence: float,
    min_agreement: float,
) -> list[PseudoLabel]:
    """Pseudo-labels of a batch from its (N, T, C) logits in every framing, the plain crop's first."""
    automaton = plate_automaton(charset.alphabet, charset.plate_lengths)
    per_view = [decode(logits, charset) for logits in view_logits]
    once = greedy_decode(view_logits[0], charset)
    thresholds = (min_confidence, min_agreement)
    return [
        select(path, [view[i] for view in per_view], once[i].text, automaton.accepts, *thresholds)
        for i, path in enumerate(paths)
    ]


def pseudo_label(
    model: Callable[[torch.Tensor], torch.Tensor],
    paths: Sequence[str],
    charset: Charset,
    image_size: tuple[int, int],
    decode: Decoder,
    tta: ReframingVote | None,
    min_confidence: float,
    min_agreement: float,
    batch_size: int = 64,
) -> list[PseudoLabel]:
    """Read every crop file in `paths` with `model` ((N, 1, H, W) inputs to (N, T, C) logits) in each of
    `tta`'s framings (only the plain crop without it) and select pseudo-labels."""
    labels: list[PseudoLabel] = []
    for start in range(0, len(paths), batch_size):
        chunk = paths[start : start + batch_size]
        images = preprocess_batch([read_image(path, gray=True) for path in chunk], image_size)
        with torch.inference_mode():
            view_logits = [model(view) for view in (tta.views(images) if tta else [images])]
        labels += label_views(view_logits, chunk, charset, decode, min_confidence, min_agreement)
    return labels
