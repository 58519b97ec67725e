"""Letters and digits built from strokes the way GA 36 draws them: 10 mm strokes along straight lines
and circular arcs in a 45 x 90 mm box. No packaged font has the plate's round 0, the 6 and 9 whose
tails sweep round their bowls, or its G with a spur; this face has them."""

from __future__ import annotations

import math

import cv2
import numpy as np

Point = tuple[float, float]
Stroke = list[Point]

STROKE_MM = 10.0
BOX_MM = (45.0, 90.0)  # width, height
L, R, T, B = 5.0, 40.0, 5.0, 85.0  # stroke centre lines run inside the box by half a stroke
CX, MID = 22.5, 45.0
RADIUS = 17.5  # round glyphs: their bowls span the box width


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> Stroke:
    """Points of an elliptic arc from angle `start` to `end` (degrees, counter-clockwise as seen, 0 to
    the right), in box millimetres with y down."""
    steps = max(2, math.ceil(abs(end - start) / 10))
    angles = np.radians(np.linspace(start, end, steps + 1))
    return [(cx + rx * math.cos(a), cy - ry * math.sin(a)) for a in angles]


def _oval(top: float, bottom: float, start: float, end: float) -> Stroke:
    """Part of a stadium (semicircle, straight sides, semicircle) between rows `top` and `bottom`,
    walked counter-clockwise from `start` to `end` degrees (at most 360) of the upper bowl's frame;
    angles past 180 run down the left side and round the lower bowl."""
    upper, lower = top + RADIUS, bottom - RADIUS
    path = arc(CX, upper, RADIUS, RADIUS, start, min(end, 180))
    if end > 180:
        path += arc(CX, lower, RADIUS, RADIUS, 180, end)
    return path


def _turned(strokes: list[Stroke]) -> list[Stroke]:
    """The glyph turned half a turn (9 from 6)."""
    return [[(BOX_MM[0] - x, BOX_MM[1] - y) for x, y in stroke] for stroke in strokes]


def _six() -> list[Stroke]:
    bowl = arc(CX, 63, RADIUS, 22, 0, 360)
    tail = [(L, 63), *arc(CX, 25, RADIUS, 20, 180, 35)]
    return [bowl, tail]


STROKES: dict[str, list[Stroke]] = {
    "0": [[*_oval(T, B, 0, 360), (R, T + RADIUS)]],
    "1": [[(CX, T), (CX, B)]],
    "2": [[*arc(CX, 23, RADIUS, 18, 160, -35), (L, B), (R, B)]],
    "3": [arc(CX + 1, 24, RADIUS - 2, 19, 150, -90) + arc(CX, 65, RADIUS, 20, 90, -150)],
    "4": [[(31, B), (31, T), (L, 62), (R, 62)]],
    "5": [[(R - 2, T), (L + 2, T), (L + 2, 41), *arc(CX, 62, RADIUS, 23, 140, -150)]],
    "6": _six(),
    "7": [[(L, T), (R, T), (16, B)]],
    "8": [arc(CX, 25, RADIUS - 2.5, 20, -90, 270), arc(CX, 65, RADIUS, 20, 90, 450)],
    "9": _turned(_six()),
    "A": [[(L, B), (CX, T), (R, B)], [(10, 62), (35, 62)]],
    "B": [
        [
            (L, MID),
            (24, MID),
            *arc(24, 25, 14, 20, -90, 90),
            (L, T),
            (L, B),
            (24, B),
            *arc(24, 65, 16, 20, -90, 90),
        ]
    ],
    "C": [_oval(T, B, 30, 330)],
    "D": [[(L, T), (L, B), (22, B), *arc(22, 67, 18, 18, -90, 0), *arc(22, 23, 18, 18, 0, 90), (L, T)]],
    "E": [[(R, T), (L, T), (L, B), (R, B)], [(L, MID), (36, MID)]],
    "F": [[(R, T), (L, T), (L, B)], [(L, MID), (35, MID)]],
    "G": [[*_oval(T, B, 25, 360), (R, 48), (25, 48)]],
    "H": [[(L, T), (L, B)], [(R, T), (R, B)], [(L, MID), (R, MID)]],
    "J": [[(37, T), *arc(22, 67, 15, 18, 0, -180), (L + 2, 58)]],
    "K": [[(L, T), (L, B)], [(R, T), (L, 58)], [(16, 44), (R, B)]],
    "L": [[(L, T), (L, B), (R, B)]],
    "M": [[(L, B), (L, T), (CX, 60), (R, T), (R, B)]],
    "N": [[(L, B), (L, T), (R, B), (R, T)]],
    "P": [[(L, B), (L, T), (23, T), *arc(23, 25, 17, 20, 90, -90), (L, MID)]],
    "Q": [[*_oval(T, B, 0, 360), (R, T + RADIUS)], [(27, 66), (R, B)]],
    "R": [[(L, B), (L, T), (23, T), *arc(23, 25, 17, 20, 90, -90), (L, MID)], [(22, MID), (R, B)]],
    "S": [arc(CX, 25, RADIUS - 1, 20, 25, 270) + arc(CX, 65, RADIUS, 20, 90, -155)],
    "T": [[(L - 1, T), (R + 1, T)], [(CX, T), (CX, B)]],
    "U": [[(L, T), *arc(CX, 67.5, RADIUS, RADIUS, 180, 360), (R, T)]],
    "V": [[(L, T), (CX, B), (R, T)]],
    "W": [[(3, T), (12, B), (CX, 25), (33, B), (42, T)]],
    "X": [[(L, T), (R, B)], [(R, T), (L, B)]],
    "Y": [[(L, T), (CX, 48), (R, T)], [(CX, 48), (CX, B)]],
    "Z": [[(L, T), (R, T), (L, B), (R, B)]],
}

SUPERSAMPLING = 4


def draw_strokes(strokes: list[Stroke], stroke_mm: float, height: int) -> np.ndarray:
    """Uint8 mask of `strokes` (box millimetres, y down) drawn `stroke_mm` wide with round ends, scaled so
    that the 90 mm box is `height` pixels tall, and cropped to its ink."""
    scale = height * SUPERSAMPLING / BOX_MM[1]
    margin = stroke_mm
    canvas = np.zeros(
        (round((BOX_MM[1] + 2 * margin) * scale), round((BOX_MM[0] + 2 * margin) * scale)), np.uint8
    )
    paths = [np.array([(x + margin, y + margin) for x, y in stroke]) * scale for stroke in strokes]
    cv2.polylines(canvas, [p.round().astype(np.int32) for p in paths], False, 255, round(stroke_mm * scale))
    x, y, w, h = cv2.boundingRect(canvas)
    ink = canvas[y : y + h, x : x + w]
    size = (max(1, round(w / SUPERSAMPLING)), max(1, round(h / SUPERSAMPLING)))
    return cv2.resize(ink, size, interpolation=cv2.INTER_AREA)


def stroked_glyph(char: str, height: int) -> np.ndarray:
    """Uint8 mask of letter or digit `char` drawn from its strokes, `height` pixels tall and cropped to its
    ink (cached by synth_glyphs with the font glyphs)."""
    return draw_strokes(STROKES[char], STROKE_MM, height)
