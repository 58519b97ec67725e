"""A folder's own labels: `labels.tsv` beside its crops, one `file<TAB>plate` line per labelled crop, as the
labelling page writes it (`plate-ocr label DIR`) and `data=labelled` reads it. Crop names may carry plates
too (`<anything>-<plate>.jpg`); where both say something, they must agree."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from plate_ocr.charset import Charset
from plate_ocr.data.crops import image_files, label_from_filename
from plate_ocr.data.records import PlateRecord

LABELS_FILE = "labels.tsv"
# The plate of a crop a person marked unreadable: never a plate, so never trained on.
UNREADABLE = "-"


class LabelsFileError(ValueError):
    """A labels.tsv that does not parse, names a missing crop, or disagrees with a crop's name."""


def read_labels(folder: str | Path) -> dict[str, str]:
    """File name -> plate (or UNREADABLE) from `folder`/labels.tsv; empty when there is none."""
    path = Path(folder) / LABELS_FILE
    if not path.is_file():
        return {}
    labels: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0] or not fields[1]:
            raise LabelsFileError(f"{path}, line {number}: expected `file<TAB>plate`, got {line!r}")
        labels[fields[0]] = fields[1]
    return labels


def write_labels(folder: str | Path, labels: Mapping[str, str]) -> Path:
    """Write `labels` to `folder`/labels.tsv atomically: a temporary file moved into place, so a reader
    (or a server killed mid-write) never sees half a file."""
    path = Path(folder) / LABELS_FILE
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{LABELS_FILE}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.writelines(f"{name}\t{plate}\n" for name, plate in sorted(labels.items()))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def labelled_records(folder: str | Path, subset: str, charset: Charset) -> list[PlateRecord]:
    """The crops of `folder` a label is known for: from labels.tsv where it has one (crops marked
    unreadable left out), else from names that carry a valid plate. A name's plate that labels.tsv
    contradicts is an error naming the file."""
    files = {path.name: path for path in image_files(folder)}
    from_file = read_labels(folder)
    missing = sorted(set(from_file) - set(files))
    if missing:
        raise LabelsFileError(f"{Path(folder) / LABELS_FILE} labels {missing[0]}, which is not in {folder}")
    records = []
    for name, path in files.items():
        named = label_from_filename(name)
        named = named if charset.problem(named) is None else None
        label = from_file.get(name, named)
        if named and name in from_file and from_file[name] not in (named, UNREADABLE):
            raise LabelsFileError(
                f"{path}: labels.tsv says {from_file[name]} but the file name says {named}; fix one of them"
            )
        if label and label != UNREADABLE:
            records.append(PlateRecord(str(path), label, subset))
    return records
