"""Fonts shipped by pip packages, found in one place: nothing is fetched at run time."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg
from PIL import ImageFont

# NotoSansCJK-Regular.ttc holds several faces (JP, KR, SC, TC, HK, ...); index 2 is Simplified Chinese.
CJK_SC_FACE = 2
# Condensed, DIN-like sans families close to the GA 36 plate lettering, with the weights whose strokes
# match the plates' once a glyph is stretched into its 45 x 90 mm box: (fontpkg family, weight).
LATIN_FACES = (
    ("barlow-condensed", 500),
    ("barlow-condensed", 600),
    ("oswald", 400),
    ("oswald", 500),
    ("roboto-condensed", 500),
    ("roboto-condensed", 600),
    ("saira-condensed", 500),
    ("saira-condensed", 600),
)


class FontMissing(ImportError):
    """A font package named in requirements.txt is not installed."""


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: `index` picks it in a collection, `weight` sets a variable font's axis."""

    path: Path
    index: int = 0
    weight: int | None = None

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        """The face at `size` pixels."""
        font = ImageFont.truetype(str(self.path), size, index=self.index)
        if self.weight is not None:
            font.set_variation_by_axes([self.weight])
        return font


@cache
def cjk_face() -> FontFace:
    """Noto Sans CJK SC (from the noto-cjk-sans-otc package): Chinese glyphs for plates and labels."""
    try:
        import noto_cjk_sans_otc
    except ImportError as error:
        raise FontMissing(
            "the CJK font is missing: pip install noto-cjk-sans-otc (see requirements.txt)"
        ) from error
    return FontFace(Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc", CJK_SC_FACE)


@cache
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The Simplified Chinese face at `size` pixels, for drawing labels that contain Chinese."""
    return cjk_face().load(size)


def _latin_face(family: str, weight: int) -> FontFace:
    try:
        files = fontpkg.family(family).files
    except fontpkg.FamilyNotInstalled as error:
        raise FontMissing(
            f"the plate font {family!r} is missing: pip install fontpkg-{family} (see requirements.txt)"
        ) from error
    upright = [f for f in files if f.style == "normal"]
    variable = [f for f in upright if f.variable and f.wght_min <= weight <= f.wght_max]
    if variable:
        return FontFace(variable[0].path, weight=weight)
    static = [f for f in upright if f.weight == weight]
    if not static:
        raise FontMissing(f"the plate font {family!r} has no upright face of weight {weight}")
    return FontFace(static[0].path)


@cache
def latin_faces() -> tuple[FontFace, ...]:
    """The condensed faces that letters and digits on synthetic plates are drawn with."""
    return tuple(_latin_face(family, weight) for family, weight in LATIN_FACES)
