"""The Chinese plate format (GA 36): the characters plates use, each plate type with the characters every
place of it may hold, its rows, colours and dimensions, and the shape of double-row crops. The one home of
these facts: the alphabet
(plate_ocr.charset), the plate grammar (plate_ocr.decoding.grammar), the generator (plate_ocr.synth), the
CCPD parser and the double-row reader (plate_ocr.decoding.rows) read them from here."""

from __future__ import annotations

from dataclasses import dataclass

# The 31 provinces in CCPD's own order (its README's `provinces` list), then the special glyphs.
PROVINCES = "皖沪津渝冀晋蒙辽吉黑苏浙京闽赣鲁豫鄂湘粤桂琼川贵云藏陕甘青宁新"
SPECIALS = "警学"
# Plates never use I or O: they would be confused with 1 and 0.
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
ALNUM = LETTERS + DIGITS
NEW_ENERGY = "DF"  # D: battery electric, F: other new-energy cars

# The network's output classes, blank aside; their order is part of every checkpoint.
DEFAULT_ALPHABET = PROVINCES + SPECIALS + LETTERS + DIGITS


RGB = tuple[int, int, int]
BLACK, WHITE, RED = (25, 25, 25), (240, 240, 240), (205, 30, 30)
BLUE, YELLOW = (25, 85, 215), (235, 180, 25)
NEW_ENERGY_GREENS = ((230, 245, 232), (40, 175, 90))  # top and bottom of the green plates' gradient
PLATE_HEIGHT_MM, CHAR_HEIGHT_MM = 140, 90  # single-row plates and their characters


@dataclass(frozen=True)
class PlateLayout:
    """The colours and dimensions (millimetres) of one plate type. `gaps[i]` precedes character i (the wide
    one before the third character holds the separator dot); double-row plates lay their two lines out as
    DOUBLE_ROW_LINES says."""

    width: float
    char_widths: tuple[float, ...]
    gaps: tuple[float, ...]
    background: tuple[RGB, RGB]  # top and bottom of a vertical gradient
    ink: RGB
    last_ink: RGB | None = None  # the red 警 of police plates
    height: float = PLATE_HEIGHT_MM


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
    string per place), all of one length; `layout`: its colours and dimensions; `rows`: 2 when province and
    letter sit above the serial."""

    forms: tuple[tuple[str, ...], ...]
    layout: PlateLayout
    rows: int = 1

    def __post_init__(self) -> None:
        if len({len(form) for form in self.forms}) != 1:
            raise ValueError(f"the forms of a plate type must have one length: {self.forms}")
        if self.rows not in (1, 2):
            raise ValueError(f"a plate has one or two rows, not {self.rows}")

    @property
    def length(self) -> int:
        return len(self.forms[0])


OFFICE = (PROVINCES, LETTERS)  # the province, then the letter of the issuing office
SERIAL = (ALNUM,) * 5
ORDINARY = ((*OFFICE, *SERIAL),)
PLATE_TYPES: dict[str, PlateType] = {
    "blue": PlateType(ORDINARY, PlateLayout(**SEVEN, background=(BLUE, BLUE), ink=WHITE)),  # small cars
    "yellow": PlateType(
        ORDINARY, PlateLayout(**SEVEN, background=(YELLOW, YELLOW), ink=BLACK)
    ),  # large, front
    "yellow_double": PlateType(  # large vehicles, rear: 440 x 220 mm
        ORDINARY, PlateLayout(**SEVEN, background=(YELLOW, YELLOW), ink=BLACK, height=220), rows=2
    ),
    # new-energy cars: small ones' serials start with D or F, large ones' end with it
    "green": PlateType(
        ((*OFFICE, NEW_ENERGY, *SERIAL), (*OFFICE, *SERIAL, NEW_ENERGY)),
        PlateLayout(**EIGHT, background=NEW_ENERGY_GREENS, ink=BLACK),
    ),
    "police": PlateType(
        ((*OFFICE, *SERIAL[:4], "警"),),
        PlateLayout(**SEVEN, background=(WHITE, WHITE), ink=BLACK, last_ink=RED),
    ),
    "coach": PlateType(  # driving-school cars
        ((*OFFICE, *SERIAL[:4], "学"),), PlateLayout(**SEVEN, background=(YELLOW, YELLOW), ink=BLACK)
    ),
}

# Every form a plate string may take, each once, in the order of PLATE_TYPES.
PLATE_FORMS: tuple[tuple[str, ...], ...] = tuple(
    dict.fromkeys(form for plate_type in PLATE_TYPES.values() for form in plate_type.forms)
)
PLATE_LENGTHS: tuple[int, ...] = tuple(sorted({plate_type.length for plate_type in PLATE_TYPES.values()}))

# Width over height of double-row crops (EasyPR's: 1.5 to 2.0; single-row ones are 2.8 to 4).
DOUBLE_ROW_ASPECT = (1.6, 2.2)
# A crop narrower than this may be a double-row plate; a single-row one seen at an angle can be as squat.
DOUBLE_ROW_MAX_ASPECT = 2.6
