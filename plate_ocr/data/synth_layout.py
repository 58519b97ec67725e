"""Flat, frontal plates laid out as GA 36 prescribes: colours, frame, character boxes, dot and rivets."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from plate_ocr.data.synth_glyphs import CJK_FACE, glyph, is_chinese, is_plate_hanzi, warped

RGB = tuple[int, int, int]
PLATE_HEIGHT_MM = 140
CHAR_HEIGHT_MM = 90
BLACK, WHITE = (25, 25, 25), (240, 240, 240)
BLUE, YELLOW = (25, 85, 215), (235, 180, 25)


@dataclass(frozen=True)
class Lettering:
    """How one plate's characters are drawn: `face` (a number of latin_faces() or STROKED_FACE) for
    letters and digits and `chinese_face` (a name in plate_ocr.fonts.CHINESE_FACES, or "plate_strokes")
    for hanzi, strokes that many pixels bolder (at the cached glyph height) for letters/digits and for
    Chinese glyphs, glyphs `width` times their natural width (the plate maker's die, not the box,
    changes), hanzi a further `chinese_width` times, and glyphs bent by up to `latin_warp` and
    `chinese_warp` of their height (plates are not cut from the fonts the glyphs come from; hanzi built
    from the plate typeface's own strokes are not bent)."""

    face: int = 0
    chinese_face: str = CJK_FACE
    latin_stroke: int = 0
    chinese_stroke: int = 1
    width: float = 1.0
    chinese_width: float = 1.0
    latin_warp: float = 0.0
    chinese_warp: float = 0.0


@dataclass(frozen=True)
class PlateStyle:
    """Colours and geometry of one plate type; lengths in millimetres. `gaps[i]` precedes character i
    (the wide one before the third character holds the separator dot)."""

    width: float
    char_widths: tuple[float, ...]
    gaps: tuple[float, ...]
    background: tuple[RGB, RGB]  # top and bottom of a vertical gradient
    ink: RGB
    last_ink: RGB | None = None  # the red 警 of police plates


SEVEN = {"width": 440, "char_widths": (45,) * 7, "gaps": (0, 12, 34, 12, 12, 12, 12)}
EIGHT = {"width": 480, "char_widths": (45,) + (43,) * 7, "gaps": (0, 9, 49, 9, 9, 9, 9, 9)}
STYLES = {
    "blue": PlateStyle(**SEVEN, background=(BLUE, BLUE), ink=WHITE),
    "yellow": PlateStyle(**SEVEN, background=(YELLOW, YELLOW), ink=BLACK),
    "green": PlateStyle(**EIGHT, background=((230, 245, 232), (40, 175, 90)), ink=BLACK),
    "police": PlateStyle(**SEVEN, background=(WHITE, WHITE), ink=BLACK, last_ink=(205, 30, 30)),
    "coach": PlateStyle(**SEVEN, background=(YELLOW, YELLOW), ink=BLACK),
}


def _paint_disc(alpha: np.ndarray, centre: tuple[float, float], radius: float) -> None:
    """A disc of sub-pixel radius: a whole-pixel disc whose opacity keeps the true area."""
    whole = max(1, round(radius))
    opacity = min(1.0, (radius / whole) ** 2)
    cv2.circle(alpha, (round(centre[0]), round(centre[1])), whole, opacity, -1)


def render_plate(
    label: str, plate_type: str, height: int, lettering: Lettering, rng: np.random.Generator
) -> np.ndarray:
    """A frontal RGB uint8 plate for `label`, `height` pixels tall, its characters drawn as `lettering`."""
    style = STYLES[plate_type]
    alpha, last_glyph = _ink_coverage(label, style, height, lettering, rng)
    plate = _paint(style, alpha, last_glyph, rng)
    _rivets(plate, height / PLATE_HEIGHT_MM, rng)
    return plate


def _ink_coverage(
    label: str, style: PlateStyle, height: int, lettering: Lettering, rng: np.random.Generator
) -> tuple[np.ndarray, slice]:
    """Where the ink goes (frame, glyphs, dot) as a float32 (height, width) alpha map, and the columns
    of the last glyph."""
    scale = height / PLATE_HEIGHT_MM
    width = round(style.width * scale)
    alpha = np.zeros((height, width), np.float32)
    inset, line = rng.uniform(1, 3) * scale, rng.uniform(2, 4) * scale
    right, bottom = width - 1 - round(inset), height - 1 - round(inset)
    cv2.rectangle(alpha, (round(inset),) * 2, (right, bottom), min(1.0, line), max(1, round(line)))

    char_scale = rng.uniform(0.94, 1.04)
    spread = rng.uniform(0.9, 1.1)  # the plate maker's spacing, within tolerance
    x = (style.width - sum(style.char_widths) * char_scale - sum(style.gaps) * spread) / 2 + rng.uniform(
        -3, 3
    )
    top = round(((PLATE_HEIGHT_MM - CHAR_HEIGHT_MM) / 2 + rng.uniform(-2, 2)) * scale)
    box_height = round(CHAR_HEIGHT_MM * char_scale * scale)
    for n, (char, char_width, gap) in enumerate(zip(label, style.char_widths, style.gaps)):
        x += gap * spread
        if n == 2:  # the separator dot, centred in the wide gap before the third character
            dot_x = (x - gap * spread / 2) * scale
            _paint_disc(alpha, (dot_x, PLATE_HEIGHT_MM / 2 * scale), rng.uniform(4, 6) * scale)
        box_width = char_width * char_scale * scale
        if is_chinese(char):
            mask = glyph(char, lettering.chinese_face, lettering.chinese_stroke)
            bend = 0.0 if is_plate_hanzi(char, lettering.chinese_face) else lettering.chinese_warp
            narrowed = lettering.width * lettering.chinese_width
        else:
            mask, bend = glyph(char, lettering.face, lettering.latin_stroke), lettering.latin_warp
            narrowed = lettering.width
        if bend:
            mask = warped(mask, bend, rng)
        glyph_width = max(1, round(mask.shape[1] / mask.shape[0] * box_width * 2 * narrowed))
        left = round(x * scale + (box_width - glyph_width) / 2)
        glyph_width = min(glyph_width, width - left)
        alpha[top : top + box_height, left : left + glyph_width] = cv2.resize(
            mask, (glyph_width, box_height), interpolation=cv2.INTER_AREA
        )[: height - top]
        x += char_width * char_scale
    return alpha, slice(left, left + glyph_width)


def _paint(style: PlateStyle, alpha: np.ndarray, last_glyph: slice, rng: np.random.Generator) -> np.ndarray:
    """The plate's paint and ink blended by `alpha`, as RGB uint8; tones vary a little per plate."""
    height, width = alpha.shape
    top, bottom = (np.array(c, np.float32) for c in style.background)
    tone = rng.uniform(0.88, 1.08) * rng.uniform(0.93, 1.07, 3).astype(np.float32)
    ramp = (np.arange(height, dtype=np.float32) / height)[:, None]
    ink = np.array(style.ink, np.float32) * rng.uniform(0.85, 1.05)
    channels = []
    # Per channel: numpy is slow on (h, w, 3) arrays broadcast along their short last axis.
    for c in range(3):
        paint = (top[c] + (bottom[c] - top[c]) * ramp) * tone[c]
        channel_ink = np.full((1, width), ink[c], np.float32)
        if style.last_ink:
            channel_ink[:, last_glyph] = style.last_ink[c]
        channels.append(paint + (channel_ink - paint) * alpha)
    return cv2.convertScaleAbs(cv2.merge(channels))  # the blend is never negative: this only rounds


def _rivets(plate: np.ndarray, scale: float, rng: np.random.Generator) -> None:
    """Screw heads in the top band (and sometimes the bottom one), most plates have them."""
    if rng.random() < 0.25:
        return
    width = plate.shape[1]
    colour = rng.uniform(90, 230) * rng.uniform(0.9, 1.1, 3)
    rows = (14,) if rng.random() < 0.7 else (14, PLATE_HEIGHT_MM - 14)
    for row in rows:
        for column in (0.27, 0.73):
            centre = (round(width * column + rng.uniform(-2, 2)), round(row * scale))
            cv2.circle(plate, centre, max(1, round(4 * scale)), colour.tolist(), -1)
