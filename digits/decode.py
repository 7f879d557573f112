"""Decoding uploaded files into pixel arrays, with messages for people."""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; bigger is refused (bombs)
MAX_BYTES = 25 * 1024 * 1024


class ImageError(ValueError):
    """The file cannot be used as an image; ``str(error)`` is for people."""


def _looks_like_text(data: bytes) -> bool:
    head = data[:1024]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(c.isprintable() or c in "\r\n\t" for c in text)


def _describe(data: bytes) -> str:
    if data[:5] == b"%PDF-":
        return "This file is a PDF, not an image. Export the page as PNG or JPEG."
    if _looks_like_text(data):
        return "This file is not an image (it looks like text)."
    return "This file is not an image that can be read (PNG, JPEG, BMP, TIFF, WebP, GIF)."


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode an uploaded file to an (H, W, 3) uint8 RGB array.

    EXIF rotation is applied, palette/16-bit/CMYK/gray images are converted and
    transparency is composited on white. Anything unusable raises
    :class:`ImageError` with a readable message.

    Examples
    --------
    >>> decode_image(b"hello")
    Traceback (most recent call last):
    ...
    digits.decode.ImageError: This file is not an image (it looks like text).
    """
    if not data:
        raise ImageError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ImageError(
            f"The file is too large ({len(data) / 2**20:.0f} MB; the limit is "
            f"{MAX_BYTES / 2**20:.0f} MB)."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise ImageError(
                    f"The image is too large ({width}x{height} = "
                    f"{width * height / 1e6:.0f} megapixels; the limit is "
                    f"{max_pixels / 1e6:.0f})."
                )
            image.seek(0)  # first frame of a GIF or multi-page TIFF
            image.load()
            image = ImageOps.exif_transpose(image)
        except ImageError:
            raise
        except UnidentifiedImageError:
            raise ImageError(_describe(data)) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError("The image is too large to open safely.") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise ImageError("The image file is damaged or incomplete.") from None
    return _to_rgb(image)


def _to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        x = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or x.max() > 255 else 255.0
        gray = np.clip(x / top * 255.0, 0, 255).astype(np.uint8)
        return np.repeat(gray[..., None], 3, axis=2)
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("LA", "PA", "RGBa"):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        rgba = np.asarray(image, dtype=np.float32) / 255.0
        alpha = rgba[..., 3:]
        rgb = rgba[..., :3] * alpha + (1.0 - alpha)
        return (rgb * 255.0 + 0.5).astype(np.uint8)
    return np.asarray(image.convert("RGB"), dtype=np.uint8)
