"""Realistic test images built from held-out digits (never training digits).

The app is judged on handwriting, pens, canvases and scanners that are not in
this repository, so tests and benchmarks need inputs that look like them:

- :func:`mouse_drawing`: a digit redrawn as a thin polyline on a big canvas,
  the way a mouse or finger draws it;
- :func:`paper_photo`: dark ink of some colour on tinted, unevenly lit, noisy,
  blurred, JPEG-compressed paper;
- :func:`sklearn_digits`: scikit-learn's ``load_digits``, other writers
  scanned at 8x8, brought up to pen-stroke resolution.

Every function takes a ``numpy.random.Generator`` so sets are reproducible.
"""

from __future__ import annotations

import cv2
import numpy as np

INK_COLOURS = [(20, 20, 20), (25, 40, 140), (20, 30, 90), (150, 20, 20), (30, 90, 40)]


def _thinning_pass(img: np.ndarray, first: bool) -> np.ndarray:
    p = np.pad(img, 1)
    n = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:],
         p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2]]  # P2..P9 clockwise
    count = sum(n)
    ring = n + [n[0]]
    transitions = sum((ring[i] == 0) & (ring[i + 1] == 1) for i in range(8))
    if first:
        c1, c2 = n[0] * n[2] * n[4], n[2] * n[4] * n[6]
    else:
        c1, c2 = n[0] * n[2] * n[6], n[0] * n[4] * n[6]
    remove = (img == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & (c1 == 0) & (c2 == 0)
    return img & ~remove.astype(np.uint8)


def skeleton(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide centre lines of a binary shape (Zhang-Suen thinning)."""
    img = (mask > 0).astype(np.uint8)
    while True:
        thinned = _thinning_pass(_thinning_pass(img, True), False)
        if np.array_equal(thinned, img):
            return img.astype(bool)
        img = thinned


def mouse_drawing(
    digit: np.ndarray,
    rng: np.random.Generator,
    canvas: tuple[int, int] = (400, 600),
    stroke: int | None = None,
    transparent: bool = False,
) -> np.ndarray:
    """Redraw a (28, 28) uint8 digit as a thin line on an RGBA canvas (H, W, 4).

    The digit's centre line is traced and drawn with a round pen of ``stroke``
    pixels (random 2-12 by default) at a random size and place.
    """
    h, w = canvas
    up = cv2.resize(digit, (112, 112), interpolation=cv2.INTER_CUBIC)
    centre = skeleton(up > 110)
    ys, xs = np.nonzero(centre)
    size = rng.uniform(0.35, 0.85) * min(h, w)
    scale = size / 112
    x0 = rng.uniform(0, w - size)
    y0 = rng.uniform(0, h - size)
    stroke = stroke or int(rng.integers(2, 13))
    out = np.zeros((h, w, 4), np.uint8) if transparent else np.full((h, w, 4), 255, np.uint8)
    colour = (0, 0, 0, 255)
    pts = {(y, x) for y, x in zip(ys, xs)}
    for y, x in pts:
        for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
            if (y + dy, x + dx) in pts:
                a = (int(x0 + x * scale), int(y0 + y * scale))
                b = (int(x0 + (x + dx) * scale), int(y0 + (y + dy) * scale))
                cv2.line(out, a, b, colour, stroke, lineType=cv2.LINE_AA)
    return out


def paper(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Tinted paper (H, W, 3) float32 in [0, 1] with uneven light."""
    h, w = shape
    tint = np.array([1.0, rng.uniform(0.9, 1.0), rng.uniform(0.75, 1.0)])[rng.permutation(3)]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    light = 1.0 - rng.uniform(0.0, 0.35) * (ramp - ramp.min()) / max(np.ptp(ramp), 1e-6)
    return (light[..., None] * tint * rng.uniform(0.85, 1.0)).astype(np.float32)


def ink_on_paper(ink: np.ndarray, rng: np.random.Generator, colour=None) -> np.ndarray:
    """Lay an ink map (H, W) float in [0, 1] on paper; return a degraded RGB uint8."""
    page = paper(rng, ink.shape)
    colour = np.array(colour or INK_COLOURS[rng.integers(len(INK_COLOURS))], np.float32) / 255
    strength = rng.uniform(0.75, 1.0)
    img = page * (1 - strength * ink[..., None]) + colour * strength * ink[..., None]
    img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.2))
    img = img + rng.normal(0, rng.uniform(0.005, 0.04), img.shape).astype(np.float32)
    img = (np.clip(img, 0, 1) * 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 90))])
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[..., ::-1].copy()


def paper_photo(digit: np.ndarray, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
    """A (28, 28) uint8 digit written on paper and photographed: RGB uint8."""
    size = size or int(rng.integers(60, 400))
    digit_px = int(size * rng.uniform(0.4, 0.8))
    ink = cv2.resize(digit, (digit_px, digit_px), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255
    canvas = np.zeros((size, size), np.float32)
    y, x = rng.integers(0, size - digit_px + 1, 2)
    canvas[y : y + digit_px, x : x + digit_px] = np.clip(ink, 0, 1)
    return ink_on_paper(canvas, rng)


def sklearn_digits(n: int | None = None, size: int = 28) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 8x8 digits (other writers) as smooth (N, size, size) uint8.

    They are upsampled and re-thresholded so strokes look written, not blocky.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images, labels = bunch.images[:n], bunch.target[:n]
    out = np.zeros((len(images), size, size), np.uint8)
    inner = size - 8
    for i, img in enumerate(images):
        up = cv2.resize((img / 16).astype(np.float32), (inner, inner), interpolation=cv2.INTER_CUBIC)
        up = np.clip((up - 0.25) / 0.5, 0, 1)
        out[i, 4 : 4 + inner, 4 : 4 + inner] = (up * 255).astype(np.uint8)
    return out, labels.astype(np.uint8)
