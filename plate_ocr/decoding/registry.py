"""The CTC decoders by the names configs use (`decoding=greedy|grammar`)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from plate_ocr.charset import Charset
from plate_ocr.decoding.grammar import grammar_decode
from plate_ocr.decoding.greedy import Decoded, greedy_decode

Decoder = Callable[[torch.Tensor, Charset], list[Decoded]]
DECODERS: dict[str, Decoder] = {"greedy": greedy_decode, "grammar": grammar_decode}


def decoder(name: str) -> Decoder:
    """The decoding function called `name`, with a clear error for unknown names."""
    if name not in DECODERS:
        raise ValueError(f"decoding={name} is not one of {', '.join(DECODERS)}")
    return DECODERS[name]
