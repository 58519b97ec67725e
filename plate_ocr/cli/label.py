"""Label a folder of crops fast, in a local web page: each crop enlarged with the model's reading filled in,
Enter saves it (corrected or accepted) and moves on. The crops whose labels teach the model most come first;
every label is saved at once to DIR/labels.tsv (atomically), so stopping and starting again resumes.

The page is served on 127.0.0.1 only. Keys: Enter save and next, Esc unreadable, ↓ skip, ↑ back.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import webbrowser

from plate_ocr.charset import Charset
from plate_ocr.cli import config_groups
from plate_ocr.data.labels_file import read_labels
from plate_ocr.inference.reader import open_reader
from plate_ocr.labelling.order import NEEDS_FRAMINGS, STRATEGIES, read_folder
from plate_ocr.labelling.server import bind, create_app, serve, url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="a folder of crops; labels go to DIR/labels.tsv")
    parser.add_argument("--ckpt", help="checkpoint or .onnx file that pre-fills readings (default: bundled)")
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765; 0: any)")
    parser.add_argument(
        "--order",
        choices=STRATEGIES,
        default="disagreement",
        help="which crops first: framings that disagree (the default, measured best in docs/finetune.md), "
        "least confident, rarest provinces read, those in turn (mixed) or random",
    )
    parser.add_argument("--no-browser", action="store_true", help="print the address, open no browser")


def run(args: argparse.Namespace) -> None:
    read_labels(args.folder)  # a labels.tsv that does not parse is said before minutes of reading
    started = time.perf_counter()
    reader = open_reader(args.ckpt)
    tta = config_groups.instantiate("tta", "reframe") if args.order in NEEDS_FRAMINGS else None
    readings = read_folder(
        args.folder, reader, tta, skip=lambda error: print(f"skipped: {error}", file=sys.stderr)
    )
    if not readings:
        raise ValueError(f"no crop of {args.folder} could be read (each is named above)")
    framings = f"in {len(tta.reframings)} framings " if tta else ""
    print(f"read {len(readings)} crops {framings}in {time.perf_counter() - started:.1f} s", flush=True)
    # Labels are checked against the plate format's every type, whatever the model can write yet.
    app = create_app(args.folder, readings, Charset(), args.order)
    sock = bind(args.port)
    address = url(sock)
    progress = app.state.session.progress()
    print(f"{progress['labelled']} of {progress['total']} labelled; label them at {address} (Ctrl+C stops)")
    sys.stdout.flush()
    if not args.no_browser:
        threading.Timer(0.5, webbrowser.open, [address]).start()
    serve(app, sock)
