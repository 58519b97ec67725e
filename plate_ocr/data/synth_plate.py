"""Flat, frontal plates as they are made (GA 36): plate strings, layouts, colours and glyphs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from plate_ocr.charset import DIGITS, LETTERS, PROVINCES
from plate_ocr.fonts import CJK_SC_FACE, cjk_font_path, latin_font_paths

PIXELS_PER_MM = 0.5
GLYPH_HEIGHT = 64  # glyph masks are cached at this height and resized into their boxes


@dataclass(frozen=True)
class PlateStyle:
    """Colours and geometry of one plate type; sizes in millimetres."""

    width: float
    length: int  # characters
    background: tuple[tuple[int, int, int], tuple[int, int, int]]  # top and bottom colour (a gradient)
    glyph_colour: tuple[int, int, int]
    last_glyph_colour: tuple[int, int, int] | None = None  # the red 警 of police plates


STYLES = {
    "blue": PlateStyle(440, 7, ((40, 115, 235), (25, 90, 205)), (245, 245, 245)),
    "yellow": PlateStyle(440, 7, ((235, 185, 30), (225, 170, 20)), (15, 15, 15)),
    "green": PlateStyle(480, 8, ((235, 248, 235), (80, 190, 100)), (15, 15, 15)),
    "police": PlateStyle(440, 7, ((240, 240, 240), (225, 225, 225)), (15, 15, 15), (200, 20, 20)),
    "coach": PlateStyle(440, 7, ((235, 185, 30), (225, 170, 20)), (15, 15, 15)),
}
PLATE_HEIGHT_MM = 140
GLYPH_HEIGHT_MM = 90
# Character widths and the gap before each character; the gap after the second one holds the dot.
SEVEN_WIDTHS, SEVEN_GAPS = [45] * 7, [0, 12, 34, 12, 12, 12, 12]
EIGHT_WIDTHS, EIGHT_GAPS = [45] + [43] * 7, [0, 9, 49, 9, 9, 9, 9, 9]


def plate_string(plate_type: str, rng: np.random.Generator, province_weights: np.ndarray, a_share: float) -> str:
    """A plausible plate of `plate_type`: province, issuing-office letter, then the serial."""
    province = PROVINCES[rng.choice(len(PROVINCES), p=province_weights)]
    office = "A" if rng.random() < a_share else LETTERS[rng.integers(len(LETTERS))]

    def serial(count: int) -> str:
        # Mostly digits, at most two letters, as real serials are.
        letters = rng.choice(count, size=min(count, rng.choice([0, 1, 2], p=[0.5, 0.35, 0.15])), replace=False)
        return "".join(
            LETTERS[rng.integers(len(LETTERS))] if i in letters else DIGITS[rng.integers(10)] for i in range(count)
        )

    def digits(count: int) -> str:
        return "".join(DIGITS[rng.integers(10)] for _ in range(count))

    if plate_type == "green":
        energy = "DF"[rng.integers(2)]
        if rng.random() < 0.8:  # small cars: D/F first, then a letter or digit and four digits
            return province + office + energy + serial(1) + digits(4)
        return province + office + digits(5) + energy
    if plate_type == "police":
        return province + office + serial(4) + "警"
    if plate_type == "coach":
        return province + office + serial(4) + "学"
    return province + office + serial(5)


@cache
def _font(path: str, index: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, GLYPH_HEIGHT * 2, index=index)


@cache
def glyph_mask(char: str, latin_font: int, stroke: int) -> np.ndarray:
    """A tight uint8 mask of `char`, GLYPH_HEIGHT tall: Chinese glyphs from the CJK font, others
    from latin font number `latin_font`; `stroke` thickens the strokes by that many pixels."""
    if char in PROVINCES or char in "警学":
        font = _font(str(cjk_font_path()), CJK_SC_FACE)
    else:
        font = _font(str(latin_font_paths()[latin_font]), 0)
    canvas = Image.new("L", (GLYPH_HEIGHT * 3, GLYPH_HEIGHT * 3), 0)
    ImageDraw.Draw(canvas).text((GLYPH_HEIGHT // 2, 0), char, fill=255, font=font, stroke_width=stroke, stroke_fill=255)
    mask = np.asarray(canvas)
    rows, cols = np.nonzero(mask)
    mask = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    width = max(1, round(mask.shape[1] * GLYPH_HEIGHT / mask.shape[0]))
    return cv2.resize(mask, (width, GLYPH_HEIGHT), interpolation=cv2.INTER_AREA)


def _box_fill(mask: np.ndarray, box_width: int, box_height: int) -> np.ndarray:
    """Scale a glyph to the box height; narrow glyphs (1) keep their width, others fill the box."""
    natural = round(mask.shape[1] * box_height / mask.shape[0])
    width = natural if natural < box_width * 0.75 else box_width
    return cv2.resize(mask, (max(1, width), box_height), interpolation=cv2.INTER_AREA)


def render_plate(label: str, plate_type: str, rng: np.random.Generator, scale: float = PIXELS_PER_MM) -> np.ndarray:
    """A frontal RGB plate for `label`, `scale` pixels per millimetre."""
    style = STYLES[plate_type]
    height, width = round(PLATE_HEIGHT_MM * scale), round(style.width * scale)
    top, bottom = (np.array(c, dtype=np.float32) for c in style.background)
    shade = rng.uniform(0.8, 1.1)
    ramp = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    plate = ((top * (1 - ramp) + bottom * ramp) * shade * rng.uniform(0.9, 1.1, 3)).clip(0, 255)
    plate = np.repeat(plate, width, axis=1)
    glyph = np.array(style.glyph_colour, dtype=np.float32)
    # Frame: a thin line in the glyph colour, inset from the edge.
    inset, thickness = max(1, round(3 * scale)), max(1, round(2 * scale))
    cv2.rectangle(plate, (inset, inset), (width - 1 - inset, height - 1 - inset), glyph.tolist(), thickness)

    widths, gaps = (SEVEN_WIDTHS, SEVEN_GAPS) if style.length == 7 else (EIGHT_WIDTHS, EIGHT_GAPS)
    jitter = rng.uniform(-0.06, 0.06)
    x = (style.width - sum(widths) - sum(gaps)) / 2
    y0 = (PLATE_HEIGHT_MM - GLYPH_HEIGHT_MM) / 2
    latin_font, stroke = int(rng.integers(len(latin_font_paths()))), int(rng.integers(0, 2))
    for n, (char, char_width, gap) in enumerate(zip(label, widths, gaps)):
        x += gap
        box_width, box_height = round(char_width * (1 + jitter) * scale), round(GLYPH_HEIGHT_MM * scale)
        mask = _box_fill(glyph_mask(char, latin_font, stroke), box_width, box_height)
        left = round((x + (char_width - mask.shape[1] / scale) / 2) * scale)
        upper = round(y0 * scale)
        colour = np.array(style.last_glyph_colour, dtype=np.float32) if (
            style.last_glyph_colour and n == len(label) - 1
        ) else glyph
        region = plate[upper : upper + mask.shape[0], left : left + mask.shape[1]]
        alpha = (mask[: region.shape[0], : region.shape[1]].astype(np.float32) / 255)[..., None]
        region[:] = region * (1 - alpha) + colour * alpha
        x += char_width
        if n == 1:  # the separator dot, centred in the wide gap
            centre = (round((x + gaps[2] / 2) * scale), round(PLATE_HEIGHT_MM / 2 * scale))
            cv2.circle(plate, centre, max(1, round(5 * scale)), glyph.tolist(), -1)
    # Rivets: two screws in the top band and two in the bottom.
    for rivet_x in (0.25, 0.75):
        for rivet_y in (0.1, 0.9):
            centre = (round(width * rivet_x), round(height * rivet_y))
            cv2.circle(plate, centre, max(1, round(4 * scale)), (plate[centre[1], centre[0]] * 0.7).tolist(), -1)
    return plate.astype(np.uint8)
