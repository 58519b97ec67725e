"""The Chinese plate format (GA 36): the characters plates use, each plate type with the characters every
place of it may hold, and the shape of double-row crops. The one home of these facts: the alphabet
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


@dataclass(frozen=True)
class PlateType:
    """One plate type. `forms`: the strings it is issued as, each the characters every place may hold (one
    string per place), all of one length; `rows`: 2 when province and letter sit above the serial."""

    forms: tuple[tuple[str, ...], ...]
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
ORDINARY = PlateType(((*OFFICE, *SERIAL),))
PLATE_TYPES: dict[str, PlateType] = {
    "blue": ORDINARY,  # small cars
    "yellow": ORDINARY,  # large vehicles, front
    "yellow_double": PlateType(ORDINARY.forms, rows=2),  # large vehicles, rear
    # new-energy cars: small ones' serials start with D or F, large ones' end with it
    "green": PlateType(((*OFFICE, NEW_ENERGY, *SERIAL), (*OFFICE, *SERIAL, NEW_ENERGY))),
    "police": PlateType(((*OFFICE, *SERIAL[:4], "警"),)),
    "coach": PlateType(((*OFFICE, *SERIAL[:4], "学"),)),  # driving-school cars
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
