"""Test-time augmentation: read each crop in several slightly different framings and keep the reading
most of them agree on. A detector's box is loose or tight, off-centre or tall by a few pixels; a reading
that survives a few such reframings is more often right than the one framing the detector happened on."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product

import torch
import torch.nn.functional as F

from plate_ocr.decoding.greedy import Decoded

Reframing = tuple[float, float, float]  # (width share, height share, horizontal shift)


@dataclass(frozen=True)
class ReframingVote:
    """Every combination of `widths` and `heights` (the share of the crop's width or height a view covers:
    below 1 zooms in, above 1 zooms out and repeats the edge pixels) and `shifts` (moves the view right by
    a fraction of the crop's width). The plain crop must be one of the views: it breaks ties."""

    widths: Sequence[float] = (0.94, 1.0, 1.06)
    heights: Sequence[float] = (0.9, 1.0)
    shifts: Sequence[float] = (-0.02, 0.0, 0.02)

    def __post_init__(self) -> None:
        if 1.0 not in self.widths or 1.0 not in self.heights or 0.0 not in self.shifts:
            raise ValueError("the views must include the plain crop: width 1.0, height 1.0 and shift 0.0")

    @property
    def reframings(self) -> list[Reframing]:
        """Every view as (width share, height share, shift), the plain crop first."""
        plain = (1.0, 1.0, 0.0)
        return [plain] + [view for view in product(self.widths, self.heights, self.shifts) if view != plain]

    def views(self, images: torch.Tensor) -> Iterator[torch.Tensor]:
        """The (N, C, H, W) batch as each view sees it, the plain crop first."""
        for width, height, shift in self.reframings:
            # affine_grid's coordinates run from -1 to 1 across the image: a shift of 2 is its full width.
            theta = images.new_tensor([[width, 0.0, 2 * shift], [0.0, height, 0.0]])
            grid = F.affine_grid(theta.expand(len(images), 2, 3), list(images.shape), align_corners=False)
            yield F.grid_sample(images, grid, padding_mode="border", align_corners=False)

    def read(
        self, images: torch.Tensor, read_batch: Callable[[torch.Tensor], list[Decoded]]
    ) -> list[Decoded]:
        """The reading most views agree on per image (ties go to the plain crop's, then to the higher summed
        confidence). Its confidence is the summed confidence of the views that agree, over all views."""
        readings = [read_batch(view) for view in self.views(images)]
        return [vote(per_view) for per_view in zip(*readings)]


def vote(readings: Sequence[Decoded]) -> Decoded:
    """The most common text among one image's `readings`, the first of which is the plain crop's."""
    counts = Counter(reading.text for reading in readings)
    support: defaultdict[str, float] = defaultdict(float)
    for reading in readings:
        support[reading.text] += reading.confidence
    plain = readings[0].text
    text = max(counts, key=lambda t: (counts[t], t == plain, support[t]))
    return Decoded(text, support[text] / len(readings))
