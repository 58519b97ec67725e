"""The generator's settings as conf/renderer/ writes them: their only home; code outside a Hydra run (the
`synth` and `export` commands, benchmarks, tests) builds its renderer from there too."""

from __future__ import annotations

from typing import Any

import hydra
from omegaconf import DictConfig

from plate_ocr.configs import CONF_DIR, compose_config
from plate_ocr.synth.renderer import PlateRenderer

DEFAULT_RENDERER = "plates"


def renderer_config(name: str = DEFAULT_RENDERER, **overrides: Any) -> DictConfig:
    """conf/renderer/NAME.yaml with the files it extends, `overrides` replacing its arguments whole (a
    mapping such as `provinces` replaces the configured one, it is not merged into it)."""
    if not (CONF_DIR / "renderer" / f"{name}.yaml").is_file():
        known = sorted(path.stem for path in (CONF_DIR / "renderer").glob("*.yaml"))
        raise ValueError(f"renderer={name} is not one of {', '.join(known)}")
    config = compose_config(f"renderer/{name}").renderer
    for key, value in overrides.items():
        if key not in config:
            arguments = ", ".join(known for known in config if known != "_target_")
            raise ValueError(f"the renderer has no argument {key!r}; it has {arguments}")
        config[key] = value
    return config


def default_renderer(name: str = DEFAULT_RENDERER, **overrides: Any) -> PlateRenderer:
    """The renderer `renderer_config(name, **overrides)` describes."""
    return hydra.utils.instantiate(renderer_config(name, **overrides))
