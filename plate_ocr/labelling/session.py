"""One labelling session over a folder of crops: the crops in the order to ask for them, what the model read,
the labels saved so far in the folder's labels.tsv, and the check a label must pass before it is saved."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from plate_ocr.charset import Charset
from plate_ocr.data.labels_file import UNREADABLE, read_labels, write_labels
from plate_ocr.decoding.grammar import plate_automaton
from plate_ocr.labelling.order import CropReading, reading_order


class LabellingSession:
    """The crops `readings` of `folder`, asked in `order`. Every save reads labels.tsv, updates one crop and
    writes it back atomically, so a killed server loses no label saved before and a restart resumes."""

    def __init__(
        self,
        folder: str | Path,
        readings: Sequence[CropReading],
        charset: Charset,
        order: str = "disagreement",
        seed: int = 0,
    ) -> None:
        self.folder = Path(folder)
        self.charset = charset
        self.strategy = order
        self.readings = {Path(reading.path).name: reading for reading in readings}
        self.order = [Path(readings[i].path).name for i in reading_order(readings, order, seed)]
        self.labels = read_labels(self.folder)  # a labels.tsv that does not parse stops us here
        self.lock = threading.Lock()  # the server answers requests from several threads

    def problem(self, plate: str) -> str | None:
        """Why `plate` cannot be saved, in words for the person labelling; None when it can."""
        if plate == UNREADABLE:
            return None
        if not plate:
            return f"type the plate, or {UNREADABLE} if it cannot be read"
        unknown = [char for char in plate if char not in self.charset.alphabet]
        if unknown:
            return f"{unknown[0]!r} is not a plate character (letters I and O are never used: 1 and 0)"
        if not plate_automaton(self.charset.alphabet, tuple(self.charset.plate_lengths)).accepts(plate):
            lengths = " or ".join(map(str, sorted(self.charset.plate_lengths)))
            return f"{plate} is not a plate: a province, a city letter, then the serial ({lengths} in all)"
        return None

    def save(self, name: str, plate: str) -> str | None:
        """Save `plate` (or UNREADABLE) as the label of crop `name`; the problem instead when it is not a
        plate (nothing is saved then)."""
        if name not in self.readings:
            raise KeyError(name)
        problem = self.problem(plate)
        if problem is None:
            with self.lock:
                labels = read_labels(self.folder)
                labels[name] = plate
                write_labels(self.folder, labels)
                self.labels = labels
        return problem

    def crops(self) -> list[dict[str, object]]:
        """Every crop, in the order to ask, with the model's reading and its label so far."""
        return [
            {
                "name": name,
                "reading": self.readings[name].text,
                "confidence": round(self.readings[name].confidence, 4),
                "agreement": round(self.readings[name].agreement, 4),
                "label": self.labels.get(name),
            }
            for name in self.order
        ]

    def progress(self) -> dict[str, int]:
        """Crops labelled of all; of the crops labelled with a plate, how many the model read right."""
        labelled = {name: self.labels[name] for name in self.order if name in self.labels}
        plates = {name: plate for name, plate in labelled.items() if plate != UNREADABLE}
        right = sum(plate == self.readings[name].text for name, plate in plates.items())
        return {"total": len(self.order), "labelled": len(labelled), "plates": len(plates), "right": right}
