"""Finding the checkpoint a killed run left behind, for `python train.py ckpt_path=last`."""

from __future__ import annotations

from pathlib import Path

# What conf/callbacks/default.yaml writes: last.ckpt after every validation, latest.ckpt every N steps.
RESUMABLE = ("last.ckpt", "latest.ckpt")


def find_last_checkpoint(runs_dir: str | Path) -> Path:
    """The most recently written `checkpoints/last.ckpt` or `checkpoints/latest.ckpt` under `runs_dir`.

    Lightning writes checkpoints to a temporary file and moves it into place, so a run killed
    while saving leaves its previous checkpoint intact and never a half-written one under that name.
    """
    candidates = sorted(
        (path for name in RESUMABLE for path in Path(runs_dir).glob(f"**/checkpoints/{name}")),
        key=lambda p: p.stat().st_mtime,
    )
    if not candidates:
        raise FileNotFoundError(
            f"ckpt_path=last: no checkpoints/{' or '.join(RESUMABLE)} under {runs_dir}; pass ckpt_path=PATH"
        )
    return candidates[-1]


def resolve_ckpt_path(ckpt_path: str | None, runs_dir: str | Path) -> str | None:
    """`last` means the newest last.ckpt of earlier runs; any other value is a path that must exist."""
    if ckpt_path is None:
        return None
    if ckpt_path == "last":
        return str(find_last_checkpoint(runs_dir))
    if not Path(ckpt_path).is_file():
        raise FileNotFoundError(f"ckpt_path={ckpt_path}: no such checkpoint")
    return ckpt_path
