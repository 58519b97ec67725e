"""Loading recognisers and weights safely: stock loader, `weights_only=True`, clear errors."""

from __future__ import annotations

import logging
from pathlib import Path

import torch
from omegaconf import DictConfig, OmegaConf, open_dict

from plate_ocr.plate_format import DEFAULT_ALPHABET
from plate_ocr.system import PlateRecognizer

# What a checkpoint's weights fit: the hyperparameters that shape the network and its input and output.
ARCHITECTURE_KEYS = ("net", "image_size", "alphabet")

# The model shipped in the package, trained on synthetic plates only (docs/experiments.md tells how).
BUNDLED_CHECKPOINT = Path(__file__).resolve().parent / "assets" / "bundled.ckpt"

log = logging.getLogger(__name__)


class CheckpointError(ValueError):
    """A checkpoint that is missing, unreadable or does not fit the model asked for (bad input, like
    plate_ocr.data.crops.ImageError)."""


def checkpoint_path(name: str | Path | None) -> Path:
    """A checkpoint path; `None` or `bundled` mean the model shipped in the package."""
    return BUNDLED_CHECKPOINT if name is None or str(name) == "bundled" else Path(name)


def read_checkpoint(path: str | Path) -> dict:
    """The checkpoint dict at `path` (or the bundled one), loaded without unpickling arbitrary objects."""
    path = checkpoint_path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types, with long or bare messages, for bad files
        raise CheckpointError(
            f"cannot read checkpoint {path}: truncated, corrupt, not written by torch.save, or holding "
            f"objects other than plain values ({type(error).__name__})"
        ) from error
    if not isinstance(checkpoint, dict) or "state_dict" not in checkpoint:
        raise CheckpointError(f"{path} is not a plate_ocr checkpoint (no state_dict)")
    return checkpoint


def load_recognizer(path: str | Path | None = None) -> PlateRecognizer:
    """Rebuild a recogniser (network, alphabet, image size) from its checkpoint alone."""
    checkpoint = read_checkpoint(path)
    hparams = checkpoint.get("hyper_parameters")
    if not hparams or "net" not in hparams:
        raise CheckpointError(f"{path} carries no model config (hyper_parameters.net)")
    model = PlateRecognizer(**hparams)
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


def write_slim_checkpoint(
    target: str | Path, state_dict: dict[str, torch.Tensor], hparams: dict, source: dict
) -> Path:
    """Save weights and hyperparameters only (no optimiser or trainer state), with the epoch and step of the
    `source` checkpoint they came from; check that the file loads."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    slim = {
        "state_dict": state_dict,
        "hyper_parameters": hparams,
        "epoch": source.get("epoch"),
        "global_step": source.get("global_step"),
    }
    torch.save(slim, target)
    load_recognizer(target)
    return target


def widened_alphabet(alphabet: str, configured: str) -> str:
    """`alphabet` followed by the characters of `configured` it lacks: a checkpoint's alphabet grown to the
    plate format's keeps every output it has at its index."""
    return alphabet + "".join(char for char in configured if char not in alphabet)


def with_architecture_of(model_config: DictConfig, path: str | Path) -> DictConfig:
    """`model_config` with the network and image size of checkpoint `path`, and its alphabet widened by
    the configured one's other characters (by default the plate format's), the architecture its weights fit
    (init_weights gives the new characters fresh output rows); the optimiser, scheduler and the rest stay as
    configured. Logs what it replaces."""
    hparams = read_checkpoint(path).get("hyper_parameters", {})
    configured_values = OmegaConf.to_container(model_config)
    adopted = model_config.copy()
    with open_dict(adopted):
        for key in (key for key in ARCHITECTURE_KEYS if key in hparams):
            configured = configured_values.get(key)
            value = hparams[key]
            if key == "alphabet":
                value = widened_alphabet(value, configured or DEFAULT_ALPHABET)
                if value != hparams[key]:
                    log.info("init_from: %s's alphabet gains %s", path, value[len(hparams[key]) :])
            elif configured is not None and configured != value:
                log.info("init_from: model.%s from %s: %s (configured: %s)", key, path, value, configured)
            adopted[key] = value
    return adopted


def require_architecture(
    model: PlateRecognizer, checkpoint: dict, option: str, widening: bool = False
) -> None:
    """Raise CheckpointError when the `checkpoint` (given as `option`, e.g. `init_from=PATH`) holds weights
    of another network, alphabet or image size than `model`'s; with `widening`, `model`'s alphabet may
    extend the checkpoint's."""
    hparams = checkpoint.get("hyper_parameters", {})
    for key in ARCHITECTURE_KEYS:
        if widening and key == "alphabet" and model.hparams[key].startswith(hparams.get(key, "")):
            continue
        if key in hparams and hparams[key] != model.hparams[key]:
            raise CheckpointError(
                f"{option}: its {key} ({hparams[key]!r}) differs from this model's ({model.hparams[key]!r})"
            )


def with_new_outputs(state: dict[str, torch.Tensor], model: PlateRecognizer) -> dict[str, torch.Tensor]:
    """A checkpoint's `state` fitted to `model`, whose alphabet extends the checkpoint's: the output layer
    keeps its rows and takes `model`'s fresh ones for the new characters, their biases at the lowest old one
    so that the network does not start out reading them."""
    fitted = dict(state)
    for name, fresh in model.state_dict().items():
        old = state.get(name)
        if old is None or old.shape == fresh.shape:
            continue
        if old.shape[1:] != fresh.shape[1:] or old.shape[0] > fresh.shape[0]:
            raise CheckpointError(
                f"init_from: {name} is {tuple(old.shape)}, this model's {tuple(fresh.shape)}"
            )
        grown = fresh.clone()
        grown[: old.shape[0]] = old
        if old.dim() == 1:  # the bias
            grown[old.shape[0] :] = old.min()
        fitted[name] = grown
    return fitted


def init_weights(model: PlateRecognizer, path: str | Path) -> None:
    """Copy the weights of checkpoint `path` into `model`; network and image size must match, and `model`'s
    alphabet must be the checkpoint's or extend it (new characters get new output rows)."""
    checkpoint = read_checkpoint(path)
    require_architecture(model, checkpoint, f"init_from={path}", widening=True)
    model.load_state_dict(with_new_outputs(checkpoint["state_dict"], model))
    log.info(
        "init_from: weights of %s (saved at epoch %s, step %s) loaded; the optimiser starts fresh",
        path,
        checkpoint.get("epoch", "?"),
        checkpoint.get("global_step", "?"),
    )
