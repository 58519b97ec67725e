"""Double-row plates (the yellow rear plates of lorries, buses and trailers: province and letter above, the
five-character serial below) laid out as one row, so the same single-row reader reads them.

A crop's aspect cannot tell the two layouts apart (a single-row plate seen at an angle is as squat as a
double-row one), so a crop narrower than DOUBLE_ROW_MAX_ASPECT is read both ways and the more confident
reading is kept (`pick_readings`)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from plate_ocr.decoding.greedy import Decoded
from plate_ocr.plate_format import DOUBLE_ROW_MAX_ASPECT

TOP_ROWS, BOTTOM_ROWS = (0.0, 0.41), (0.38, 1.0)  # shares of the crop's height holding each line
TOP_COLUMNS = (0.12, 0.88)  # the top line's two characters sit in the middle of the plate
# The top line's characters are about as wide as tall, the bottom line's half as wide: squeezing the top
# line to half its width draws both like a single-row plate's.
TOP_SQUEEZE = 0.55


def may_be_double_row(image: np.ndarray) -> bool:
    """Whether a crop is squat enough to be a double-row plate, so that it is read both ways."""
    height, width = image.shape[:2]
    return width < DOUBLE_ROW_MAX_ASPECT * height


def one_row(image: np.ndarray) -> np.ndarray:
    """A double-row crop (RGB or grey uint8) as one row: the top line, scaled to the bottom line's height,
    to the left of the bottom line."""
    height, width = image.shape[:2]
    top = image[
        round(height * TOP_ROWS[0]) : round(height * TOP_ROWS[1]),
        round(width * TOP_COLUMNS[0]) : round(width * TOP_COLUMNS[1]),
    ]
    bottom = image[round(height * BOTTOM_ROWS[0]) : round(height * BOTTOM_ROWS[1])]
    scale = bottom.shape[0] / max(1, top.shape[0])
    top_width = max(1, round(top.shape[1] * scale * TOP_SQUEEZE))
    top = cv2.resize(top, (top_width, bottom.shape[0]), interpolation=cv2.INTER_CUBIC)
    return np.hstack([top, bottom])


def pick_readings(
    readings: Sequence[Decoded], one_row_readings: Sequence[Decoded], indices: Sequence[int]
) -> list[Decoded]:
    """`readings` with the crop at each of `indices` replaced by its one-row reading where that one is the
    more confident (`one_row_readings[k]` reads crop `indices[k]`)."""
    picked = list(readings)
    for index, reading in zip(indices, one_row_readings):
        if reading.confidence > picked[index].confidence:
            picked[index] = reading
    return picked
