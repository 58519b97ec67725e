"""Average the weights of runs trained on from one start point (a uniform model soup, Wortsman et al. 2022).

Runs continued from the same checkpoint stay in one basin of the loss, and the mean of their weights
usually reads better than any one of them, at the cost of one model. Floating-point tensors, batch-norm
statistics included, are averaged; integer buffers (batch-norm step counts) are taken from the first.
The hyperparameters, epoch and step are the first checkpoint's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch

from plate_ocr.checkpoints import ARCHITECTURE_KEYS, CheckpointError, read_checkpoint, write_slim_checkpoint


def average_states(states: Sequence[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """The mean of state dicts with the same keys and shapes; integer tensors come from the first."""
    first = states[0]
    averaged = {}
    for name, tensor in first.items():
        if tensor.is_floating_point():
            averaged[name] = torch.stack([state[name] for state in states]).mean(dim=0)
        else:
            averaged[name] = tensor.clone()
    return averaged


def soup(sources: Sequence[str | Path], target: str | Path) -> Path:
    """Write the weight average of checkpoints `sources` as `target`; they must share one architecture."""
    if len(sources) < 2:
        raise ValueError(f"a soup needs at least two checkpoints, got {len(sources)}")
    checkpoints = [read_checkpoint(source) for source in sources]
    first = checkpoints[0]
    for source, checkpoint in zip(sources[1:], checkpoints[1:]):
        for key in ARCHITECTURE_KEYS:
            if checkpoint["hyper_parameters"].get(key) != first["hyper_parameters"].get(key):
                raise CheckpointError(f"{source}: its {key} differs from that of {sources[0]}")
        if checkpoint["state_dict"].keys() != first["state_dict"].keys():
            raise CheckpointError(f"{source}: its weights are named differently from those of {sources[0]}")
    state = average_states([checkpoint["state_dict"] for checkpoint in checkpoints])
    return write_slim_checkpoint(target, state, first["hyper_parameters"], first)
