"""Which crop to ask a person to label next. Each crop is read once plainly (what `plate-ocr predict` prints)
and in every framing of plate_ocr.decoding.tta; the crops the model is least sure of, whose framings disagree,
or whose province it has seen least are the ones a label teaches most."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, zip_longest
from pathlib import Path

from plate_ocr.data.crops import image_files
from plate_ocr.decoding.tta import ReframingVote
from plate_ocr.inference.reader import PlateReader, read_files
from plate_ocr.training.pseudo_labels import pseudo_label


@dataclass(frozen=True)
class CropReading:
    """One crop as the model reads it: `text` and `confidence` its plain reading, `voted` the reading most
    framings agree on and `agreement` the share of framings that read `voted`."""

    path: str
    text: str
    confidence: float
    voted: str
    agreement: float

    @property
    def province(self) -> str:
        """The first character read: the province of a plate read right ("" when nothing was read)."""
        return self.text[:1]


def by_confidence(readings: Sequence[CropReading]) -> list[int]:
    """The least confident plain reading first."""
    return sorted(range(len(readings)), key=lambda i: readings[i].confidence)


def by_disagreement(readings: Sequence[CropReading]) -> list[int]:
    """Crops whose framings vote for another plate than the plain reading first, then the lowest share of
    framings agreeing, then the least confident."""
    return sorted(
        range(len(readings)),
        key=lambda i: (readings[i].voted == readings[i].text, readings[i].agreement, readings[i].confidence),
    )


def by_province(readings: Sequence[CropReading]) -> list[int]:
    """The crops of the province read least often first (within one, the least confident first)."""
    counts = Counter(reading.province for reading in readings)
    return sorted(
        range(len(readings)),
        key=lambda i: (counts[readings[i].province], readings[i].province, readings[i].confidence),
    )


def by_chance(readings: Sequence[CropReading], seed: int) -> list[int]:
    """A shuffle, the same for the same seed: the baseline the other orders should beat."""
    order = list(range(len(readings)))
    random.Random(seed).shuffle(order)
    return order


def mixed(readings: Sequence[CropReading]) -> list[int]:
    """The confidence, disagreement and province orders taken in turn, each crop once: the top of each
    comes early, so a short session already covers the three kinds of doubt."""
    turns = zip_longest(by_confidence(readings), by_disagreement(readings), by_province(readings))
    return list(dict.fromkeys(i for i in chain.from_iterable(turns) if i is not None))


ORDERS: dict[str, Callable[[Sequence[CropReading]], list[int]]] = {
    "mixed": mixed,
    "confidence": by_confidence,
    "disagreement": by_disagreement,
    "province": by_province,
}
STRATEGIES = (*ORDERS, "random")
# The orders that look at how the framings vote; the others need only the plain reading.
NEEDS_FRAMINGS = ("mixed", "disagreement")


def reading_order(
    readings: Sequence[CropReading], strategy: str = "disagreement", seed: int = 0
) -> list[int]:
    """The indices of `readings` in the order to ask for their labels (`seed` only shuffles "random");
    ties keep the given order."""
    if strategy == "random":
        return by_chance(readings, seed)
    if strategy not in ORDERS:
        raise ValueError(f"unknown order {strategy!r}: one of {', '.join(STRATEGIES)}")
    return ORDERS[strategy](readings)


def read_crops(
    paths: Sequence[str | Path],
    reader: PlateReader,
    tta: ReframingVote | None,
    skip: Callable[[Exception], None] | None = None,
) -> list[CropReading]:
    """Each crop read plainly by `reader` (built without tta) and in each of `tta`'s framings (without
    `tta`, 18 times faster: every crop's framings taken to agree). A file that cannot be decoded goes to
    `skip` and is left out; without `skip`, its error is raised."""

    def fail(error: Exception) -> None:
        raise error

    plain = list(read_files(reader, [Path(path) for path in paths], skip or fail))
    if tta is None:
        return [CropReading(str(path), read.text, read.confidence, read.text, 1.0) for path, read in plain]
    framed = pseudo_label(
        reader.run,
        [str(path) for path, _ in plain],
        reader.charset,
        reader.image_size,
        reader.decode,
        tta,
        min_confidence=0.0,
        min_agreement=0.0,
        batch_size=reader.batch_size,
    )
    return [
        CropReading(str(path), decoded.text, decoded.confidence, label.text, label.agreement)
        for (path, decoded), label in zip(plain, framed, strict=True)
    ]


def read_folder(
    folder: str | Path,
    reader: PlateReader,
    tta: ReframingVote | None,
    skip: Callable[[Exception], None] | None = None,
) -> list[CropReading]:
    """read_crops of every crop of `folder` (an error naming it when it is missing or holds no images)."""
    return read_crops(image_files(folder), reader, tta, skip)
