"""Shared helpers: the entry points run as users run them, tiny synthetic data, the shared samples."""

from __future__ import annotations

import io
import logging
import os
import runpy
import subprocess
import sys
import warnings
from contextlib import redirect_stderr, redirect_stdout
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
    """Run train.py or evaluate.py with overrides as a user does; fail with its output when it exits non-zero.

    A single run goes in this process (the entry point run as `__main__`, its output captured), which spares
    the seconds of importing torch and Lightning again; sweeps (`-m`) and DDP spawn processes of their own,
    so they run in a subprocess as on the command line."""
    if "-m" in overrides or any(override.startswith("trainer=ddp") for override in overrides):
        return _run_in_subprocess(script, overrides, timeout)
    return _run_in_process(script, overrides)


def _fail_unless_ok(script: str, overrides: tuple[str, ...], result: subprocess.CompletedProcess) -> None:
    if result.returncode != 0:
        pytest.fail(
            f"{script} {' '.join(overrides)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )


def _run_in_subprocess(script: str, overrides: tuple[str, ...], timeout: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / script), *overrides],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    _fail_unless_ok(script, overrides, result)
    return result


def _run_in_process(script: str, overrides: tuple[str, ...]) -> subprocess.CompletedProcess:
    """The entry point as `python script overrides...` runs it, in this process; what it changes of the
    process (environment, logging, working directory, warning filters) is put back afterwards."""
    stdout, stderr = io.StringIO(), io.StringIO()
    root, environment, argv, cwd = logging.getLogger(), dict(os.environ), sys.argv, os.getcwd()
    handlers, level = list(root.handlers), root.level
    returncode = 0
    try:
        os.chdir(PROJECT_ROOT)
        sys.argv = [script, *overrides]
        with warnings.catch_warnings(), redirect_stdout(stdout), redirect_stderr(stderr):
            warnings.simplefilter("ignore")
            try:
                runpy.run_path(str(PROJECT_ROOT / script), run_name="__main__")
            except SystemExit as exit_:
                returncode = exit_.code if isinstance(exit_.code, int) else 1
                print(exit_.code or "", file=sys.stderr)
    finally:
        os.chdir(cwd)
        sys.argv = argv
        os.environ.clear()
        os.environ.update(environment)
        root.handlers[:], root.level = handlers, level
    result = subprocess.CompletedProcess(
        [script, *overrides], returncode, stdout.getvalue(), stderr.getvalue()
    )
    _fail_unless_ok(script, overrides, result)
    return result


@pytest.fixture
def shared_data() -> Path:
    """The real CCPD samples beside the project; tests using them skip when they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
