"""Fonts shipped by pip packages, found in one place: nothing is fetched at run time."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg
from PIL import ImageFont

# NotoSansCJK-VF.otf.ttc holds the JP, KR, SC, TC and HK faces, each with a weight axis; index 2 is
# Simplified Chinese.
CJK_SC_FACE = 2
# Chinese faces for the plates' province glyphs, by name: (pip package, file in its package, face index,
# weight axis value or None). Plate hanzi are cut in a face of their own that no package ships; several
# faces teach the model the glyph's shape rather than one font's. Licences: Noto Sans CJK and Noto Serif
# CJK, Source Han Mono: SIL OFL 1.1 (manimgx-fonts-cjk, mplfonts); WenQuanYi Micro Hei: Apache 2.0 or
# GPLv3 with the font exception (paperang-p2-fonts-cjk). mplfonts also ships SimHei, whose licence is
# not a free one: it is not used.
CHINESE_FACES = {
    "noto_sans": ("manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc", CJK_SC_FACE, 400),
    "noto_sans_bold": ("manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc", CJK_SC_FACE, 700),
    "noto_sans_black": ("manimgx_fonts_cjk", "NotoSansCJK-VF.otf.ttc", CJK_SC_FACE, 900),
    "wenquanyi_microhei": ("paperang_p2_fonts_cjk", "fonts/wqy-microhei.ttc", 0, None),
    "noto_serif": ("mplfonts", "fonts/NotoSerifCJKsc-Regular.otf", 0, None),
    "source_han_mono": ("mplfonts", "fonts/SourceHanMonoSC-Regular.otf", 0, None),
}
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
def chinese_face(name: str) -> FontFace:
    """The Chinese face called `name` in CHINESE_FACES, from its pip package."""
    if name not in CHINESE_FACES:
        raise ValueError(f"unknown Chinese face {name!r}; known: {sorted(CHINESE_FACES)}")
    module, file, index, weight = CHINESE_FACES[name]
    spec = importlib.util.find_spec(module)  # located, not imported: mplfonts would import matplotlib
    if spec is None or not spec.submodule_search_locations:
        raise FontMissing(
            f"the Chinese font {name!r} is missing: "
            f"pip install {module.replace('_', '-')} (see requirements.txt)"
        )
    return FontFace(Path(spec.submodule_search_locations[0]) / file, index, weight)


def cjk_face() -> FontFace:
    """Noto Sans CJK SC, regular weight: Chinese glyphs for labels and the plates' default face."""
    return chinese_face("noto_sans")


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
