"""The OpenCV augmentation effects: shapes, randomness under a seed, and what each one does."""

import random

import numpy as np
import pytest

from plate_ocr.data.augment import Blur, Invert, Jpeg, Lighting, Noise, PlateAugment, Warp


def plate_image() -> np.ndarray:
    """A 32x128 stand-in plate: a light bar on a dark background."""
    image = np.full((32, 128), 40, np.uint8)
    image[10:22, 30:98] = 220
    return image


def test_identity_warp_leaves_the_image_alone():
    image = plate_image()
    np.testing.assert_array_equal(Warp()(image), image)


def test_shift_moves_the_content_and_the_border_fills_as_configured():
    image = plate_image()
    random.seed(0)
    shifted = Warp(translate=(0.25, 0.0), border="constant")(image)
    moved = np.flatnonzero(shifted[16] == 220)
    assert moved[0] != 30  # the bar moved along x
    assert (shifted[16] == 0).any()  # a black strip where the frame was uncovered
    random.seed(0)
    replicated = Warp(translate=(0.25, 0.0), border="replicate")(image)
    assert not (replicated == 0).any()


def test_perspective_needs_its_probability():
    image = plate_image()
    np.testing.assert_array_equal(Warp(perspective=0.5, perspective_p=0.0)(image), image)
    random.seed(1)
    assert not np.array_equal(Warp(perspective=0.5, perspective_p=1.0)(image), image)


def test_bad_border_is_named():
    with pytest.raises(ValueError, match="border"):
        Warp(border="wrap")


@pytest.mark.parametrize(
    "effect",
    [Blur(p=1.0), Noise(p=1.0), Jpeg(quality=(10, 10), p=1.0), Lighting(brightness=0.5, contrast=0.5)],
    ids=["blur", "noise", "jpeg", "lighting"],
)
def test_photometric_effects_change_pixels_not_shape(effect):
    image = plate_image()
    random.seed(2)
    out = effect(image)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert not np.array_equal(out, image)


def test_lighting_saturates_instead_of_wrapping():
    image = plate_image()
    lighting = Lighting(brightness=0.9, contrast=0.9)
    random.seed(3)
    for _ in range(50):  # strong gains push the bar past 255 and the background below 0
        out = lighting(image)
        assert out[0, 0] <= out[16, 60]  # wrapping round would turn one of them over


def test_invert_and_probability_zero():
    image = plate_image()
    np.testing.assert_array_equal(Invert(p=1.0)(image), 255 - image)
    np.testing.assert_array_equal(Noise(p=0.0)(image), image)


def test_same_seed_same_augmentation():
    augment = PlateAugment([Warp(perspective=0.3, perspective_p=1.0, degrees=8), Noise(p=1.0), Jpeg(p=1.0)])
    image = plate_image()
    random.seed(7)
    first = augment(image)
    random.seed(7)
    np.testing.assert_array_equal(augment(image), first)
    assert not np.array_equal(augment(image), first)  # and the next draw differs
