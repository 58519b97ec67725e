"""Make the bundled model from a training checkpoint: weights and hyperparameters only.

python -m plate_ocr.tools.bundle logs/train/runs/<run>/checkpoints/last.ckpt [plate_ocr/assets/bundled.ckpt]
"""

from __future__ import annotations

import sys
from pathlib import Path

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, read_checkpoint, write_slim_checkpoint


def bundle(source: str | Path, target: str | Path = BUNDLED_CHECKPOINT) -> Path:
    """Write `source` without optimiser or trainer state; check that the result loads."""
    checkpoint = read_checkpoint(source)
    weights = {name: tensor.clone() for name, tensor in checkpoint["state_dict"].items()}
    return write_slim_checkpoint(target, weights, checkpoint["hyper_parameters"], checkpoint)


def main() -> None:
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    target = bundle(*sys.argv[1:])
    print(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
