"""Fonts shipped by pip packages: nothing is fetched at run time."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

# NotoSansCJK-Regular.ttc holds several faces; index 2 is Simplified Chinese.
CJK_SC_FACE = 2


def cjk_font_path() -> Path:
    """Path of the packaged Noto Sans CJK collection."""
    try:
        import noto_cjk_sans_otc
    except ImportError as error:
        raise ImportError("the CJK font is missing: pip install -r requirements.txt (noto-cjk-sans-otc)") from error
    return Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc"


@cache
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The Simplified Chinese Noto Sans face at `size` pixels, for drawing labels with glyphs."""
    return ImageFont.truetype(str(cjk_font_path()), size, index=CJK_SC_FACE)


def _package_files(module_name: str, package: str) -> list[Path]:
    try:
        module = __import__(module_name)
    except ImportError as error:
        raise ImportError(f"a plate font is missing: pip install -r requirements.txt ({package})") from error
    return sorted((Path(module.__file__).parent / "files").glob("*.ttf"))


# Condensed, DIN-like sans faces for letters and digits (plate glyphs are tall and narrow), upright only.
LATIN_FONT_PACKAGES = {
    "fontpkg_barlow_condensed": "fontpkg-barlow-condensed",
    "fontpkg_oswald": "fontpkg-oswald",
    "fontpkg_roboto_condensed": "fontpkg-roboto-condensed",
}
LATIN_WEIGHTS = ("Regular", "Medium", "SemiBold", "[wght]")


@cache
def latin_font_paths() -> tuple[Path, ...]:
    """Upright condensed font files of regular-to-semibold weight from the packaged families."""
    paths = []
    for module_name, package in LATIN_FONT_PACKAGES.items():
        for path in _package_files(module_name, package):
            style = path.stem.split("-")[-1] if "-" in path.stem else path.stem[path.stem.find("[") :]
            if "Italic" not in path.stem and style in LATIN_WEIGHTS:
                paths.append(path)
    return tuple(paths)
