"""`plate-ocr`: the package's one command, a subcommand per job. `train` and `evaluate` hand their Hydra
overrides to train.py and evaluate.py; each other subcommand is a module of plate_ocr.cli with
`add_arguments(parser)` and `run(args)`, imported only when it is the one asked for (so that `--help` and
`train` do not wait for torch).

Bad input (a missing folder, a missing or corrupt checkpoint or .onnx file, a bad value) is one line on
stderr, `error: ...`, and exit status 1; a usage error exits 2."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from collections.abc import Sequence

from hydra.errors import InstantiationException

from plate_ocr.configs import CONF_DIR

# Bad input, said in one line; CheckpointError and ImageError are ValueErrors.
BAD_INPUT = (OSError, ValueError)

# subcommand: what it does, as `plate-ocr --help` lists it
COMMANDS = {
    "predict": "read plates from crops with a checkpoint or an exported .onnx file",
    "export": "export a checkpoint to ONNX (fp32 or int8) and check it against PyTorch",
    "bench": "speed and memory of inference, decoding and training steps (BENCHMARKS.md)",
    "synth": "synthetic plates: a preview grid, labelled crops, a shard, statistics beside your crops",
    "probe": "which image changes a model reads a folder of crops better under; their synthetic twins",
    "soup": "average the weights of runs trained on from one start point",
    "widen": "widen a CRNN checkpoint's conv stages without changing what it reads",
    "bundle": "a training checkpoint as weights and hyperparameters only (the bundled model)",
    "loader-bench": "images/s of the training data loader, configured as for train.py",
    "label": "label a folder of crops in a local web page, the model's reading filled in",
}
# Hydra entry points in the repository root: everything after the subcommand goes to them unparsed.
FORWARDED = {
    "train": "python train.py OVERRIDES... (Hydra: group=option key=value, -m for sweeps; --help lists them)",
    "evaluate": "python evaluate.py OVERRIDES... (Hydra, as train; --help lists them)",
}


def forward(script: str, overrides: Sequence[str]) -> int:
    """Run `script` of the repository root with this interpreter; its exit status."""
    path = CONF_DIR.parent / script
    if not path.is_file():
        sys.exit(
            f"error: {path} not found: `plate-ocr train` and `evaluate` run from a clone (pip install -e .)"
        )
    return subprocess.run([sys.executable, str(path), *overrides], check=False).returncode


def build_parser(command: str | None) -> argparse.ArgumentParser:
    """The `plate-ocr` parser; of the subcommands, only `command`'s module is imported and given its
    arguments (the others are listed, unparsed)."""
    parser = argparse.ArgumentParser(
        prog="plate-ocr",
        description="Train, evaluate and deploy a CRNN + CTC reader for Chinese licence plates.",
        epilog="`plate-ocr COMMAND --help` describes a command and its options.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, summary in {**COMMANDS, **FORWARDED}.items():
        subparser = subparsers.add_parser(
            name, help=summary, description=summary, formatter_class=argparse.RawDescriptionHelpFormatter
        )
        if name == command:
            module = importlib.import_module(f"plate_ocr.cli.{name.replace('-', '_')}")
            subparser.description = module.__doc__
            module.add_arguments(subparser)
            subparser.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse `argv` (default: the command line) and run its subcommand."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in FORWARDED:
        sys.exit(forward(f"{argv[0]}.py", argv[1:]))
    command = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(command).parse_args(argv)
    try:
        args.run(args)
    except BrokenPipeError:  # the reader of our output has gone (`plate-ocr predict DIR | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        sys.exit(1)
    except BAD_INPUT as error:
        sys.exit(f"error: {error}")
    except InstantiationException as error:  # Hydra wraps what a configured object raised (an unknown face)
        if not isinstance(error.__cause__, BAD_INPUT):
            raise
        sys.exit(f"error: {error.__cause__}")


if __name__ == "__main__":
    main()
