"""Flat, frontal plates drawn as plate_ocr.plate_format lays them out (GA 36): frame, character boxes, dot,
rivets and paint."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from plate_ocr.plate_format import (
    CHAR_HEIGHT_MM,
    DOUBLE_ROW_LINES,
    PLATE_HEIGHT_MM,
    PLATE_TYPES,
    RED,
    PlateLayout,
)
from plate_ocr.synth.glyphs import CJK_FACE, glyph, is_chinese, is_plate_hanzi, warped
from plate_ocr.synth.hanzi import HANZI_STROKE_MM


@dataclass(frozen=True)
class Lettering:
    """How one plate's characters are drawn: `face` (a number of latin_faces() or STROKED_FACE) for
    letters and digits and `chinese_face` (a name in plate_ocr.synth.fonts.CHINESE_FACES, or "plate_strokes")
    for hanzi, strokes that many pixels bolder (at the cached glyph height) for letters/digits and for
    Chinese glyphs, glyphs `width` times their natural width (the plate maker's die, not the box,
    changes), hanzi a further `chinese_width` times, and glyphs bent by up to `latin_warp` and
    `chinese_warp` of their height (plates are not cut from the fonts the glyphs come from; hanzi built
    from the plate typeface's own strokes are not bent, and are drawn with a `hanzi_pen_mm` wide pen)."""

    face: int = 0
    chinese_face: str = CJK_FACE
    latin_stroke: int = 0
    chinese_stroke: int = 1
    width: float = 1.0
    chinese_width: float = 1.0
    latin_warp: float = 0.0
    chinese_warp: float = 0.0
    hanzi_pen_mm: float = HANZI_STROKE_MM


def _paint_disc(alpha: np.ndarray, centre: tuple[float, float], radius: float) -> None:
    """A disc of sub-pixel radius: a whole-pixel disc whose opacity keeps the true area."""
    whole = max(1, round(radius))
    opacity = min(1.0, (radius / whole) ** 2)
    cv2.circle(alpha, (round(centre[0]), round(centre[1])), whole, opacity, -1)


def render_plate(
    label: str, plate_type: str, height: int, lettering: Lettering, rng: np.random.Generator
) -> np.ndarray:
    """A frontal RGB uint8 plate for `label`, its characters drawn as `lettering`: `height` pixels tall if
    it is a single-row plate, in proportion (220/140 as tall) if a double-row one."""
    style = PLATE_TYPES[plate_type].layout
    scale = height / PLATE_HEIGHT_MM
    alpha = np.zeros((round(style.height * scale), round(style.width * scale)), np.float32)
    _frame(alpha, scale, rng)
    lay_out = _double_row if PLATE_TYPES[plate_type].rows == 2 else _single_row
    boxes = lay_out(alpha, label, style, scale, lettering, rng)
    plate = _paint(style, alpha, [boxes[place] for place in style.red_places], rng)
    _rivets(plate, scale, style.height, rng)
    return plate


def _frame(alpha: np.ndarray, scale: float, rng: np.random.Generator) -> None:
    """The raised border line just inside the plate's edge."""
    height, width = alpha.shape
    inset, line = rng.uniform(1, 3) * scale, rng.uniform(2, 4) * scale
    right, bottom = width - 1 - round(inset), height - 1 - round(inset)
    cv2.rectangle(alpha, (round(inset),) * 2, (right, bottom), min(1.0, line), max(1, round(line)))


Box = tuple[slice, slice]  # the rows and columns of one glyph's ink


def _single_row(
    alpha: np.ndarray,
    label: str,
    style: PlateLayout,
    scale: float,
    lettering: Lettering,
    rng: np.random.Generator,
) -> list[Box]:
    """The characters in one line, the separator dot in the wide gap before the third; returns the boxes
    of the glyphs."""
    char_scale = rng.uniform(0.94, 1.04)
    spread = rng.uniform(0.9, 1.1)  # the plate maker's spacing, within tolerance
    x = (style.width - sum(style.char_widths) * char_scale - sum(style.gaps) * spread) / 2 + rng.uniform(
        -3, 3
    )
    top = round(((PLATE_HEIGHT_MM - CHAR_HEIGHT_MM) / 2 + rng.uniform(-2, 2)) * scale)
    box_height = round(CHAR_HEIGHT_MM * char_scale * scale)
    boxes = []
    for n, (char, char_width, gap) in enumerate(zip(label, style.char_widths, style.gaps)):
        x += gap * spread
        if n == 2:  # the separator dot, centred in the wide gap before the third character
            dot_x = (x - gap * spread / 2) * scale
            _paint_disc(alpha, (dot_x, PLATE_HEIGHT_MM / 2 * scale), rng.uniform(4, 6) * scale)
        box = _glyph(alpha, char, x * scale, top, char_width * char_scale * scale, box_height, lettering, rng)
        boxes.append(box)
        x += char_width * char_scale
    return boxes


def _double_row(
    alpha: np.ndarray,
    label: str,
    style: PlateLayout,
    scale: float,
    lettering: Lettering,
    rng: np.random.Generator,
) -> list[Box]:
    """The first two characters (province and letter) in a short top line with the dot between them, the
    rest in a tall bottom line (GA 36's large-vehicle rear plate, 440 x 220 mm); returns the glyphs' boxes."""
    char_scale = rng.uniform(0.94, 1.04)
    top = round((DOUBLE_ROW_LINES.top + rng.uniform(-2, 2)) * scale)
    box_height = round(DOUBLE_ROW_LINES.top_height * char_scale * scale)
    box_width = DOUBLE_ROW_LINES.top_char_width * char_scale * scale
    centres = [c + rng.uniform(-8, 8) for c in DOUBLE_ROW_LINES.top_centres]
    boxes = [
        _glyph(alpha, char, centre * scale - box_width / 2, top, box_width, box_height, lettering, rng)
        for char, centre in zip(label[:2], centres)
    ]
    dot_y = (DOUBLE_ROW_LINES.top + DOUBLE_ROW_LINES.top_height / 2) * scale
    _paint_disc(alpha, (sum(centres) / 2 * scale, dot_y), rng.uniform(4, 6) * scale)

    spread = rng.uniform(0.9, 1.1)
    serial = label[2:]
    line_width = (
        len(serial) * DOUBLE_ROW_LINES.bottom_char_width * char_scale
        + (len(serial) - 1) * DOUBLE_ROW_LINES.bottom_gap * spread
    )
    x = (style.width - line_width) / 2 + rng.uniform(-3, 3)
    top = round((DOUBLE_ROW_LINES.bottom + rng.uniform(-2, 2)) * scale)
    box_height = round(DOUBLE_ROW_LINES.bottom_height * char_scale * scale)
    for char in serial:
        box = _glyph(
            alpha,
            char,
            x * scale,
            top,
            DOUBLE_ROW_LINES.bottom_char_width * char_scale * scale,
            box_height,
            lettering,
            rng,
        )
        boxes.append(box)
        x += DOUBLE_ROW_LINES.bottom_char_width * char_scale + DOUBLE_ROW_LINES.bottom_gap * spread
    return boxes


def _glyph(
    alpha: np.ndarray,
    char: str,
    left: float,
    top: int,
    box_width: float,
    box_height: int,
    lettering: Lettering,
    rng: np.random.Generator,
) -> Box:
    """One character's ink, centred in its box (`left`, `top`, sizes in pixels); returns where it lies."""
    if is_chinese(char):
        plate_hanzi = is_plate_hanzi(char, lettering.chinese_face)
        # The pen only draws plate hanzi; the others keep one cached glyph whatever the plate's pen.
        pen = lettering.hanzi_pen_mm if plate_hanzi else HANZI_STROKE_MM
        mask = glyph(char, lettering.chinese_face, lettering.chinese_stroke, pen)
        bend = 0.0 if plate_hanzi else lettering.chinese_warp
        narrowed = lettering.width * lettering.chinese_width
    else:
        mask, bend = glyph(char, lettering.face, lettering.latin_stroke), lettering.latin_warp
        narrowed = lettering.width
    if bend:
        mask = warped(mask, bend, rng)
    height, width = alpha.shape
    glyph_width = max(1, round(mask.shape[1] / mask.shape[0] * box_width * 2 * narrowed))
    x = round(left + (box_width - glyph_width) / 2)
    glyph_width = min(glyph_width, width - x)
    alpha[top : top + box_height, x : x + glyph_width] = cv2.resize(
        mask, (glyph_width, box_height), interpolation=cv2.INTER_AREA
    )[: height - top]
    return slice(top, top + box_height), slice(x, x + glyph_width)


def _paint(style: PlateLayout, alpha: np.ndarray, red: list[Box], rng: np.random.Generator) -> np.ndarray:
    """The plate's paint and ink blended by `alpha`, the glyphs in `red` boxes red, as RGB uint8; tones vary
    a little per plate."""
    height, width = alpha.shape
    start, end = (np.array(c, np.float32) for c in style.background)
    tone = rng.uniform(0.88, 1.08) * rng.uniform(0.93, 1.07, 3).astype(np.float32)
    if style.horizontal_gradient:
        ramp = (np.arange(width, dtype=np.float32) / width)[None, :]
    else:
        ramp = (np.arange(height, dtype=np.float32) / height)[:, None]
    ink = np.array(style.ink, np.float32) * rng.uniform(0.85, 1.05)
    channels = []
    # Per channel: numpy is slow on (h, w, 3) arrays broadcast along their short last axis.
    for c in range(3):
        paint = (start[c] + (end[c] - start[c]) * ramp) * tone[c]
        channel_ink = np.full((height if red else 1, width), ink[c], np.float32)
        for rows, columns in red:
            channel_ink[rows, columns] = RED[c]
        channels.append(paint + (channel_ink - paint) * alpha)
    return cv2.convertScaleAbs(cv2.merge(channels))  # the blend is never negative: this only rounds


def _rivets(plate: np.ndarray, scale: float, height_mm: float, rng: np.random.Generator) -> None:
    """Screw heads in the top band (and sometimes the bottom one), most plates have them."""
    if rng.random() < 0.25:
        return
    width = plate.shape[1]
    colour = rng.uniform(90, 230) * rng.uniform(0.9, 1.1, 3)
    rows = (14,) if rng.random() < 0.7 else (14, height_mm - 14)
    for row in rows:
        for column in (0.27, 0.73):
            centre = (round(width * column + rng.uniform(-2, 2)), round(row * scale))
            cv2.circle(plate, centre, max(1, round(4 * scale)), colour.tolist(), -1)
