"""Encoding and decoding plate strings over an alphabet (by default the plate format's,
plate_ocr.plate_format), and which labels are plates it can encode."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from plate_ocr.plate_format import DEFAULT_ALPHABET, PLATE_LENGTHS

BLANK = "-"


class LabelError(ValueError):
    """A plate label that the alphabet cannot encode."""


class Charset:
    """Maps plate strings to class indices and back; index 0 is the CTC blank."""

    def __init__(self, alphabet: str = DEFAULT_ALPHABET, plate_lengths: Sequence[int] = PLATE_LENGTHS):
        duplicates = sorted({c for c in alphabet if alphabet.count(c) > 1})
        if duplicates:
            raise ValueError(f"alphabet has duplicate characters: {''.join(duplicates)}")
        if BLANK in alphabet:
            raise ValueError(f"alphabet must not contain the blank symbol {BLANK!r}")
        self.alphabet = alphabet
        self.plate_lengths = tuple(plate_lengths)
        self._index = {char: i + 1 for i, char in enumerate(alphabet)}

    @property
    def num_classes(self) -> int:
        """Number of network outputs: the alphabet plus the blank."""
        return len(self.alphabet) + 1

    def problem(self, label: str) -> str | None:
        """Why `label` is not a valid plate for this charset, or None when it is."""
        unknown = [c for c in label if c not in self._index]
        if unknown:
            return f"character {unknown[0]!r} is not in the alphabet"
        if len(label) not in self.plate_lengths:
            return f"length {len(label)} is not one of {self.plate_lengths}"
        return None

    def validate(self, label: str, source: str = "") -> None:
        """Raise LabelError naming `source` (usually a file) when `label` is not a valid plate."""
        problem = self.problem(label)
        if problem:
            where = f" in {source}" if source else ""
            raise LabelError(f"label {label!r}{where}: {problem}")

    def encode(self, label: str, source: str = "") -> list[int]:
        """Class indices of `label`, after validating it."""
        self.validate(label, source)
        return [self._index[c] for c in label]

    def decode(self, indices: Iterable[int]) -> str:
        """The string of already-collapsed class indices; blanks are dropped."""
        return "".join(self.alphabet[i - 1] for i in indices if i != 0)
