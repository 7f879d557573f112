"""Decoding uploads: every format users send, and every way a file is bad."""

import io

import numpy as np
import pytest
from PIL import Image

from digits.decode import ImageError, decode_image


def _encode(image: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.fixture
def digit_image():
    """A dark bar on white, 60x40, as an RGB PIL image."""
    x = np.full((60, 40, 3), 255, np.uint8)
    x[10:50, 18:22] = 0
    return Image.fromarray(x)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "TIFF", "WEBP", "GIF"])
def test_common_formats_decode_to_rgb(digit_image, fmt):
    """PNG, JPEG, BMP, TIFF, WebP and GIF all give (H, W, 3) uint8."""
    out = decode_image(_encode(digit_image, fmt))
    assert out.shape == (60, 40, 3) and out.dtype == np.uint8
    assert out[30, 20].max() < 80 and out[5, 5].min() > 200


def test_exif_rotation_is_applied(digit_image):
    """A phone photo stored sideways with an EXIF tag comes out upright."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    out = decode_image(_encode(digit_image, "JPEG", exif=exif))
    assert out.shape == (40, 60, 3)


def test_transparency_is_composited_on_white():
    """Transparent pixels become white paper, opaque ink stays dark."""
    x = np.zeros((20, 20, 4), np.uint8)
    x[5:15, 9:11] = (0, 0, 0, 255)
    out = decode_image(_encode(Image.fromarray(x, "RGBA"), "PNG"))
    assert out[0, 0].tolist() == [255, 255, 255] and out[10, 10].tolist() == [0, 0, 0]


def test_sixteen_bit_grayscale_keeps_contrast():
    """A 16-bit scan is scaled, not clipped to white."""
    x = np.full((20, 20), 60000, np.uint16)
    x[5:15, 9:11] = 1000
    out = decode_image(_encode(Image.fromarray(x), "PNG"))
    assert out[10, 10, 0] < 10 and out[0, 0, 0] > 220


def test_cmyk_and_palette_images_decode(digit_image):
    """CMYK JPEGs and palette PNGs are converted to RGB."""
    assert decode_image(_encode(digit_image.convert("CMYK"), "JPEG")).shape == (60, 40, 3)
    assert decode_image(_encode(digit_image.convert("P"), "PNG")).shape == (60, 40, 3)


def test_empty_file_is_reported():
    """A 0-byte upload says the file is empty."""
    with pytest.raises(ImageError, match="empty"):
        decode_image(b"")


def test_text_file_is_reported_as_text():
    """A text file is named as text."""
    with pytest.raises(ImageError, match="not an image .*text"):
        decode_image(b"amount: 1250\nthanks!\n")


def test_random_bytes_are_not_an_image():
    """Binary junk is not an image."""
    with pytest.raises(ImageError, match="not an image"):
        decode_image(bytes(range(256)) * 8)


def test_truncated_png_is_reported_as_damaged(digit_image):
    """Half a PNG is damaged or incomplete."""
    data = _encode(digit_image, "PNG")
    with pytest.raises(ImageError, match="damaged or incomplete"):
        decode_image(data[: len(data) // 2])


def test_decompression_bomb_is_refused():
    """A tiny file that claims an enormous image is refused before decoding."""
    data = _encode(Image.new("L", (9000, 9000), 255), "PNG")
    assert len(data) < 1_000_000
    with pytest.raises(ImageError, match="too large"):
        decode_image(data, max_pixels=40_000_000)
