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

from digits.augment import STROKE_EDGE, retrace, skeleton
from digits.data import smooth_scans
from digits.segment import turned_box, turning

INK_COLOURS = [(20, 20, 20), (25, 40, 140), (20, 30, 90), (150, 20, 20), (30, 90, 40)]


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
    centre = skeleton(up > STROKE_EDGE * 255)
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
    quality = [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 90))]
    ok, jpeg = cv2.imencode(".jpg", img[..., ::-1], quality)
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR)[..., ::-1].copy()


def paper_photo(digit: np.ndarray, rng: np.random.Generator, size: int | None = None) -> np.ndarray:
    """A (28, 28) uint8 digit written on paper and photographed: RGB uint8."""
    size = size or int(rng.integers(60, 400))
    digit_px = int(size * rng.uniform(0.4, 0.8))
    ink = cv2.resize(digit, (digit_px, digit_px), interpolation=cv2.INTER_CUBIC) / 255.0
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
    return smooth_scans(bunch.images[:n] / 16, size), bunch.target[:n].astype(np.uint8)


def _pen_digit(digit: np.ndarray, height: float, shear: float, pen: int | None) -> np.ndarray:
    """One (28, 28) uint8 digit as an ink patch (h, w) float32 of ``height`` px.

    ``pen`` None keeps MNIST's own thick stroke (a felt pen); a width in pixels
    redraws the digit's centre line with that pen (a ballpoint).
    """
    ys, xs = np.nonzero(digit > 30)
    crop = digit[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32) / 255
    f = height / crop.shape[0]
    w, h = max(1, round(crop.shape[1] * f)), max(1, round(height))
    if pen is None:
        patch = cv2.resize(crop, (w, h), interpolation=cv2.INTER_CUBIC if f > 1 else cv2.INTER_AREA)
    else:
        # Trace the centre line at >= 112 px, where small loops stay open.
        patch = retrace(crop, (w, h), pen, max(1.0, 112 / h))
    patch = np.clip(patch * (1.0 if pen is None else 2.0), 0, 1)  # a pen line is fully dark
    # Slant: shear about the bottom, widening the patch so nothing is cut off.
    extra = int(np.ceil(abs(shear) * h))
    shift = extra if shear > 0 else 0
    matrix = np.float32([[1, -shear, shift + shear * h], [0, 1, 0]])
    patch = cv2.warpAffine(patch, matrix, (w + extra, h), flags=cv2.INTER_LINEAR)
    cols = np.flatnonzero(patch.max(axis=0) > 0.2)
    return patch[:, cols.min() : cols.max() + 1]  # gaps are measured between inks


def _touching_shift(left: np.ndarray, right: np.ndarray, dy: int, max_shift: int) -> int:
    """How far to pull ``right`` (``dy`` px lower) into ``left``'s columns so their inks touch."""
    a, b = left > 0.4, right > 0.4
    wl, wr = a.shape[1], b.shape[1]
    top, bottom = max(0, dy), min(a.shape[0], dy + b.shape[0])
    if bottom <= top:
        return max_shift
    for shift in range(1, max_shift + 1):
        start = wl - shift  # where ``right`` begins, in ``left``'s columns
        c0, c1 = max(0, start), min(wl, start + wr)
        if c1 > c0 and (a[top:bottom, c0:c1]
                        & b[top - dy : bottom - dy, c0 - start : c1 - start]).sum() >= 3:
            return shift
    return max_shift


def _separator_mark(char: str, height: float, pen: int) -> np.ndarray:
    """A decimal dot or a thousands comma as an ink patch (h, w) float32."""
    size = max(3, round(max(pen * 1.5, 0.1 * height)))
    if char == ".":
        patch = np.zeros((size + 2, size + 2), np.float32)
        cv2.circle(patch, (size // 2 + 1, size // 2 + 1), size // 2, 1.0, -1)
        return cv2.GaussianBlur(patch, (0, 0), 0.5)
    tall = max(size + 4, round(0.3 * height))
    patch = np.zeros((tall, size + 4), np.float32)
    cv2.circle(patch, (size // 2 + 2, size // 2 + 1), size // 2, 1.0, -1)
    cv2.line(patch, (size // 2 + 2, size // 2 + 1), (1, tall - 2), 1.0, max(1, pen // 2 + 1))
    return cv2.GaussianBlur(patch, (0, 0), 0.5)


def _dollar_mark(height: float, pen: int, rng: np.random.Generator) -> np.ndarray:
    """A handwritten "$" as an ink patch (h, w) float32: an S of two arcs and a bar.

    Drawn with ellipse arcs, unlike the symbol network's training strokes
    (:mod:`digits.symbols`), so pages with it test that network fairly.
    """
    h = int(round(height * rng.uniform(1.0, 1.25)))
    w = max(4, int(round(h * rng.uniform(0.5, 0.7))))
    patch = np.zeros((h + 2 * pen, w + 2 * pen), np.float32)
    r = (w // 2 - 1, max(2, int(h * 0.2)))
    top, bottom = (pen + w // 2, pen + int(0.32 * h)), (pen + w // 2, pen + int(0.68 * h))
    # OpenCV's angles run clockwise from 3 o'clock: the top bowl opens to the
    # lower right, the bottom one to the upper left.
    cv2.ellipse(patch, top, r, 0, 90, 330 + rng.uniform(-15, 15), 1.0, pen)
    cv2.ellipse(patch, bottom, r, 0, -90, 150 + rng.uniform(-15, 15), 1.0, pen)
    x = pen + w // 2 + int(rng.normal(0, 0.05 * w))
    cv2.line(patch, (x, pen), (x, pen + h - 1), 1.0, pen)  # the same pen as the S
    return cv2.GaussianBlur(patch, (0, 0), 0.5)


def number_page(
    rng: np.random.Generator,
    lines: list[list[str]],
    images: np.ndarray,
    labels: np.ndarray,
    *,
    digit_px: int | None = None,
    colour=None,
    pen: int | None = -1,
    ruled: bool = False,
    squared: bool = False,
    frame: bool = False,
    touching: bool = False,
    broken: bool = False,
    specks: int = 0,
    tilt: float | None = None,
    with_boxes: bool = False,
):
    """Numbers handwritten on a page and photographed, with the text a reader should find.

    Each character of ``lines`` (e.g. ``[["1,250.75", "34"], ["907"]]``: one
    inner list per line, one string per number) is drawn with a random image of that
    digit from the pool ``images`` (N, 28, 28) uint8 / ``labels`` (N,) — pass
    the MNIST **test** split or :func:`sklearn_digits`, never training digits.
    Like a person writing a check amount: the writer's slant with a little
    jitter per digit, digit heights within about 12 %, a wavering baseline,
    gaps of 0.06-0.45 x the digit height inside a number and 1.3-3 x between
    numbers, lines 1.7-2.4 x the digit height apart. The ink map then goes
    through :func:`ink_on_paper` (tinted, unevenly lit paper, blur, noise, JPEG),
    after a small rotation of the whole page (``tilt`` degrees, default
    random within 1.5).

    Options: ``digit_px`` digit height (default random 22-110 px); ``colour``
    RGB ink (default random from ``INK_COLOURS``); ``pen`` stroke width in
    px for a ballpoint (None: MNIST's own felt-pen stroke; -1, the default:
    either, at random); ``ruled`` faint ruled lines that the digits sit on
    (sometimes with a margin line); ``squared`` squared paper: a grid of faint
    lines 0.75-1.05 x the digit height apart, so that the digits cross its lines;
    ``frame`` a printed box around the amount; ``touching`` the first two digits
    of the first number touch; ``broken``
    the first digit of the first number is cut in two strokes by a thin gap;
    ``specks`` adds that many dust specks (0.5-2.5 px) anywhere on the page.

    A "." or "," in a number is written as a dot or comma on the baseline, a
    "$" as a dollar sign a little taller than the digits; neither is part of
    the expected text.

    Returns ``(image, text)``: RGB uint8 (H, W, 3), and the numbers in reading
    order joined by single spaces, digits only ("125075 34 907"), as
    ``read_page(...).text``. With ``with_boxes`` it returns ``(image, text,
    boxes)``, ``boxes`` the (x, y, w, h) of each digit in reading order, in the
    image's pixels (after the tilt), so a benchmark can tell where a reader went
    wrong; the image is the same either way.

    Examples
    --------
    >>> digits, labels = sklearn_digits()
    >>> image, text = number_page(np.random.default_rng(0), [["120", "7"]], digits, labels)
    >>> text, image.dtype
    ('120 7', dtype('uint8'))
    """
    h = float(digit_px or rng.integers(22, 111))
    slant = rng.uniform(-0.1, 0.2)
    if pen == -1:
        pen = None if rng.random() < 0.5 else int(rng.integers(max(2, round(0.06 * h)),
                                                               max(3, round(0.11 * h)) + 1))
    by_label = {d: np.flatnonzero(labels == d) for d in range(10)}
    spacing = h * rng.uniform(1.7, 2.4)
    # A printed box leaves some room around the writing.
    left, top = h * rng.uniform(0.4, 2.5), h * rng.uniform(0.75 if frame else 0.5, 1.5)
    placed = []  # (patch, x, y, broken, linked to the previous digit)
    chars = [c for numbers in lines for number in numbers for c in number]  # one per patch
    x_end = 0.0
    for li, numbers in enumerate(lines):
        x = left + rng.uniform(0, 0.5) * h
        baseline = top + h + li * spacing
        for ni, number in enumerate(numbers):
            if ni:
                x += h * rng.uniform(1.3, 3.0)
            for ci, char in enumerate(number):
                if char in ".,":
                    patch = _separator_mark(char, h, pen or round(0.1 * h))
                    x += h * rng.uniform(0.06, 0.25)
                    y = baseline - (patch.shape[0] if char == "." else 0.35 * patch.shape[0])
                    placed.append((patch, x, y, False, False))
                    x += patch.shape[1] - h * rng.uniform(0.06, 0.3)
                    continue
                if char == "$":
                    patch = _dollar_mark(h, pen or max(2, round(0.1 * h)), rng)
                    x += h * rng.uniform(0.1, 0.4) if ci else 0.0
                    placed.append((patch, x, baseline - 0.9 * patch.shape[0], False, False))
                    x += patch.shape[1] + h * rng.uniform(0.1, 0.4)
                    continue
                patch = _pen_digit(images[rng.choice(by_label[int(char)])],
                                   h * rng.uniform(0.88, 1.12), slant + rng.normal(0, 0.05), pen)
                y = baseline - patch.shape[0] + rng.normal(0, 0.04) * h
                first = li == 0 and ni == 0
                di = sum(c.isdigit() for c in number[:ci])  # digits before this one
                link = False
                if first and di == 1 and touching:
                    # Pull the digit in until the inks touch; where that would bury
                    # it under the other (a 7's bar), join them by a pen stroke.
                    before, bx, by, _, _ = placed[-1]
                    most = int(0.2 * h)
                    shift = _touching_shift(before, patch, int(round(y - by)), most + 1)
                    link = shift > most
                    x = bx + before.shape[1] - min(shift, most)
                elif ci:
                    x += h * rng.uniform(0.06, 0.45)
                placed.append((patch, x, y, first and di == 0 and broken, link))
                x += patch.shape[1]
        x_end = max(x_end, x)
    n_lines = max(len(lines), 1)
    width = int(x_end + h * rng.uniform(0.5, 3.0))
    height = int(top + h + (n_lines - 1) * spacing + h * rng.uniform(0.75 if frame else 0.6, 1.5))
    ink = np.zeros((height, max(width, int(2 * h))), np.float32)
    pad = int(h)  # room for digits that jitter past the edges
    ink = np.pad(ink, pad)
    stroke = max(2, pen or round(0.1 * h))
    previous = None
    for patch, x, y, broke, link in placed:
        x, y = int(round(x)) + pad, int(round(y)) + pad
        if broke:
            cut = int(patch.shape[0] * rng.uniform(0.35, 0.6))
            patch = patch.copy()
            patch[cut : cut + max(2, round(0.07 * h))] = 0
        region = ink[y : y + patch.shape[0], x : x + patch.shape[1]]
        np.maximum(region, patch[: region.shape[0], : region.shape[1]], out=region)
        if link and previous is not None:
            a, b = previous, np.argwhere(patch > 0.5) + (y, x)  # (N, 2) y, x
            d = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
            i, j = np.unravel_index(d.argmin(), d.shape)
            cv2.line(ink, (int(a[i, 1]), int(a[i, 0])), (int(b[j, 1]), int(b[j, 0])), 1.0, stroke)
        previous = (np.argwhere(patch > 0.5) + (y, x))[::3]
    ink = ink[pad:-pad, pad:-pad]
    boxes = [(round(x), round(y), p.shape[1], p.shape[0])
             for (p, x, y, _, _), c in zip(placed, chars) if c.isdigit()]
    if ruled:
        strength, thick = rng.uniform(0.3, 0.55), int(rng.integers(1, 3))
        first = (top + h + rng.uniform(0, 0.06) * h) % spacing
        for y in np.arange(first, ink.shape[0], spacing):
            line = np.zeros_like(ink)
            cv2.line(line, (0, int(y)), (ink.shape[1], int(y)), 1.0, thick)
            np.maximum(ink, strength * line, out=ink)
        if rng.random() < 0.3:
            margin = np.zeros_like(ink)
            x = int(left * rng.uniform(0.3, 0.8))
            cv2.line(margin, (x, 0), (x, ink.shape[0]), 1.0, thick)
            np.maximum(ink, strength * margin, out=ink)
    if squared:
        strength, thick = rng.uniform(0.25, 0.5), int(rng.integers(1, 3))
        step = h * rng.uniform(0.75, 1.05)
        grid = np.zeros_like(ink)
        for y in np.arange(rng.uniform(0, step), ink.shape[0], step):
            cv2.line(grid, (0, int(y)), (ink.shape[1], int(y)), 1.0, thick)
        for x in np.arange(rng.uniform(0, step), ink.shape[1], step):
            cv2.line(grid, (int(x), 0), (int(x), ink.shape[0]), 1.0, thick)
        np.maximum(ink, strength * grid, out=ink)
    if frame:
        box = np.zeros_like(ink)
        m = int(0.2 * h)
        cv2.rectangle(box, (m, m), (ink.shape[1] - m, ink.shape[0] - m), 1.0,
                      int(rng.integers(1, 4)))
        np.maximum(ink, rng.uniform(0.6, 0.9) * box, out=ink)
    for _ in range(specks):
        y, x = rng.integers(0, ink.shape[0]), rng.integers(0, ink.shape[1])
        cv2.circle(ink, (int(x), int(y)), int(rng.integers(0, 3)), float(rng.uniform(0.4, 1.0)), -1)
    tilt = rng.uniform(-1.5, 1.5) if tilt is None else tilt
    if tilt:
        centre = (ink.shape[1] / 2, ink.shape[0] / 2)
        turn = cv2.getRotationMatrix2D(centre, tilt, 1.0)
        ink = cv2.warpAffine(ink, turn, (ink.shape[1], ink.shape[0]), flags=cv2.INTER_LINEAR)
        boxes = [turned_box(box, turn) for box in boxes]
    text = " ".join("".join(c for c in number if c.isdigit())
                    for numbers in lines for number in numbers)
    image = ink_on_paper(np.clip(ink, 0, 1), rng, colour)
    return (image, text, boxes) if with_boxes else (image, text)


def turned_photo(image: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """The photo turned ``degrees`` anticlockwise, as when the phone was not held level,
    on a canvas large enough for all of it, filled with the paper's colour (the
    image's median); and the (2, 3) affine that takes its pixels there."""
    turn, size = turning(image.shape, degrees)
    paper = np.median(image.reshape(image.shape[0] * image.shape[1], -1), axis=0)
    return cv2.warpAffine(image, turn, size, borderValue=tuple(float(v) for v in paper)), turn


TABLES = ((60, 40, 30), (90, 70, 50), (150, 120, 90), (40, 40, 45), (120, 125, 130))  # RGB


def on_a_table(image: np.ndarray, rng: np.random.Generator, degrees: float = 0.0,
               colour=None) -> np.ndarray:
    """The sheet ``image`` (a page photo, (H, W) or (H, W, 3) uint8) photographed lying on
    a table (wood, slate or grey, or ``colour``), turned ``degrees`` anticlockwise, with
    30-90 % of its size of table around it: (H', W', 3) uint8.

    >>> page = np.full((40, 100), 230, np.uint8)
    >>> photo = on_a_table(page, np.random.default_rng(0), 5.0)
    >>> photo.shape[0] > 40 and photo.shape[1] > 100, int(photo[0, 0].max()) < 200
    (True, True)
    """
    sheet = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    h, w = sheet.shape[:2]
    height, width = int(h * rng.uniform(1.3, 1.9)), int(w * rng.uniform(1.3, 1.9))
    colour = np.array(TABLES[rng.integers(len(TABLES))] if colour is None else colour,
                      np.float32)
    place = np.float32([[1, 0, (width - w) / 2], [0, 1, (height - h) / 2]])
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    matrix = (np.vstack([turn, [0, 0, 1]]) @ np.vstack([place, [0, 0, 1]]))[:2]
    size = (width, height)
    paper = cv2.warpAffine(sheet.astype(np.float32), matrix, size)
    cover = cv2.warpAffine(np.ones((h, w), np.float32), matrix, size)[..., None]
    table = colour + rng.normal(0, 5, (height, width, 3)).astype(np.float32)  # sensor noise
    return np.clip(paper * cover + table * (1 - cover), 0, 255).astype(np.uint8)


def in_pencil(image: np.ndarray, rng: np.random.Generator, keep: float) -> np.ndarray:
    """The page photo ``image`` (H, W, 3) uint8 as if written in pencil: its ink grey,
    only ``keep`` as dark against the paper (the paper's median colour) and grainy,
    each pixel 50-100 % of that, as graphite on the paper's tooth.

    >>> page = np.full((20, 20, 3), 200, np.uint8); page[5:15, 9:11] = 40
    >>> faint = in_pencil(page, np.random.default_rng(0), 0.3)
    >>> int(faint[0, 0, 0]), 150 < int(faint[10, 10, 0]) < 200
    (200, True)
    """
    page = image.astype(np.float32)
    paper_colour = np.median(page.reshape(-1, page.shape[-1]), axis=0)
    grain = rng.uniform(0.5, 1.0, page.shape[:2])[..., None]
    dark = np.clip(paper_colour - page, 0, None).mean(axis=-1, keepdims=True)
    return np.clip(paper_colour - dark * grain * keep, 0, 255).astype(np.uint8)


def in_shadow(image: np.ndarray, edge: float, dark: float = 0.4, soft: float = 0.1,
              slope: float = 0.0) -> np.ndarray:
    """The photo with what lies left of ``edge`` (a share of the width) in a shadow
    ``dark`` as bright, fading over ``soft`` of the width: a hand or a phone held
    over the page. ``slope``: how far the edge leans, in widths per height."""
    h, w = image.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    across = x / w - edge - slope * (y / h - 0.5)
    light = dark + (1 - dark) * np.clip(across / max(soft, 1e-3) + 0.5, 0, 1)
    out = image.astype(np.float32) * (light[..., None] if image.ndim == 3 else light)
    return np.clip(out, 0, 255).astype(np.uint8)


# A check form's printed words, (text, x, y, size) in form units (the amount box is
# 70 units tall; the form 1000 x 420), in the style of a personal check.
CHECK_WORDS = [("FIRST NATIONAL BANK", 30, 50, 0.9), ("DATE", 650, 90, 0.5),
               ("PAY TO THE", 30, 150, 0.5), ("ORDER OF", 30, 170, 0.5),
               ("DOLLARS", 840, 250, 0.5), ("MEMO", 30, 360, 0.5)]
CHECK_LINES = [(700, 92, 950), (130, 172, 700), (30, 252, 830), (90, 362, 450), (560, 362, 950)]


def _printed_words(form: np.ndarray, u: float, grey: tuple) -> np.ndarray:
    """``form`` (RGB uint8) with ``CHECK_WORDS`` printed in Pillow's own scalable font
    (Aileron), which no network here was trained on; ``u`` px per form unit."""
    from PIL import Image, ImageDraw, ImageFont

    page = Image.fromarray(form)
    draw = ImageDraw.Draw(page)
    for words, x, y, size in CHECK_WORDS:
        face = ImageFont.load_default(size=max(6.0, 30 * size * u))  # the Hershey scale's em
        bold = max(0, round((1 if size > 0.6 else 0) * u))
        draw.text((round(x * u), round(y * u)), words, fill=grey, font=face, anchor="ls",
                  stroke_width=bold, stroke_fill=grey)
    return np.asarray(page).copy()


def check_form(rng: np.random.Generator, amount: str, images: np.ndarray, labels: np.ndarray,
               font: int | None = cv2.FONT_HERSHEY_SIMPLEX, **options):
    """A whole printed check with ``amount`` handwritten in its amount box, photographed.

    The bank's name, "PAY TO THE ORDER OF", "DATE", "DOLLARS", "MEMO" and their
    lines are printed (dark grey, in the OpenCV ``font``, or with None in Pillow's
    own font, which the symbol network never saw); the amount is a
    :func:`number_page` (``options`` go to it; no tilt) set in a printed box at
    the right, and the form is sized to it. Returns ``(image, text, box)``: RGB
    uint8, the amount's digits as :func:`number_page` gives them, and the amount
    box's (x, y, w, h) in the image's pixels.

    Examples
    --------
    >>> digits, labels = sklearn_digits()
    >>> image, text, box = check_form(np.random.default_rng(0), "$75", digits, labels)
    >>> text, image.shape[0] > box[3] * 5
    ('75', True)
    """
    page, text = number_page(rng, [[amount]], images, labels, tilt=0, **options)
    ph, pw = page.shape[:2]
    u = ph / 70  # px per form unit
    width = max(round(1000 * u), pw + round(800 * u))
    x0, y0 = width - round(40 * u) - pw, round(130 * u)
    border = np.concatenate([page[0], page[-1], page[:, 0], page[:, -1]])
    form = np.empty((round(420 * u), width, 3), np.uint8)
    form[:] = np.median(border, axis=0).astype(np.uint8)  # the same paper as the amount's
    form[y0 : y0 + ph, x0 : x0 + pw] = page
    grey, thick = (40, 40, 40), max(1, round(u))
    cv2.rectangle(form, (x0 - thick, y0 - thick), (x0 + pw + thick, y0 + ph + thick), grey, thick)
    if font is None:
        form = _printed_words(form, u, grey)
    else:
        for words, x, y, size in CHECK_WORDS:
            cv2.putText(form, words, (round(x * u), round(y * u)), font,
                        size * u, grey, max(1, round((2 if size > 0.6 else 1) * u)), cv2.LINE_AA)
    for x, y, end in CHECK_LINES:
        cv2.line(form, (round(x * u), round(y * u)), (round(end * u), round(y * u)), grey, thick)
    return form, text, (x0, y0, pw, ph)
