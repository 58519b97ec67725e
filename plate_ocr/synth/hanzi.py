"""Province hanzi built from strokes as the plate typeface draws them, where it departs from every packaged
Chinese face. A plate's 粤 is a tall box (囗) holding a small 米, over a short 丂: the packaged faces fill
the box with 米 and give 丂 half the height, so a model trained on them reads real plates' 粤 (a hollow
box over 丂, the left of 鄂) as 鄂. Coordinates are millimetres in the 45 x 90 mm character box, y down,
as in synth_strokes; the other hanzi come from the packaged faces."""

from __future__ import annotations

import numpy as np

from plate_ocr.synth.strokes import Stroke, draw_strokes

HANZI_STROKE_MM = 6.0  # thinner than the 10 mm letters and digits; PlateRenderer.hanzi_pens varies it
HANZI_STROKES: dict[str, list[Stroke]] = {
    "粤": [
        [(24, 3), (21, 10)],  # the short falling stroke above the box
        [(5, 10), (40, 10), (40, 51), (5, 51), (5, 10)],  # 囗, from the top to 57% of the height
        [(14, 30), (31, 30)],  # 米, small inside its box
        [(22.5, 18), (22.5, 43)],
        [(22.5, 30), (15, 40)],
        [(22.5, 30), (30, 40)],
        [(15, 20), (18, 25)],
        [(30, 20), (27, 25)],
        [(2, 60), (43, 60)],  # 丂: the long stroke under the box, then the hooked one
        [(13, 60), (13, 70), (34, 70), (35, 77), (33, 84), (28, 87), (21, 85)],
    ],
}


def stroked_hanzi(char: str, height: int, pen_mm: float = HANZI_STROKE_MM) -> np.ndarray | None:
    """Uint8 mask of `char` drawn from the plate typeface's strokes with a `pen_mm` wide pen, `height`
    pixels tall and cropped to its ink, or None when its strokes are not recorded here."""
    strokes = HANZI_STROKES.get(char)
    return None if strokes is None else draw_strokes(strokes, pen_mm, height)
