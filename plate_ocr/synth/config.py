"""The generator's settings as conf/renderer/ writes them: their only home; code outside a Hydra run (the
`synth` and `export` commands, benchmarks, tests) builds its renderer from there too."""

from __future__ import annotations

from typing import Any

import hydra
from omegaconf import DictConfig

from plate_ocr.configs import CONF_DIR, compose_config
from plate_ocr.synth.renderer import PlateRenderer

DEFAULT_RENDERER = "plates"


def renderer_config(name: str = DEFAULT_RENDERER) -> DictConfig:
    """conf/renderer/NAME.yaml with the files it extends."""
    if not (CONF_DIR / "renderer" / f"{name}.yaml").is_file():
        known = sorted(path.stem for path in (CONF_DIR / "renderer").glob("*.yaml"))
        raise ValueError(f"renderer={name} is not one of {', '.join(known)}")
    return compose_config(f"renderer/{name}").renderer


def default_renderer(name: str = DEFAULT_RENDERER, **overrides: Any) -> PlateRenderer:
    """The renderer conf/renderer/NAME.yaml describes, with `overrides` replacing its arguments (a mapping
    such as `provinces` replaces the configured one whole, it is not merged into it)."""
    config = renderer_config(name)
    for key, value in overrides.items():
        config[key] = value
    return hydra.utils.instantiate(config)
