import numpy as np
import pytest
from PIL import Image, ImageDraw

from neurona.datasets import DataFormatError, normalize_digit_image


def photo_of_a_zero(size=(300, 200), box=(20, 30, 120, 190), ink=30, paper=225):
    """A large, off-centre, dark "0" on light paper, as a phone photo of a digit would be."""
    image = Image.new("RGB", size, (paper, paper, paper - 10))
    ImageDraw.Draw(image).ellipse(box, outline=(ink, ink, ink + 10), width=14)
    return image


def assert_mnist_like(result):
    assert result.shape == (28, 28) and result.dtype == np.uint8
    assert result.max() >= 200 and result[0].max() == result[-1].max() == 0  # light ink on black
    rows, cols = np.nonzero(result)
    assert rows.min() >= 4 and rows.max() <= 23 and cols.min() >= 4 and cols.max() <= 23  # central 20x20
    weights = result.astype(float)
    centre = (np.arange(28) @ weights.sum(axis=1) / weights.sum(), np.arange(28) @ weights.sum(axis=0) / weights.sum())
    # On the field's centre (13.5 in pixel indices; ~14 as MNIST's paper counts) to the nearest whole shift.
    assert abs(centre[0] - 13.5) <= 0.5 and abs(centre[1] - 13.5) <= 0.5
    assert max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 in (19, 20)  # fitted to 20 pixels


def test_a_photo_becomes_an_mnist_digit(tmp_path):
    path = tmp_path / "zero.jpg"
    photo_of_a_zero().save(path)
    assert_mnist_like(normalize_digit_image(path))


def test_images_and_arrays_are_accepted_too():
    photo = photo_of_a_zero()
    from_image = normalize_digit_image(photo)
    assert_mnist_like(from_image)
    np.testing.assert_array_equal(normalize_digit_image(np.asarray(photo)), from_image)
    assert_mnist_like(normalize_digit_image(np.asarray(photo.convert("L")) / 255.0))


def test_light_ink_on_dark_stays_and_transparency_is_paper():
    dark = Image.new("L", (100, 100), 0)
    ImageDraw.Draw(dark).ellipse((60, 10, 95, 80), outline=255, width=6)
    assert_mnist_like(normalize_digit_image(dark))
    drawing = Image.new("RGBA", (100, 100), (0, 0, 0, 0))  # a drawing app's transparent canvas
    ImageDraw.Draw(drawing).ellipse((10, 10, 60, 90), outline=(0, 0, 0, 255), width=6)
    assert_mnist_like(normalize_digit_image(drawing))


def test_a_blank_image_has_no_digit(tmp_path):
    path = tmp_path / "blank.png"
    Image.new("L", (50, 50), 240).save(path)
    with pytest.raises(DataFormatError, match=rf"{path}: no ink found"):
        normalize_digit_image(path)
    with pytest.raises(ValueError, match=r"expects an image of shape \(rows, cols\).*Received shape \(5,\)"):
        normalize_digit_image(np.zeros(5))


def test_light_that_falls_off_across_the_paper_is_not_ink():
    # A dark bar on paper lit from the left: 240 at one edge, 150 at the other.
    flat = np.full((120, 160), 220.0)
    flat[30:90, 70:90] = 40
    lit = flat + np.linspace(20, -70, 160)[None, :]
    lit[30:90, 70:90] = 40
    expected = normalize_digit_image(flat.astype(np.uint8))
    found = normalize_digit_image(np.clip(lit, 0, 255).astype(np.uint8))
    def box(image):
        rows, cols = np.nonzero(image > 64)
        return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1

    # The bar fills the 20-pixel box alone: no faint "ink" from the dim side widens the crop.
    assert box(found) == box(expected) == (20, 7)
