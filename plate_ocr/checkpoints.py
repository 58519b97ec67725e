"""Loading recognisers and weights safely: stock loader, `weights_only=True`, clear errors."""

from __future__ import annotations

from pathlib import Path

import torch

from plate_ocr.system import PlateRecognizer


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, unreadable or does not fit the model asked for."""


def read_checkpoint(path: str | Path) -> dict:
    """The checkpoint dict at `path`, loaded without unpickling arbitrary objects."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for truncated or foreign files
        raise CheckpointError(f"cannot read checkpoint {path}: {error}") from error
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
        raise CheckpointError(f"{path} is not a plate_ocr checkpoint (no state_dict)")
    return checkpoint


def load_recognizer(path: str | Path) -> PlateRecognizer:
    """Rebuild a recogniser (network, alphabet, image size) from its checkpoint alone."""
    checkpoint = read_checkpoint(path)
    hparams = checkpoint.get("hyper_parameters")
    if not hparams or "net" not in hparams:
        raise CheckpointError(f"{path} carries no model config (hyper_parameters.net)")
    model = PlateRecognizer(**hparams)
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


def init_weights(model: PlateRecognizer, path: str | Path) -> None:
    """Copy the weights of checkpoint `path` into `model`; alphabet and image size must match."""
    checkpoint = read_checkpoint(path)
    hparams = checkpoint.get("hyper_parameters", {})
    for key in ("alphabet", "image_size", "net"):
        if key in hparams and hparams[key] != model.hparams[key]:
            raise CheckpointError(
                f"init_from={path}: its {key} ({hparams[key]!r}) differs from "
                f"this model's ({model.hparams[key]!r})"
            )
    model.load_state_dict(checkpoint["state_dict"])
