"""The plate renderer: a random plate string, drawn as a flat plate, photographed as a camera and detector
deliver it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from plate_ocr.plate_format import DOUBLE_ROW_ASPECT, PLATE_TYPES
from plate_ocr.synth.camera import CameraEffects, photograph
from plate_ocr.synth.fonts import latin_faces
from plate_ocr.synth.glyphs import STROKED_CHINESE, STROKED_FACE, check_chinese_face
from plate_ocr.synth.labels import PlateStrings, pick, province_weights
from plate_ocr.synth.layout import Lettering, render_plate

PEN_STEP_MM = 0.5  # pens of stroke-built hanzi come in these steps, so that few glyphs are cached


class PlateRenderer:
    """Draws random plates as a camera and a plate detector deliver them.

    Every argument is required: their values live in conf/renderer/ only, and code outside a Hydra run
    builds a renderer from there (plate_ocr.synth.config.default_renderer).

    plate_types: weight of each plate type drawn (names of plate_ocr.plate_format.PLATE_TYPES), or None for
        every type at its `share` there.
    provinces: share of plates for named provinces; the others split the rest evenly ({}: every
        province alike).
    office_a_share: share of plates whose second character is A, the others draw any letter.
    serial_letters: weights of serials holding 0, 1, 2, ... letters.
    size: output crop (height, width); CCPD's crops are 24 x 94.
    size_scale: range of a factor on `size`, drawn per plate: crops from cameras that see plates larger
        than CCPD's crops keep more detail at the network's input size.
    latin_strokes, chinese_strokes: smallest and largest stroke offset, in pixels at the cached glyph
        height, of letters/digits and of Chinese glyphs (drawn per plate, both ends included).
    glyph_width: range of the glyphs' width factor, drawn per plate.
    chinese_width: range of a further width factor of the hanzi, drawn per plate.
    chinese_faces: the faces hanzi are drawn in, one per plate, each as likely: names in
        plate_ocr.synth.fonts.CHINESE_FACES, or "plate_strokes", which builds the hanzi that
        plate_ocr.synth.hanzi records from the plate typeface's strokes and draws the others in Noto Sans
        CJK SC.
    stroked_share: share of plates whose letters and digits are built from GA 36 strokes; the others
        draw them in one of the packaged condensed fonts.
    latin_warp, chinese_warp: range of the smooth random bend of letters/digits and of Chinese glyphs, a
        fraction of their height, drawn per plate.
    hanzi_pens: range of the pen width in millimetres (in a 45 x 90 mm box) of hanzi built from the plate
        typeface's strokes, drawn per plate in steps of PEN_STEP_MM (plates without them draw no pen).
    camera: overrides of CameraEffects fields, e.g. {"defocus_sigma": [0, 2], "jpeg_p": 0.8} ({}: none).
    """

    def __init__(
        self,
        plate_types: Mapping[str, float] | None,
        provinces: Mapping[str, float],
        office_a_share: float,
        serial_letters: Sequence[float],
        size: Sequence[int],
        size_scale: Sequence[float],
        latin_strokes: Sequence[int],
        chinese_strokes: Sequence[int],
        glyph_width: Sequence[float],
        chinese_width: Sequence[float],
        chinese_faces: Sequence[str],
        stroked_share: float,
        latin_warp: Sequence[float],
        chinese_warp: Sequence[float],
        hanzi_pens: Sequence[float],
        camera: Mapping[str, object],
    ) -> None:
        mix = (
            dict(plate_types)
            if plate_types is not None
            else {name: plate_type.share for name, plate_type in PLATE_TYPES.items()}
        )
        unknown = sorted(set(mix) - set(PLATE_TYPES))
        if unknown:
            raise ValueError(f"unknown plate types {unknown}; known: {list(PLATE_TYPES)}")
        self.types = list(mix)
        self.type_cumulative = np.cumsum([mix[t] for t in self.types], dtype=float)
        self.strings = PlateStrings(province_weights(dict(provinces)), office_a_share, list(serial_letters))
        self.size = (int(size[0]), int(size[1]))
        self.size_scale = tuple(size_scale)
        self.latin_strokes, self.chinese_strokes = tuple(latin_strokes), tuple(chinese_strokes)
        self.glyph_width, self.chinese_width = tuple(glyph_width), tuple(chinese_width)
        self.chinese_faces = list(chinese_faces)
        for name in self.chinese_faces:
            check_chinese_face(name)  # an unknown or missing face fails here, not in a loader worker
        self.stroked_share = stroked_share
        self.latin_warp, self.chinese_warp = tuple(latin_warp), tuple(chinese_warp)
        self.hanzi_pens = tuple(hanzi_pens)
        self.camera = CameraEffects.from_config(dict(camera))

    def render(self, rng: np.random.Generator) -> tuple[np.ndarray, str, str]:
        """A random (RGB uint8 crop, label, plate type)."""
        plate_type = self.types[pick(self.type_cumulative, rng)]
        label = self.strings(plate_type, rng)
        height = round(rng.uniform(*self.camera.plate_height))
        plate = render_plate(label, plate_type, height, self.lettering(rng), rng)
        scale = rng.uniform(*self.size_scale)
        size = (round(self.size[0] * scale), round(self.size[1] * scale))
        if PLATE_TYPES[plate_type].rows == 2:
            size = (round(size[1] / rng.uniform(*DOUBLE_ROW_ASPECT)), size[1])
        return photograph(plate, size, self.camera, rng), label, plate_type

    def lettering(self, rng: np.random.Generator) -> Lettering:
        """A random face, stroke weights and glyph width within the configured ranges."""
        font = int(rng.integers(len(latin_faces())))
        lettering = Lettering(
            face=STROKED_FACE if rng.random() < self.stroked_share else font,
            chinese_face=self.chinese_faces[rng.integers(len(self.chinese_faces))],
            latin_stroke=int(rng.integers(self.latin_strokes[0], self.latin_strokes[1] + 1)),
            chinese_stroke=int(rng.integers(self.chinese_strokes[0], self.chinese_strokes[1] + 1)),
            width=float(rng.uniform(*self.glyph_width)),
            chinese_width=float(rng.uniform(*self.chinese_width)),
            latin_warp=float(rng.uniform(*self.latin_warp)),
            chinese_warp=float(rng.uniform(*self.chinese_warp)),
        )
        if lettering.chinese_face != STROKED_CHINESE:
            return lettering
        low, high = self.hanzi_pens
        if low == high:  # one pen: nothing drawn, so the plates that follow are drawn as without pens
            return replace(lettering, hanzi_pen_mm=low)
        return replace(lettering, hanzi_pen_mm=round(rng.uniform(low, high) / PEN_STEP_MM) * PEN_STEP_MM)

    def __call__(self, rng: np.random.Generator) -> tuple[np.ndarray, str]:
        """A random (RGB uint8 crop, label)."""
        image, label, _ = self.render(rng)
        return image, label
