"""The project's Hydra configs (conf/) for code that runs outside a Hydra app: tools, the `plate-ocr` command,
tests. conf/ is the one home of every default it holds; Python reads them from there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import DictConfig

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


@contextmanager
def _config_dir() -> Iterator[None]:
    """Hydra's compose API pointed at conf/, inside a Hydra app (which already has it) or outside one."""
    if GlobalHydra.instance().is_initialized():
        yield
        return
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        yield


def compose_config(config_name: str, overrides: list[str] | None = None) -> DictConfig:
    """A config composed as the entry points compose it: `train`, `evaluate` or a group's `GROUP/NAME`."""
    with _config_dir():
        return compose(config_name=config_name, overrides=list(overrides or []))


def default_image_size() -> tuple[int, int]:
    """(height, width) of the network input of the default model config, for tools that render or read
    without a checkpoint."""
    height, width = compose_config("train").model.image_size
    return int(height), int(width)
