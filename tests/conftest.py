"""Shared helpers: compose the project's configs and run its entry points in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plate_ocr.checkpoints import BUNDLED_CHECKPOINT, read_checkpoint

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

# The bundled network's conv widths, and wider ones to widen it to.
BUNDLED_CHANNELS = read_checkpoint(BUNDLED_CHECKPOINT)["hyper_parameters"]["net"]["channels"]
WIDER = [width + 8 for width in BUNDLED_CHANNELS[:-1]] + [BUNDLED_CHANNELS[-1] + 64]

# A few tiny synthetic batches: enough to exercise every stage in seconds.
TINY_SYNTH = [
    "data.sources.train_size=64",
    "data.sources.val_size=32",
    "data.sources.test_size=32",
    "data.batch_size=16",
    "data.eval_batch_size=16",
    "data.num_workers=0",
]


def run_entry(script: str, *overrides: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run train.py or evaluate.py with overrides; fail with its output when it exits non-zero."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / script), *overrides],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{script} {' '.join(overrides)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture
def shared_data() -> Path:
    """The real CCPD samples beside the project; tests using them skip when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
