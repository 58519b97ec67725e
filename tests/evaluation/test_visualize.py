import numpy as np
import pytest
from PIL import Image, ImageDraw

from plate_ocr.evaluation.visualize import image_grid
from plate_ocr.synth.fonts import cjk_font


@pytest.mark.parametrize("cell_width", [256, 512])
def test_captions_keep_their_descenders(cell_width):
    caption = "gjpqy 粤"
    reference = Image.new("L", (2 * cell_width, cell_width), 255)
    ImageDraw.Draw(reference).text((0, 0), caption, fill=0, font=cjk_font(cell_width // 14))
    ink = np.count_nonzero(np.asarray(reference) < 128)
    white = np.full((16, 64, 3), 255, np.uint8)
    grid = image_grid([white, white], [caption, caption], columns=1, cell_width=cell_width)
    # Both captions whole: neither covered by the next row's image nor cut by the canvas's edge.
    assert np.count_nonzero(grid.min(axis=2) < 128) == pytest.approx(2 * ink, rel=0.02)
