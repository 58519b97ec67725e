"""The Chinese plate format (GA 36): the characters plates use, each plate type with the characters every
place of it may hold, its rows, colours and dimensions, and the shape of double-row crops. The one home of
these facts: the alphabet
(plate_ocr.charset), the plate grammar (plate_ocr.decoding.grammar), the generator (plate_ocr.synth), the
CCPD parser and the double-row reader (plate_ocr.decoding.rows) read them from here."""

from __future__ import annotations

from dataclasses import dataclass

# The 31 provinces in CCPD's own order (its README's `provinces` list).
PROVINCES = "皖沪津渝冀晋蒙辽吉黑苏浙京闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新"
# Plates never use I or O: they would be confused with 1 and 0.
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
ALNUM = LETTERS + DIGITS
NEW_ENERGY = "DF"  # D: battery electric, F: other new-energy cars


RGB = tuple[int, int, int]
BLACK, WHITE, RED = (25, 25, 25), (240, 240, 240), (205, 30, 30)
BLUE, YELLOW = (25, 85, 215), (235, 180, 25)
NEW_ENERGY_GREENS = ((230, 245, 232), (40, 175, 90))  # top and bottom of the green plates' gradient
LARGE_NEW_ENERGY = ((220, 200, 40), (40, 175, 90))  # left and right of large new-energy plates' gradient
PLATE_HEIGHT_MM, CHAR_HEIGHT_MM = 140, 90  # single-row plates and their characters


@dataclass(frozen=True)
class PlateLayout:
    """The colours and dimensions (millimetres) of one plate type. `gaps[i]` precedes character i (the wide
    one before the third character holds the separator dot); double-row plates lay their two lines out as
    DOUBLE_ROW_LINES says. The characters at `red_places` are painted red (the 警 of police plates)."""

    width: float
    char_widths: tuple[float, ...]
    gaps: tuple[float, ...]
    background: tuple[RGB, RGB]  # top and bottom of a vertical gradient, or left and right
    ink: RGB
    red_places: tuple[int, ...] = ()
    height: float = PLATE_HEIGHT_MM
    horizontal_gradient: bool = False


SEVEN = {"width": 440, "char_widths": (45,) * 7, "gaps": (0, 12, 34, 12, 12, 12, 12)}
EIGHT = {"width": 480, "char_widths": (45,) + (43,) * 7, "gaps": (0, 9, 49, 9, 9, 9, 9, 9)}


@dataclass(frozen=True)
class DoubleRowLines:
    """The double-row plate's two lines (mm): the top line's two characters centred at `top_centres`, the
    serial's characters spaced evenly below."""

    top: float = 18
    top_height: float = 62
    top_char_width: float = 55
    top_centres: tuple[float, float] = (140, 300)
    bottom: float = 95
    bottom_height: float = 110
    bottom_char_width: float = 65
    bottom_gap: float = 12


DOUBLE_ROW_LINES = DoubleRowLines()


@dataclass(frozen=True)
class PlateType:
    """One plate type. `forms`: the strings it is issued as, each the characters every place may hold (one
    string per place), all of one length; `layout`: its colours and dimensions; `rows`: 2 when the first two
    characters sit above the rest; `share`: how often the default generator draws it (weights, summed over
    the types)."""

    forms: tuple[tuple[str, ...], ...]
    layout: PlateLayout
    share: float
    rows: int = 1

    def __post_init__(self) -> None:
        if len({len(form) for form in self.forms}) != 1:
            raise ValueError(f"the forms of a plate type must have one length: {self.forms}")
        if self.rows not in (1, 2):
            raise ValueError(f"a plate has one or two rows, not {self.rows}")
        if len(self.layout.char_widths) != self.length or len(self.layout.gaps) != self.length:
            raise ValueError(
                f"the layout has places for {len(self.layout.char_widths)} characters, not {self.length}"
            )

    @property
    def length(self) -> int:
        return len(self.forms[0])


OFFICE = (PROVINCES, LETTERS)  # the province, then the letter of the issuing office
SERIAL = (ALNUM,) * 5
ORDINARY = ((*OFFICE, *SERIAL),)
BLUE_PLATE = {"background": (BLUE, BLUE), "ink": WHITE}
YELLOW_PLATE = {"background": (YELLOW, YELLOW), "ink": BLACK}
WHITE_PLATE = {"background": (WHITE, WHITE), "ink": BLACK}
BLACK_PLATE = {"background": (BLACK, BLACK), "ink": WHITE}  # foreign missions, Hong Kong and Macau
DOUBLE_ROW_HEIGHT = 220  # large vehicles' and trailers' rear plates: 440 x 220 mm
# Every plate type GA 36 issues that a road camera meets (and civil aviation's, issued alike); the order
# only fixes where new characters go at the end of the alphabet.
PLATE_TYPES: dict[str, PlateType] = {
    "blue": PlateType(ORDINARY, PlateLayout(**SEVEN, **BLUE_PLATE), share=0.62),  # small cars
    "yellow": PlateType(ORDINARY, PlateLayout(**SEVEN, **YELLOW_PLATE), share=0.07),  # large, front
    "yellow_double": PlateType(  # large vehicles, rear
        ORDINARY, PlateLayout(**SEVEN, **YELLOW_PLATE, height=DOUBLE_ROW_HEIGHT), share=0.04, rows=2
    ),
    # new-energy small cars: D (battery) or F, a letter or digit, then four digits, in a green gradient
    "green": PlateType(
        ((*OFFICE, NEW_ENERGY, ALNUM, *(DIGITS,) * 4),),
        PlateLayout(**EIGHT, background=NEW_ENERGY_GREENS, ink=BLACK),
        share=0.08,
    ),
    # new-energy large vehicles: five digits, then D or F, yellow on the left fading to green
    "green_large": PlateType(
        ((*OFFICE, *(DIGITS,) * 5, NEW_ENERGY),),
        PlateLayout(**EIGHT, background=LARGE_NEW_ENERGY, ink=BLACK, horizontal_gradient=True),
        share=0.02,
    ),
    "police": PlateType(
        ((*OFFICE, *SERIAL[:4], "警"),), PlateLayout(**SEVEN, **WHITE_PLATE, red_places=(6,)), share=0.03
    ),
    "coach": PlateType(  # driving-school cars
        ((*OFFICE, *SERIAL[:4], "学"),), PlateLayout(**SEVEN, **YELLOW_PLATE), share=0.03
    ),
    "trailer": PlateType(  # rear, in two rows like large vehicles'
        ((*OFFICE, *SERIAL[:4], "挂"),),
        PlateLayout(**SEVEN, **YELLOW_PLATE, height=DOUBLE_ROW_HEIGHT),
        share=0.03,
        rows=2,
    ),
    "embassy": PlateType(  # a red 使, the mission's three digits, then the car's three
        (("使", *(DIGITS,) * 6),), PlateLayout(**SEVEN, **BLACK_PLATE, red_places=(0,)), share=0.02
    ),
    "consulate": PlateType(
        ((*OFFICE, *(DIGITS,) * 4, "领"),), PlateLayout(**SEVEN, **BLACK_PLATE, red_places=(6,)), share=0.02
    ),
    "hong_kong": PlateType(  # cross-border cars, issued by Guangdong's Z office
        (("粤", "Z", *SERIAL[:4], "港"),), PlateLayout(**SEVEN, **BLACK_PLATE, red_places=(6,)), share=0.02
    ),
    "macau": PlateType(
        (("粤", "Z", *SERIAL[:4], "澳"),), PlateLayout(**SEVEN, **BLACK_PLATE, red_places=(6,)), share=0.02
    ),
    "civil_aviation": PlateType(  # airside vehicles: 民航, then five letters or digits
        (("民", "航", *SERIAL),), PlateLayout(**SEVEN, **BLUE_PLATE), share=0.02
    ),
    "emergency": PlateType(  # rescue vehicles: four letters or digits, then a red 应急
        ((*OFFICE, *SERIAL[:4], "应", "急"),),
        PlateLayout(**EIGHT, **WHITE_PLATE, red_places=(6, 7)),
        share=0.02,
    ),
}

# Every form a plate string may take, each once, in the order of PLATE_TYPES.
PLATE_FORMS: tuple[tuple[str, ...], ...] = tuple(
    dict.fromkeys(form for plate_type in PLATE_TYPES.values() for form in plate_type.forms)
)
PLATE_LENGTHS: tuple[int, ...] = tuple(sorted({plate_type.length for plate_type in PLATE_TYPES.values()}))

# The network's output classes, blank aside. Their order is part of every checkpoint, so it only grows: the
# alphabet of the first checkpoints, then every other character of the forms in the order of PLATE_TYPES.
FIRST_ALPHABET = PROVINCES + "警学" + LETTERS + DIGITS
DEFAULT_ALPHABET = FIRST_ALPHABET + "".join(
    dict.fromkeys(
        char for form in PLATE_FORMS for chars in form for char in chars if char not in FIRST_ALPHABET
    )
)
# The hanzi of plates that are not provinces (警, 学, 使, ...): drawn like provinces, in a Chinese face.
MARKS = "".join(char for char in DEFAULT_ALPHABET if char not in PROVINCES + ALNUM)


def types_of(plate: str) -> list[str]:
    """The names of the plate types whose forms `plate` fits (several share a form: blue and yellow)."""
    return [
        name
        for name, plate_type in PLATE_TYPES.items()
        if any(
            len(form) == len(plate) and all(c in chars for c, chars in zip(plate, form))
            for form in plate_type.forms
        )
    ]


# Width over height of double-row crops (EasyPR's: 1.5 to 2.0; single-row ones are 2.8 to 4).
DOUBLE_ROW_ASPECT = (1.6, 2.2)
# A crop narrower than this may be a double-row plate; a single-row one seen at an angle can be as squat.
DOUBLE_ROW_MAX_ASPECT = 2.6
