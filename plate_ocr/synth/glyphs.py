"""Plate glyphs: each character drawn once per font and stroke weight, shaped like GA 36 lettering
(tall, condensed, uniform strokes) and cached as an alpha mask that fills a 1:2 character box."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from plate_ocr.plate_format import MARKS, PROVINCES
from plate_ocr.synth.fonts import chinese_face, latin_faces
from plate_ocr.synth.hanzi import HANZI_STROKE_MM, HANZI_STROKES, stroked_hanzi
from plate_ocr.synth.strokes import stroked_glyph

BOX_HEIGHT = 64  # cached masks are this tall and at most BOX_HEIGHT // 2 wide (a 45 x 90 mm box)
# A face is a number of latin_faces(), STROKED_FACE (letters and digits built from GA 36 strokes, see
# synth_strokes), the name of a Chinese face in plate_ocr.synth.fonts.CHINESE_FACES or STROKED_CHINESE.
Face = int | str
STROKED_FACE = -1
CJK_FACE = "noto_sans"  # the default Chinese face
# Hanzi built from the plate typeface's strokes where synth_hanzi records them, CJK_FACE elsewhere.
STROKED_CHINESE = "plate_strokes"
# Plate digit 1 is a plain bar: the sans-serif capital I has exactly that shape.
DRAWN_AS = {"1": "I"}
# A sans font's widest ordinary glyph; its width sets the horizontal stretch that fills a box.
WIDTH_REFERENCE = "0"


@cache
def _ink(char: str, face: Face, pen_mm: float = HANZI_STROKE_MM) -> np.ndarray:
    """`char` in a face at twice the box height, cropped to its ink (hanzi built from strokes drawn with a
    `pen_mm` wide pen)."""
    if face == STROKED_FACE:
        return stroked_glyph(char, BOX_HEIGHT * 2)
    if face == STROKED_CHINESE:
        stroked = stroked_hanzi(char, BOX_HEIGHT * 2, pen_mm)
        if stroked is not None:
            return stroked
        face = CJK_FACE
    font = (chinese_face(face) if isinstance(face, str) else latin_faces()[face]).load(BOX_HEIGHT * 2)
    drawn = DRAWN_AS.get(char, char)
    left, top, right, bottom = font.getbbox(drawn)
    canvas = Image.new("L", (right - left + 2, bottom - top + 2), 0)
    ImageDraw.Draw(canvas).text((1 - left, 1 - top), drawn, fill=255, font=font)
    return np.asarray(canvas.crop(canvas.getbbox()))


def check_chinese_face(name: str) -> None:
    """Raise when `name` is neither STROKED_CHINESE nor an installed face of CHINESE_FACES."""
    if name != STROKED_CHINESE:
        chinese_face(name)


@cache
def _stretch(face: Face) -> float:
    """How much this face is widened so that its reference glyph fills the box width."""
    reference = _ink(WIDTH_REFERENCE, face)
    return (BOX_HEIGHT // 2) / (reference.shape[1] * BOX_HEIGHT / reference.shape[0])


def is_chinese(char: str) -> bool:
    """Whether `char` is drawn with the CJK face."""
    return char in PROVINCES or char in MARKS


def is_plate_hanzi(char: str, face: Face) -> bool:
    """Whether hanzi `char` in `face` is built from the plate typeface's strokes rather than drawn in a
    packaged font that only stands in for it."""
    return face == STROKED_CHINESE and char in HANZI_STROKES


@cache
def glyph(char: str, face: Face, stroke: int, pen_mm: float = HANZI_STROKE_MM) -> np.ndarray:
    """Float32 alpha mask of `char`, BOX_HEIGHT tall, in `face`. Chinese glyphs fill their box; letters
    and digits keep their relative widths (1 stays a bar). `stroke` makes the strokes that many pixels
    thinner (negative) or thicker; `pen_mm` is the pen of hanzi built from the plate typeface's strokes."""
    ink = _ink(char, face, pen_mm)
    box_width = BOX_HEIGHT // 2
    if isinstance(face, str):
        width = box_width
    else:
        width = min(box_width, max(2, round(ink.shape[1] * BOX_HEIGHT / ink.shape[0] * _stretch(face))))
    mask = cv2.resize(ink, (width, BOX_HEIGHT), interpolation=cv2.INTER_AREA)
    if stroke:
        kernel = np.ones((abs(stroke) + 1,) * 2, np.uint8)
        mask = cv2.dilate(mask, kernel) if stroke > 0 else cv2.erode(mask, kernel)
    return mask.astype(np.float32) / 255


def warped(mask: np.ndarray, strength: float, rng: np.random.Generator) -> np.ndarray:
    """`mask` bent by a smooth random displacement of up to `strength` times its height, so that the
    parts of a glyph shift against each other as they do between fonts."""
    height, width = mask.shape
    coarse = rng.uniform(-strength * height, strength * height, (4, 3, 2)).astype(np.float32)
    shift = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
    rows, columns = np.indices((height, width), dtype=np.float32)
    return cv2.remap(mask, columns + shift[..., 0], rows + shift[..., 1], cv2.INTER_LINEAR)
