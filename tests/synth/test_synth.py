"""The synthetic plate generator: plate grammar, determinism, sizes, the dataset source and the CLI."""

import pickle
import re

import cv2
import numpy as np
import pytest
import torch
from hydra.errors import InstantiationException

from plate_ocr.charset import Charset
from plate_ocr.cli.main import main as plate_ocr
from plate_ocr.data.crops import label_from_filename
from plate_ocr.data.synth_plates import SynthPlates
from plate_ocr.plate_format import DIGITS, DOUBLE_ROW_ASPECT, LETTERS, MARKS, PLATE_TYPES, PROVINCES
from plate_ocr.synth.camera import CameraEffects, detector_crop
from plate_ocr.synth.config import default_renderer
from plate_ocr.synth.fonts import CHINESE_FACES
from plate_ocr.synth.glyphs import (
    CJK_FACE,
    STROKED_CHINESE,
    STROKED_FACE,
    glyph,
    warped,
)
from plate_ocr.synth.hanzi import HANZI_STROKES
from plate_ocr.synth.labels import province_weights
from plate_ocr.synth.layout import Lettering, render_plate

SERIAL = "[A-HJ-NP-Z0-9]"
GRAMMAR = {
    "blue": f"^.[A-HJ-NP-Z]{SERIAL}{{5}}$",
    "yellow": f"^.[A-HJ-NP-Z]{SERIAL}{{5}}$",
    "yellow_double": f"^.[A-HJ-NP-Z]{SERIAL}{{5}}$",
    "green": f"^.[A-HJ-NP-Z][DF]{SERIAL}[0-9]{{4}}$",
    "green_large": "^.[A-HJ-NP-Z][0-9]{5}[DF]$",
    "police": f"^.[A-HJ-NP-Z]{SERIAL}{{4}}警$",
    "coach": f"^.[A-HJ-NP-Z]{SERIAL}{{4}}学$",
    "trailer": f"^.[A-HJ-NP-Z]{SERIAL}{{4}}挂$",
    "embassy": "^使[0-9]{6}$",
    "consulate": "^.[A-HJ-NP-Z][0-9]{4}领$",
    "hong_kong": f"^粤Z{SERIAL}{{4}}港$",
    "macau": f"^粤Z{SERIAL}{{4}}澳$",
    "civil_aviation": f"^民航{SERIAL}{{5}}$",
    "emergency": f"^.[A-HJ-NP-Z]{SERIAL}{{4}}应急$",
}


@pytest.mark.parametrize("plate_type", PLATE_TYPES)
def test_every_plate_type_renders_a_valid_plate(plate_type):
    renderer = default_renderer(plate_types={plate_type: 1.0})
    charset = Charset()
    for seed in range(30):
        image, label, rendered_type = renderer.render(np.random.default_rng(seed))
        assert rendered_type == plate_type
        charset.validate(label)
        assert re.match(GRAMMAR[plate_type], label), label
        squat = (round(94 / DOUBLE_ROW_ASPECT[1]), round(94 / DOUBLE_ROW_ASPECT[0]))
        heights = squat if PLATE_TYPES[plate_type].rows == 2 else (24, 24)
        assert image.shape[1:] == (94, 3) and image.dtype == np.uint8
        assert heights[0] <= image.shape[0] <= heights[1]
        assert image.std() > 5  # not a blank crop


def test_serials_are_mostly_digits_with_at_most_two_letters():
    renderer = default_renderer(plate_types={"blue": 1.0})
    serials = [renderer(np.random.default_rng(seed))[1][2:] for seed in range(200)]
    letters = [sum(c.isalpha() for c in serial) for serial in serials]
    assert max(letters) <= 2 and sum(letters) < 2 * len(serials) * 0.7


def test_glyphs_are_drawn_where_the_label_says():
    # Without the camera, two plates drawn with the same random draws differ only under the serial.
    first = render_plate("皖A11111", "blue", 56, Lettering(), np.random.default_rng(0)).astype(int)
    second = render_plate("皖A88888", "blue", 56, Lettering(), np.random.default_rng(0)).astype(int)
    differs = np.abs(first - second).sum(axis=(0, 2)) > 0
    width = first.shape[1]
    assert not differs[: int(width * 0.3)].any()  # province and office letter identical
    assert differs[int(width * 0.4) :].sum() > width * 0.2


def test_same_seed_same_pixels_and_the_output_size_is_configurable():
    renderer = default_renderer(size=[32, 128], camera={"defocus_sigma": [0, 1], "jpeg_p": 1.0})
    image, label = renderer(np.random.default_rng([3, 4]))
    again, label_again = renderer(np.random.default_rng([3, 4]))
    assert image.shape == (32, 128, 3) and label == label_again and np.array_equal(image, again)
    assert not np.array_equal(image, renderer(np.random.default_rng([3, 5]))[0])
    assert renderer.camera.defocus_sigma == (0, 1)


def test_in_camera_sharpening_edges_the_strokes_of_the_share_configured():
    def edge_strength(sharpen_p):
        renderer = default_renderer(size=[32, 128], camera={"sharpen_p": sharpen_p, "sharpen": [1.5, 2.0]})
        greys = [
            cv2.cvtColor(renderer(np.random.default_rng([9, i]))[0], cv2.COLOR_RGB2GRAY) for i in range(20)
        ]
        return np.mean([np.abs(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F)).mean() for grey in greys])

    assert CameraEffects().sharpen_p == 0.5
    assert edge_strength(1.0) > 1.15 * edge_strength(0.5) > 1.3 * edge_strength(0.0)


def test_fixed_sets_are_deterministic_and_the_train_stream_follows_torch_seed():
    renderer = default_renderer()
    fixed = SynthPlates(4, renderer, seed=7)
    restored = pickle.loads(pickle.dumps(fixed))  # DataLoader workers get a pickled copy
    assert len(pickle.dumps(fixed)) < 10_000
    assert np.array_equal(fixed[2].image, restored[2].image)
    assert fixed[2].record == restored[2].record
    assert fixed[2].record.path == "synth/2" and fixed[2].record.subset in PLATE_TYPES
    with pytest.raises(IndexError):
        fixed[4]

    stream = SynthPlates(4, renderer, seed=None)
    torch.manual_seed(1)
    first = [stream[0].record.label for _ in range(3)]
    torch.manual_seed(1)
    assert [stream[0].record.label for _ in range(3)] == first
    assert len(set(first)) == 3  # a new plate on every access


def test_province_mix_is_configurable_and_checked():
    renderer = default_renderer(provinces={"粤": 1.0}, office_a_share=0.0)
    labels = [renderer(np.random.default_rng(i))[1] for i in range(20)]
    assert {label[0] for label in labels} == {"粤"} and len({label[1] for label in labels}) > 5
    default = province_weights({"皖": 0.8})
    assert default.min() > 0 and default.max() == pytest.approx(0.8)
    with pytest.raises(InstantiationException, match="not one of"):
        default_renderer(provinces={"X": 0.5})
    with pytest.raises(InstantiationException, match="unknown plate types"):
        default_renderer(plate_types={"purple": 1.0})
    with pytest.raises(ValueError, match="unknown camera effect 'blurr'"):
        CameraEffects.from_config({"blurr": 1})


def test_cli_writes_named_crops_and_a_grid(tmp_path, capsys):
    out = tmp_path / "crops"
    plate_ocr(
        ["synth", "--n", "5", "--out", str(out), "--grid", str(tmp_path / "grid.png"), "--type", "green"]
    )
    printed = capsys.readouterr().out
    assert re.search(r"wrote 5 crops .* \d+ plates/s on one core", printed)
    assert f"wrote a grid of 5 plates to {tmp_path / 'grid.png'}" in printed
    files = sorted(out.glob("*.jpg"))
    assert [f.name[:5] for f in files] == ["0000-", "0001-", "0002-", "0003-", "0004-"]
    assert all(re.match(GRAMMAR["green"], label_from_filename(f)) for f in files)
    image = cv2.imdecode(np.fromfile(files[0], np.uint8), cv2.IMREAD_COLOR)  # Chinese names read back
    assert image.shape == (24, 94, 3)
    assert cv2.imread(str(tmp_path / "grid.png")).shape[1] == 8 * 192


def test_cli_writes_a_row_of_each_plate_type(tmp_path, capsys):
    plate_ocr(["synth", "--n", "3", "--grid", str(tmp_path / "types.png"), "--per-type"])
    assert f"wrote 3 plates of each of the {len(PLATE_TYPES)} plate types" in capsys.readouterr().out
    grid = cv2.imread(str(tmp_path / "types.png"))
    assert grid.shape[1] == 3 * 192 and grid.shape[0] > len(PLATE_TYPES) * 24


def test_red_marks_are_painted_red_and_black_plates_white_on_black():
    embassy = render_plate("使014578", "embassy", 56, Lettering(), np.random.default_rng(0)).astype(int)
    width = embassy.shape[1]
    mark, serial = embassy[:, : width // 8], embassy[:, width // 3 :]
    reddish = (mark[..., 0] - mark[..., 1:].max(axis=-1)) > 80
    whitish = serial.min(axis=-1) > 150
    assert reddish.sum() > 20 and not ((serial[..., 0] - serial[..., 1:].max(axis=-1)) > 80).any()
    assert whitish.sum() > 50 and np.median(serial) < 80  # white glyphs on a black plate


def test_lettering_strokes_and_width_change_only_their_glyphs():
    def plate(**lettering: float) -> np.ndarray:
        drawn = render_plate("皖A12345", "blue", 56, Lettering(**lettering), np.random.default_rng(0))
        return drawn.astype(int)

    width = plate().shape[1]
    province_bolder = np.abs(plate(chinese_stroke=4) - plate()).sum(axis=(0, 2)) > 0
    assert province_bolder[: int(width * 0.15)].any() and not province_bolder[int(width * 0.2) :].any()
    serial_thinner = np.abs(plate(latin_stroke=-2) - plate()).sum(axis=(0, 2)) > 0
    assert serial_thinner[int(width * 0.2) :].any() and not serial_thinner[: int(width * 0.12)].any()
    # White glyphs on blue: narrower glyphs leave less white.
    assert plate(width=0.8)[..., 0].sum() < plate()[..., 0].sum()


def test_warped_glyphs_move_their_parts_but_keep_their_ink():
    province = glyph("皖", CJK_FACE, 0)
    bent = warped(province, 0.04, np.random.default_rng(0))
    assert bent.shape == province.shape and np.abs(bent - province).mean() > 0.05
    assert bent.sum() == pytest.approx(province.sum(), rel=0.2)
    assert np.array_equal(warped(province, 0.0, np.random.default_rng(0)), province)


def test_renderer_draws_lettering_within_the_configured_ranges():
    renderer = default_renderer(
        latin_strokes=[-2, -2], chinese_strokes=[3, 4], glyph_width=[0.9, 0.95], chinese_warp=[0.01, 0.02]
    )
    drawn = [renderer.lettering(np.random.default_rng(seed)) for seed in range(50)]
    assert {d.latin_stroke for d in drawn} == {-2} and {d.chinese_stroke for d in drawn} == {3, 4}
    assert all(0.9 <= d.width <= 0.95 and 0.01 <= d.chinese_warp <= 0.02 for d in drawn)


def test_stroked_share_picks_the_ga36_strokes_for_that_share_of_plates():
    def share(stroked_share: float) -> float:
        renderer = default_renderer(stroked_share=stroked_share)
        faces = [renderer.lettering(np.random.default_rng(seed)).face for seed in range(200)]
        return faces.count(STROKED_FACE) / len(faces)

    assert share(0.0) == 0.0 and share(1.0) == 1.0 and 0.35 < share(0.5) < 0.65


def test_stroked_glyphs_are_tall_and_tell_the_plate_lookalikes_apart():
    masks = {char: glyph(char, STROKED_FACE, 0) for char in LETTERS + DIGITS}
    assert all(m.shape[0] == 64 and 2 <= m.shape[1] <= 32 for m in masks.values())
    assert masks["1"].shape[1] < 12 and masks["0"].shape[1] == 32  # the 1 is a bar, the 0 fills its box
    for pair in ("G6", "Q0", "89", "69", "2Z", "D0", "B8", "T7"):
        first, second = (masks[char] for char in pair)
        assert first.shape == second.shape and np.abs(first - second).mean() > 0.03, pair
    plate = render_plate("皖AG6Q08", "blue", 56, Lettering(face=STROKED_FACE), np.random.default_rng(0))
    font_plate = render_plate("皖AG6Q08", "blue", 56, Lettering(face=0), np.random.default_rng(0))
    assert plate.shape == font_plate.shape and not np.array_equal(plate, font_plate)


def test_crops_shrunk_without_band_limiting_keep_crisper_edges():
    plate = render_plate("皖A12345", "blue", 120, Lettering(), np.random.default_rng(0))

    def edge_energy(antialias_p: float) -> float:
        effects = CameraEffects(antialias_p=antialias_p)
        crop = detector_crop(plate, (24, 94), effects, np.random.default_rng(1))
        return float(np.abs(cv2.Laplacian(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), cv2.CV_32F)).mean())

    assert edge_energy(0.0) > 1.2 * edge_energy(1.0)


@pytest.mark.parametrize("shear_deg", [15, -15])
def test_shear_leans_the_plate_sides_the_way_its_sign_says(shear_deg):
    plate = np.zeros((140, 440, 3), np.uint8)
    plate[:, 200:240] = 255  # one upright bar in the middle
    upright = dict(rotation_deg=(0, 0), perspective=0.0, yaw=0.0, margin_x=(0, 0), margin_y=(0, 0))
    effects = CameraEffects(shear_deg=(shear_deg, shear_deg), **upright)
    crop = detector_crop(plate, (48, 188), effects, np.random.default_rng(0)).mean(axis=2)

    def bar_centre(rows: slice) -> float:
        middle = crop[rows, 47:141]
        return float((middle.sum(axis=0) * np.arange(middle.shape[1])).sum() / middle.sum())

    lean = bar_centre(slice(36, 46)) - bar_centre(slice(2, 12))  # bottom minus top, in pixels
    assert lean * np.sign(shear_deg) > 4  # positive: the bottom lies further right


@pytest.mark.parametrize("face", [*CHINESE_FACES, STROKED_CHINESE])
def test_every_province_renders_in_every_chinese_face(face):
    masks = {char: glyph(char, face, 0) for char in PROVINCES + MARKS}
    for char, mask in masks.items():
        assert mask.shape == (64, 32) and 0.1 < mask.mean() < 0.8, char
    # A glyph the face lacks is drawn as its one "missing" box: no two provinces may look the same.
    flat = np.stack([mask.ravel() for mask in masks.values()])
    distances = np.abs(flat[:, None] - flat[None]).mean(axis=2) + np.eye(len(flat))
    assert distances.min() > 0.02
    plate = render_plate("粤B12345", "blue", 56, Lettering(chinese_face=face), np.random.default_rng(0))
    default = render_plate("粤B12345", "blue", 56, Lettering(), np.random.default_rng(0))
    assert (face == CJK_FACE) == np.array_equal(plate, default)


def test_plate_strokes_draw_the_recorded_hanzi_and_noto_sans_the_others():
    for char in PROVINCES + MARKS:
        stroked, noto = glyph(char, STROKED_CHINESE, 1), glyph(char, CJK_FACE, 1)
        if char in HANZI_STROKES:
            assert np.abs(stroked - noto).mean() > 0.2, char
        else:
            assert np.array_equal(stroked, noto), char
    assert "粤" in HANZI_STROKES
    renderer = default_renderer(chinese_faces=[STROKED_CHINESE])
    assert renderer.lettering(np.random.default_rng(0)).chinese_face == STROKED_CHINESE


def test_hanzi_built_from_plate_strokes_are_not_bent():
    def plate(face: str, warp: float) -> np.ndarray:
        lettering = Lettering(chinese_face=face, chinese_warp=warp)
        return render_plate("粤B12345", "blue", 56, lettering, np.random.default_rng(0))

    assert np.array_equal(plate(STROKED_CHINESE, 0.2), plate(STROKED_CHINESE, 0.0))
    assert not np.array_equal(plate(CJK_FACE, 0.2), plate(CJK_FACE, 0.0))


def test_stroke_built_hanzi_take_the_plates_pen_and_other_faces_ignore_it():
    thin, regular, bold = (glyph("粤", STROKED_CHINESE, 0, pen).mean() for pen in (3.0, 6.0, 7.0))
    assert thin < 0.75 * regular < regular < bold
    assert np.array_equal(glyph("浙", STROKED_CHINESE, 0, 3.0), glyph("浙", STROKED_CHINESE, 0, 7.0))
    assert np.array_equal(glyph("粤", CJK_FACE, 0, 3.0), glyph("粤", CJK_FACE, 0, 7.0))


def test_renderer_draws_pens_in_range_and_steps_only_for_stroke_built_hanzi():
    stroked = default_renderer(chinese_faces=[STROKED_CHINESE], hanzi_pens=(3, 7))
    pens = {stroked.lettering(np.random.default_rng(seed)).hanzi_pen_mm for seed in range(200)}
    assert pens == {3 + step / 2 for step in range(9)}
    # One pen draws nothing: the random stream is the default pen's.
    one_pen, default_pen = (
        default_renderer(chinese_faces=[STROKED_CHINESE], hanzi_pens=(5, 5)),
        default_renderer(chinese_faces=[STROKED_CHINESE]),
    )
    rng, default_rng = np.random.default_rng(0), np.random.default_rng(0)
    assert (one_pen.lettering(rng).hanzi_pen_mm, default_pen.lettering(default_rng).hanzi_pen_mm) == (5, 6)
    assert rng.random() == default_rng.random()
    # Plates in other faces draw no pen, so their lettering and random stream are what they were.
    noto, noto_with_pens = default_renderer(), default_renderer(hanzi_pens=(3, 7))
    rng, rng_with_pens = np.random.default_rng(0), np.random.default_rng(0)
    assert noto.lettering(rng) == noto_with_pens.lettering(rng_with_pens)
    assert rng.random() == rng_with_pens.random()


def test_renderer_draws_every_configured_chinese_face_and_names_unknown_ones():
    renderer = default_renderer(chinese_faces=["noto_serif", "wenquanyi_microhei"])
    drawn = {renderer.lettering(np.random.default_rng(seed)).chinese_face for seed in range(40)}
    assert drawn == {"noto_serif", "wenquanyi_microhei"}
    every_face = default_renderer(chinese_faces=list(CHINESE_FACES))
    assert {every_face.lettering(np.random.default_rng(s)).chinese_face for s in range(200)} == set(
        CHINESE_FACES
    )
    default_faces = {default_renderer().lettering(np.random.default_rng(s)).chinese_face for s in range(20)}
    assert default_faces == {CJK_FACE}
    with pytest.raises(InstantiationException, match="unknown Chinese face 'comic'"):
        default_renderer(chinese_faces=["comic"])


def chi_square(observed: np.ndarray, expected: np.ndarray) -> float:
    return float(((observed - expected) ** 2 / expected).sum())


@pytest.mark.parametrize("shares", [{}, {"皖": 0.8}, {"粤": 0.2, "京": 0.1}])
def test_province_prior_of_10k_labels_is_what_the_config_says(shares):
    strings = default_renderer(provinces=shares).strings
    labels = [strings("blue", np.random.default_rng([7, i])) for i in range(10_000)]
    observed = np.array([sum(label[0] == p for label in labels) for p in PROVINCES], dtype=float)
    expected = province_weights(shares) * len(labels)
    # 30 degrees of freedom: a statistic above 59.7 has a chance under 0.001 if the prior is right.
    assert chi_square(observed, expected) < 59.7
    skewed = np.roll(expected, 1)  # the same counts on the wrong provinces are caught
    assert shares == {} or chi_square(observed, skewed) > 59.7


@pytest.mark.parametrize(("margin", "plate_columns"), [(0.1, 94 / 1.2), (0.0, 94), (-0.05, 94)])
def test_crop_margins_frame_the_plate_as_configured(margin, plate_columns):
    plate = np.full((140, 440, 3), 255, np.uint8)
    upright = dict(rotation_deg=(0, 0), perspective=0.0, yaw=0.0, margin_y=(0, 0), antialias_p=0.0)
    effects = CameraEffects(margin_x=(margin, margin), **upright)
    crop = detector_crop(plate, (24, 94), effects, np.random.default_rng(0)).mean(axis=(0, 2))
    assert (crop > 250).sum() == pytest.approx(plate_columns, abs=2)


def test_renderer_passes_framing_ranges_to_its_camera():
    renderer = default_renderer(camera={"margin_x": [-0.06, 0.1], "haze_p": 0.0})
    assert renderer.camera.margin_x == (-0.06, 0.1) and renderer.camera.haze_p == 0.0
