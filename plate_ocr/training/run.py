"""Instantiating a whole config group (`callbacks`, `logger`) at once, as train.py and adapt runs do."""

from __future__ import annotations

from typing import Any

import hydra
from omegaconf import DictConfig


def instantiate_all(config: DictConfig | None, **overrides: Any) -> list:
    """Instantiate every entry of a group like `callbacks` or `logger` (empty when null), each with
    `overrides` as extra keyword arguments."""
    nodes = (config or {}).values()
    return [hydra.utils.instantiate(node, **overrides) for node in nodes if node is not None]
