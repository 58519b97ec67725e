"""Widen a CRNN checkpoint's conv stages without changing what it reads (Net2Net, Chen et al. 2016).

Each added channel copies an existing one (its filter, bias and batch-norm statistics); the next layer
splits the copied channel's incoming weight evenly among the copies, so the wider network computes the same
logits. A little noise on the copies' filters lets training pull them apart. Train on from the result
with `python train.py init_from=PATH` (init_from builds the checkpoint's network): the wider network starts
where the narrow one stopped instead of from nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

import torch

from plate_ocr.checkpoints import CheckpointError, read_checkpoint, write_slim_checkpoint

# state_dict prefixes of the CRNN's convolutions (each followed by its batch norm) and of its first LSTM.
CONV = "net.features.{}"
LSTM_INPUTS = ("net.rnn.weight_ih_l0", "net.rnn.weight_ih_l0_reverse")


def _conv_indices(state: dict[str, torch.Tensor]) -> list[int]:
    """Positions in `net.features` of the 4-d (convolution) weights, in order."""
    return sorted(
        int(name.split(".")[2])
        for name, tensor in state.items()
        if name.startswith("net.features.") and name.endswith(".weight") and tensor.dim() == 4
    )


def widen_state(
    state: dict[str, torch.Tensor],
    channels: Sequence[int],
    noise: float = 0.01,
    generator: torch.Generator | None = None,
) -> dict[str, torch.Tensor]:
    """A CRNN state_dict with conv stage i widened to `channels[i]` output channels."""
    wide = dict(state)
    convs = _conv_indices(state)
    if len(convs) != len(channels):
        raise ValueError(f"the network has {len(convs)} conv stages, got {len(channels)} widths")
    incoming: tuple[torch.Tensor, torch.Tensor] | None = None  # (source of each input, copies of each)
    for stage, (index, width) in enumerate(zip(convs, channels), start=1):
        conv, norm = CONV.format(index), CONV.format(index + 1)
        weight = wide[f"{conv}.weight"]
        if incoming is not None:
            source, copies = incoming
            weight = weight[:, source] / copies[source][None, :, None, None]
        narrow = weight.shape[0]
        if width < narrow:
            raise ValueError(f"conv stage {stage} has {narrow} channels; cannot narrow to {width}")
        source = torch.cat(
            [torch.arange(narrow), torch.randint(narrow, (width - narrow,), generator=generator)]
        )
        weight = weight[source]
        is_copy = (torch.arange(width) >= narrow).to(weight.dtype)[:, None, None, None]
        weight = weight + noise * weight.std() * torch.randn(weight.shape, generator=generator) * is_copy
        wide[f"{conv}.weight"], wide[f"{conv}.bias"] = weight, wide[f"{conv}.bias"][source]
        for name in ("weight", "bias", "running_mean", "running_var"):
            wide[f"{norm}.{name}"] = wide[f"{norm}.{name}"][source]
        incoming = (source, torch.bincount(source, minlength=narrow).to(weight.dtype))
    source, copies = incoming
    for name in LSTM_INPUTS:
        wide[name] = wide[name][:, source] / copies[source][None, :]
    return wide


def widen(
    source: str | Path, target: str | Path, channels: Sequence[int], noise: float = 0.01, seed: int = 0
) -> Path:
    """Write checkpoint `source` widened to `channels` as `target` (weights and hyperparameters only)."""
    checkpoint = read_checkpoint(source)
    hparams = copy.deepcopy(checkpoint.get("hyper_parameters") or {})
    if "channels" not in hparams.get("net", {}):
        raise CheckpointError(f"{source} is not a CRNN checkpoint (no hyper_parameters.net.channels)")
    hparams["net"]["channels"] = list(channels)
    generator = torch.Generator().manual_seed(seed)
    state = widen_state(checkpoint["state_dict"], channels, noise, generator)
    return write_slim_checkpoint(target, state, hparams, checkpoint)
