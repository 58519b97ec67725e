"""The options of a conf/ group, for commands that offer them (`--renderer`, `--tta`) as train.py does."""

from __future__ import annotations

import argparse
from typing import Any

import hydra

from plate_ocr.configs import CONF_DIR, compose_config
from plate_ocr.synth.config import DEFAULT_RENDERER


def options(group: str) -> list[str]:
    """The option names of conf/`group`/, sorted."""
    return sorted(path.stem for path in (CONF_DIR / group).glob("*.yaml"))


def instantiate(group: str, option: str) -> Any:
    """The object conf/`group`/`option`.yaml describes."""
    return hydra.utils.instantiate(compose_config(f"{group}/{option}")[group])


def add_renderer_options(parser: argparse.ArgumentParser, drawn: str = "the plates") -> None:
    """`--renderer NAME` (a conf/renderer/ option) and `--faces A,B` (the hanzi's faces) for `drawn`."""
    parser.add_argument(
        "--renderer",
        choices=options("renderer"),
        default=DEFAULT_RENDERER,
        help=f"conf/renderer/ option that draws {drawn} (default: {DEFAULT_RENDERER})",
    )
    parser.add_argument(
        "--faces", help=f"Chinese faces of {drawn}' hanzi, comma-separated (default: the renderer's)"
    )


def renderer_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The renderer arguments `--faces` replaces."""
    return {"chinese_faces": args.faces.split(",")} if args.faces else {}
