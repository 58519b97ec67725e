"""The options of a conf/ group, for commands that offer them (`--renderer`, `--tta`) as train.py does."""

from __future__ import annotations

from typing import Any

import hydra

from plate_ocr.configs import CONF_DIR, compose_config


def options(group: str) -> list[str]:
    """The option names of conf/`group`/, sorted."""
    return sorted(path.stem for path in (CONF_DIR / group).glob("*.yaml"))


def instantiate(group: str, option: str) -> Any:
    """The object conf/`group`/`option`.yaml describes."""
    return hydra.utils.instantiate(compose_config(f"{group}/{option}")[group])
