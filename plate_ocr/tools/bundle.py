"""Make the bundled model from a training checkpoint: weights and hyperparameters only."""

from __future__ import annotations

from pathlib import Path

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, read_checkpoint, write_slim_checkpoint


def bundle(source: str | Path, target: str | Path = BUNDLED_CHECKPOINT) -> Path:
    """Write `source` without optimiser or trainer state; check that the result loads."""
    checkpoint = read_checkpoint(source)
    weights = {name: tensor.clone() for name, tensor in checkpoint["state_dict"].items()}
    return write_slim_checkpoint(target, weights, checkpoint["hyper_parameters"], checkpoint)
