"""Bad input files: found once, when the splits are built, and handled by the `data.on_bad` policy.

Each source reports a BadFile for every file it leaves out (unreadable, empty, truncated, not an image,
a label outside the alphabet or of the wrong length, a CCPD name that does not parse, vertices outside
the photo); `apply_policy` then fails with all of them in one message, or logs them and trains on the rest.
Missing folders and split files are not bad files: they stay errors whatever the policy.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from plate_ocr.charset import Charset
from plate_ocr.data.crops import ImageError, decode_image
from plate_ocr.data.records import PlateRecord

log = logging.getLogger(__name__)

ON_BAD = ("error", "skip")
# How many bad files an error message lists before it only counts the rest.
SHOWN = 20


@dataclass(frozen=True)
class BadFile:
    """A file left out of its split, and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class BadDataError(ValueError):
    """Some data files cannot be used and `data.on_bad` is `error`."""


def check_on_bad(on_bad: str) -> str:
    """`on_bad` itself, or a ValueError naming the config key."""
    if on_bad not in ON_BAD:
        raise ValueError(f"data.on_bad={on_bad!r}: expected one of {', '.join(ON_BAD)}")
    return on_bad


def listing(problems: Sequence[BadFile], shown: int = SHOWN) -> str:
    """One indented line per bad file, the first `shown` of them, then how many more."""
    lines = [f"  {problem}" for problem in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"  and {len(problems) - shown} more")
    return "\n".join(lines)


def apply_policy(problems: Sequence[BadFile], on_bad: str) -> None:
    """Raise BadDataError listing the bad files (`error`), or log them all (`skip`): the sources have
    already left them out."""
    if not problems:
        return
    if check_on_bad(on_bad) == "error":
        raise BadDataError(
            f"{len(problems)} bad data files (fix or remove them, or set data.on_bad=skip to train "
            f"without them):\n{listing(problems)}"
        )
    log.warning(
        "data.on_bad=skip: left out %d bad data files:\n%s", len(problems), listing(problems, len(problems))
    )


def load_image(path: str | Path) -> tuple[np.ndarray | None, str | None]:
    """The file decoded to RGB, or None and why it cannot be used."""
    try:
        return decode_image(Path(path).read_bytes()), None
    except ImageError as error:
        return None, str(error)
    except OSError as error:
        return None, f"cannot be read: {error.strerror or error}"


def label_problem(record: PlateRecord, charset: Charset) -> str | None:
    """Why the record's label cannot be a training target, or None."""
    problem = charset.problem(record.label)
    return f"label {record.label!r}: {problem}" if problem else None


def check_records(
    records: Sequence[PlateRecord], charset: Charset, decode: bool = False
) -> tuple[list[PlateRecord], list[BadFile]]:
    """Split records into usable ones and bad files: by label and, with `decode`, by decoding each image
    (a small crop decodes in a fraction of a millisecond)."""
    good, bad = [], []
    for record in records:
        problem = label_problem(record, charset) or (load_image(record.path)[1] if decode else None)
        if problem:
            bad.append(BadFile(record.path, problem))
        else:
            good.append(record)
    return good, bad
