"""On-the-fly augmentation of uint8 digit batches for training.

Each image gets its own random affine warp (rotation, scale, shear, shift),
sometimes a thicker or thinner stroke or a coarse, low-resolution look (small
digits in photos, 8x8 scans; optionally a share as an 8x8 block scanner records
them), and optionally an elastic distortion, the
strokes redrawn with an even pen along their centre line (a ballpoint), or
a 1, 7 or 9 written as much of Europe writes it, so the network sees pens
and hands that MNIST's writers did not use.
"""

from __future__ import annotations

import cv2
import numpy as np

from digits.data import coarse_scans
from digits.preprocess import digit_from_ink, stroke_width

MAX_ROTATION_DEG = 12.0
SCALE_RANGE = (0.85, 1.10)
MAX_SHEAR = 0.2
MAX_SHIFT_PX = 2.0
LOW_RES_SIDES = (7, 14)  # a coarse scan or a small digit in a photo: seen at this size
LOW_RES_PROBABILITY = 0.2
RETRACE_PEN = (1.2, 3.0)  # px at 28x28: a fine ballpoint to a felt tip, drawn along the centre line
RETRACE_PROBABILITY = 0.25  # with use_retrace
# Where a stroke's edge is taken when its centre line is traced: half the ink's
# darkness. Lower levels fill small loops (a narrow 0 became a "l", a 9 a "7" in
# 6 % of MNIST test digits at 0.25); at 0.5 the loops of 99.8 % are kept.
STROKE_EDGE = 0.5


def random_affine(rng: np.random.Generator) -> np.ndarray:
    """A random 2x3 affine matrix about the centre of a 28x28 image."""
    angle = np.deg2rad(rng.uniform(-MAX_ROTATION_DEG, MAX_ROTATION_DEG))
    scale = rng.uniform(*SCALE_RANGE)
    shear = rng.uniform(-MAX_SHEAR, MAX_SHEAR)
    cos, sin = np.cos(angle) * scale, np.sin(angle) * scale
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    centre = np.array([13.5, 13.5])
    offset = centre - linear @ centre + rng.uniform(-MAX_SHIFT_PX, MAX_SHIFT_PX, 2)
    return np.hstack([linear, offset[:, None]]).astype(np.float32)


def elastic(image: np.ndarray, rng: np.random.Generator, alpha=6.0, sigma=4.0):
    """Simard-style elastic distortion of one (28, 28) image."""
    shape = image.shape
    dx = cv2.GaussianBlur(rng.uniform(-1, 1, shape).astype(np.float32), (0, 0), sigma)
    dy = cv2.GaussianBlur(rng.uniform(-1, 1, shape).astype(np.float32), (0, 0), sigma)
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    return cv2.remap(image, xs + alpha * dx, ys + alpha * dy, cv2.INTER_LINEAR, borderValue=0)


def _thinning_tables() -> tuple[np.ndarray, np.ndarray]:
    """Zhang-Suen's removal rule for each of the 256 neighbourhoods, for both sub-passes.

    A neighbourhood is coded with P2..P9 (clockwise from the pixel above) as bits 0..7.
    """
    codes = np.arange(256)
    n = [(codes >> bit) & 1 for bit in range(8)]
    count = sum(n)
    ring = n + [n[0]]
    transitions = sum((ring[i] == 0) & (ring[i + 1] == 1) for i in range(8))
    simple = (count >= 2) & (count <= 6) & (transitions == 1)
    first = simple & (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
    second = simple & (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
    return first.astype(np.uint8), second.astype(np.uint8)


_THINNING = _thinning_tables()
# Correlation weights that code each pixel's 8 neighbours P2..P9 as bits 0..7.
_NEIGHBOUR_BITS = np.array([[128, 1, 2], [64, 0, 4], [32, 16, 8]], np.float32)


def _thinning_pass(img: np.ndarray, first: bool) -> np.ndarray:
    codes = cv2.filter2D(img, cv2.CV_32F, _NEIGHBOUR_BITS, borderType=cv2.BORDER_CONSTANT)
    remove = _THINNING[0 if first else 1][codes.astype(np.uint8)]
    return img & ~remove


def skeleton(mask: np.ndarray) -> np.ndarray:
    """One-pixel-wide centre lines of a binary shape (Zhang-Suen thinning)."""
    img = (mask > 0).astype(np.uint8)
    while True:
        thinned = _thinning_pass(_thinning_pass(img, True), False)
        if np.array_equal(thinned, img):
            return img.astype(bool)
        img = thinned


def retrace(ink: np.ndarray, size: tuple[int, int], pen: float, up: float) -> np.ndarray:
    """The strokes of ``ink`` (h, w) float32 0-1 redrawn along their centre line.

    As a ballpoint or a mouse draws them: one even line ``pen`` px wide
    (in the output's pixels), in an image of ``size`` (w, h). The centre line
    is traced ``up`` times larger than the output, where small loops stay open.
    """
    w, h = size
    big = cv2.resize(ink, (round(w * up), round(h * up)), interpolation=cv2.INTER_CUBIC)
    line = skeleton(big > STROKE_EDGE).astype(np.float32)
    k = max(1, round(pen * up))
    thick = cv2.dilate(line, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return cv2.GaussianBlur(cv2.resize(thick, (w, h), interpolation=cv2.INTER_AREA), (0, 0), 0.5)


def low_resolution(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The (28, 28) uint8 digit as a coarse scanner or a far-away camera sees it.

    Shrunk to 7-14 pixels, enlarged back (blurred, blocky), with a random
    contrast curve, as when a photo of small handwriting is binarised.
    """
    side = int(rng.integers(LOW_RES_SIDES[0], LOW_RES_SIDES[1] + 1))
    small = cv2.resize(image, (side, side), interpolation=cv2.INTER_AREA)
    up = cv2.resize(small, (28, 28), interpolation=cv2.INTER_CUBIC).astype(np.float32) / 255
    low, high = rng.uniform(0.0, 0.3), rng.uniform(0.55, 1.0)
    return (np.clip((up - low) / (high - low), 0, 1) * 255).astype(np.uint8)


# How often a digit is rewritten in a style MNIST's writers seldom used (when
# augment_batch gets labels): a 1 with a flag, a 7 with a bar, a 9 with a curled tail.
STYLE_PROBABILITY = {1: 0.35, 7: 0.25, 9: 0.25}


def _ends(mask: np.ndarray, top: bool) -> tuple[float, float]:
    """(x, y) of the topmost or bottommost ink: the mean x of its 3 extreme rows."""
    rows = np.flatnonzero(mask.any(axis=1))
    y = rows[0] if top else rows[-1]
    band = mask[y : y + 3] if top else mask[max(0, y - 2) : y + 1]
    return float(np.nonzero(band)[1].mean()), float(y)


def writing_style(image: np.ndarray, label: int, rng: np.random.Generator) -> np.ndarray:
    """A (28, 28) uint8 digit as other writers write it, drawn with its own pen.

    A 1 gains a flag from its top, a 7 a bar across its stem, a 9 a tail
    curling left: how much of Europe and many school scripts write them, and
    what MNIST's mostly American writers rarely did.
    Other digits are returned unchanged. The result goes through the same
    normalisation as every input (:func:`digits.preprocess.digit_from_ink`).
    """
    if label not in STYLE_PROBABILITY:
        return image
    big = cv2.resize(image, (112, 112), interpolation=cv2.INTER_CUBIC)
    mask = big > 127
    if mask.sum() < 40:
        return image
    pen = max(3, round(stroke_width(mask)))
    (tx, ty), (bx, by) = _ends(mask, True), _ends(mask, False)
    h = by - ty
    strokes = []  # polylines in 112-px coordinates
    if label == 1:
        length, angle = rng.uniform(0.25, 0.5) * h, np.deg2rad(rng.uniform(20, 60))
        # No foot: a 1 with a base looked like a 2 (fine-tuning with one read 2s as 1s).
        # A long, flat flag comes close to a short 7's bar (see README, shipped model).
        strokes.append([(tx, ty), (tx - length * np.cos(angle), ty + length * np.sin(angle))])
    elif label == 7:
        y = ty + rng.uniform(0.45, 0.6) * h
        xs = np.nonzero(mask[int(y)])[0]
        if len(xs) == 0:
            return image
        x, half = xs.mean(), rng.uniform(0.15, 0.25) * h
        strokes.append([(x - half, y), (x + half, y + rng.normal(0, 0.03) * h)])
    else:
        r = rng.uniform(0.12, 0.25) * h
        sweep = np.linspace(0, np.pi * rng.uniform(0.6, 1.0), 12)
        strokes.append(list(zip(bx - r + r * np.cos(sweep), by - r * 0.3 + r * np.sin(sweep))))
    for line in strokes:
        points = np.round(np.array(line) * 16).astype(np.int32)  # 4 fractional bits
        cv2.polylines(big, [points], False, 255, pen, cv2.LINE_AA, shift=4)
    return _as_input(big, image)


_KERNEL = np.ones((2, 2), np.uint8)


def coarse_scan(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The (28, 28) uint8 digit as an 8x8 block scanner records it (a form reader's
    32x32 bitmap, 4x4 blocks counted: :func:`digits.data.coarse_scans`), with a pen
    1-3 px bolder there (as their pens were), normalised as every input is."""
    return _as_input(coarse_scans(image[None], bold=rng.integers(2, 5, 1))[0], image)


def _as_input(drawn: np.ndarray, image: np.ndarray) -> np.ndarray:
    """A redrawn uint8 digit through the normalisation every input goes through
    (:func:`digits.preprocess.digit_from_ink`); ``image`` if no ink is left."""
    ink = drawn.astype(np.float32) / 255
    out = digit_from_ink(ink, ink > 0.5)
    return image if out is None else (out * 255).astype(np.uint8)


def augment_batch(
    images: np.ndarray, rng: np.random.Generator, use_elastic: bool = False,
    use_retrace: bool = False, labels: np.ndarray | None = None, scans: float = 0.0,
) -> np.ndarray:
    """Randomly distort a batch.

    ``images`` is (B, 28, 28) uint8; returns (B, 28, 28) uint8. With
    ``labels`` (B,), some 1s, 7s and 9s are first rewritten by
    :func:`writing_style`. A ``scans`` share ends as :func:`coarse_scan` sees it
    (in place of the generic low-resolution look).

    Examples
    --------
    >>> batch = np.zeros((2, 28, 28), np.uint8)
    >>> augment_batch(batch, np.random.default_rng(0)).shape
    (2, 28, 28)
    """
    out = np.empty_like(images)
    for i, image in enumerate(images):
        if labels is not None and rng.random() < STYLE_PROBABILITY.get(int(labels[i]), 0.0):
            image = writing_style(image, int(labels[i]), rng)
        warped = cv2.warpAffine(
            image, random_affine(rng), (28, 28), flags=cv2.INTER_LINEAR, borderValue=0
        )
        stroke = rng.random()
        if stroke < 0.15:
            warped = cv2.dilate(warped, _KERNEL)
        elif stroke < 0.25:
            thinner = cv2.erode(warped, _KERNEL)
            # Never erase a digit: keep the thinner version only if ink remains.
            if (thinner > 127).sum() >= 0.4 * (warped > 127).sum():
                warped = thinner
        if use_retrace and rng.random() < RETRACE_PROBABILITY and warped.max() > 64:
            pen = rng.uniform(*RETRACE_PEN)
            line = retrace(warped.astype(np.float32) / 255, (28, 28), pen, 2.0)
            warped = (np.clip(2.0 * line, 0, 1) * 255).astype(np.uint8)
        if use_elastic and rng.random() < 0.5:
            warped = elastic(warped, rng)
        if scans and rng.random() < scans:
            warped = coarse_scan(warped, rng)
        elif rng.random() < LOW_RES_PROBABILITY:
            warped = low_resolution(warped, rng)
        out[i] = warped
    return out
