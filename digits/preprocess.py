"""The one preprocessing: any picture of a digit -> the model's 28x28 input.

Canvas drawings, uploaded photos and scans, the CLI, the number reader and the
benchmarks all go through :func:`to_model_input` (or, for a page that holds
several digits, :func:`find_ink` once and :func:`digit_from_ink` per digit).

The output imitates how MNIST was made: the ink is cropped, scaled to fit a
20x20 box keeping its aspect ratio, and placed in a 28x28 field with its centre
of mass in the middle. Before that the stroke is brought to MNIST's usual
thickness, so a 3-pixel mouse line on a 1000-pixel canvas and a felt pen on
a phone photo both look like pen on paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

SIZE = 28  # model input side
BOX = 20  # the digit's longer side inside the 28x28 field, as in MNIST
WORK = 4 * BOX  # side of the intermediate image where strokes are adjusted
MAX_SIDE = 1600  # larger inputs are downscaled first (speed; no lost detail)
MIN_CONTRAST = 0.12  # ink must be at least this much darker than the paper...
FAINT_CONTRAST = 0.06  # ... or down to this, on a page whose darkest ink is faint (pencil)
NOISE_SIGMAS = 6.0  # and this many times the paper's noise
STROKE_WIDTH = 2.3  # MNIST median stroke width in 20-box pixels (measured: 2.25)
# Strokes outside this x STROKE_WIDTH are adjusted. Thinning starts late:
# eroding merely thick strokes turns blurry low-resolution digits into sticks
# (scikit-learn's digits: 95.1 % read with 1.6 as the top, 96.4 % with 2.0;
# a 50-px marker on a 400-px canvas: 95.5 % either way, 90.3 % never thinned).
STROKE_RANGE = (0.7, 2.0)
MIN_DIGIT_SIDE = 5  # px: smaller blobs are specks, not digits
MIN_DIGIT_FRACTION = 0.04  # a lone digit spans at least this much of the shorter side
SPECK_FRACTION = 0.08  # parts smaller than this x the largest part are dropped
OPAQUE = 0.98  # alpha from which a pixel counts as opaque
LIGHT_PAPER_SIDE = 96  # px: the page's polarity is judged on a copy this small
TABLE_SIDE = 256  # px: a sheet lying on a table is looked for on a copy this small
SHEET_AREA = 0.15  # the sheet covers at least this share of the photo
SHEET_SOLIDITY = 0.85  # and its light part this share of its outline (a sheet is convex)
TABLE_MARK = 6  # px on that copy: a table with a mark this long on it is left alone


@dataclass(frozen=True)
class InkImage:
    """Ink found on a page, after background and polarity are normalised."""

    ink: np.ndarray  # (H, W) float32 in [0, 1], 1 = full ink, 0 = paper
    mask: np.ndarray  # (H, W) bool: pixels that are ink after thresholding
    scale: float  # original pixels per pixel here (>= 1 when downscaled)


@dataclass(frozen=True)
class Prepared:
    """The model input for one digit, or nothing when there is no digit."""

    image: np.ndarray | None  # (28, 28) float32 in [0, 1], None when blank
    box: tuple[int, int, int, int] | None = None  # x, y, w, h in input pixels

    @property
    def blank(self) -> bool:
        return self.image is None


def _as_float(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype == np.uint8:  # one pass, not a float copy and then a division
        return np.divide(image, np.float32(255.0), dtype=np.float32)
    if image.dtype == np.uint16:
        return np.divide(image, np.float32(65535.0), dtype=np.float32)
    if image.dtype == bool:
        return image.astype(np.float32)
    image = image.astype(np.float32)
    return image / 255.0 if image.max() > 1.0 else image


def _quantile(values: np.ndarray, q: float) -> float:
    """The ``q`` quantile of 1-D ``values`` (nearest rank): np.percentile's answer
    without its overhead, which is most of its time on a few thousand values."""
    k = min(len(values) - 1, int(q * len(values)))
    return float(np.partition(values, k)[k])


def _table_as_paper(image: np.ndarray) -> np.ndarray:
    """A sheet photographed lying on a darker table: the table painted the sheet's colour.

    ``image`` is (H, W) or (H, W, 3) uint8; returned as it is unless the photo is
    a light sheet (its outline a convex shape covering >= ``SHEET_AREA`` of the
    photo) on a darker surround that holds no marks. Left alone, the table is the
    page's "paper" and the sheet one big mark of "ink", or its edge a frame of ink.
    A page half in a shadow looks the same, but its shadow holds the digits written
    there: a surround with marks is never painted over (one without any loses nothing).

    Examples
    --------
    >>> table = np.full((120, 160), 50, np.uint8)
    >>> table[20:100, 30:140] = 220; table[50:70, 80:83] = 20  # a sheet with a stroke
    >>> out = _table_as_paper(table)
    >>> int(out[5, 5]), int(out[60, 81]), int(out[40, 40])
    (220, 20, 220)
    >>> table[5:9, 5:40] = 0  # a pen lying on the table: left alone
    >>> int(_table_as_paper(table)[5, 100])
    50
    """
    h, w = image.shape[:2]
    if min(h, w) < 32:
        return image
    # A first look at a few pixels: a canvas or a page filling the photo, light to
    # its edges, leaves here (in 0.03 ms).
    edge = np.concatenate([image[0, ::4], image[-1, ::4], image[::4, 0], image[::4, -1]])
    view = np.ascontiguousarray(image[::8, ::8])
    if image.ndim == 3:
        edge = cv2.cvtColor(edge[None], cv2.COLOR_RGB2GRAY)[0]
        view = cv2.cvtColor(view, cv2.COLOR_RGB2GRAY)
    if _quantile(edge, 0.5) >= 0.75 * _quantile(view.ravel(), 0.9):
        return image
    f = min(1.0, TABLE_SIDE / max(h, w))
    small = cv2.resize(image, (max(1, round(w * f)), max(1, round(h * f))),
                       interpolation=cv2.INTER_AREA)
    lum = small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    # Light is what is brighter than the table (the photo's edge) by a third of the way
    # to the sheet, so that a sheet darker at one end (uneven light) stays whole.
    rim = _quantile(np.concatenate([lum[0], lum[-1], lum[:, 0], lum[:, -1]]), 0.5)
    level = rim + (_quantile(lum.ravel(), 0.9) - rim) / 3
    # Closed: a rule or a box printed across the sheet does not cut it in two.
    light = cv2.morphologyEx((lum > level).astype(np.uint8), cv2.MORPH_CLOSE,
                             np.ones((5, 5), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=4)
    if n < 2:
        return image
    k = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if stats[k, cv2.CC_STAT_AREA] < SHEET_AREA * lum.size:
        return image
    outline = cv2.convexHull(cv2.findNonZero((labels == k).astype(np.uint8)))
    sheet = np.zeros_like(lum)
    cv2.fillConvexPoly(sheet, outline, 1)
    # Mostly light inside its outline (the closing took in the writing): a sheet, not
    # a light stroke on a dark board (a 0's ring is convex too, but hollow).
    if stats[k, cv2.CC_STAT_AREA] < SHEET_SOLIDITY * sheet.sum():
        return image
    table = cv2.erode(1 - sheet, np.ones((5, 5), np.uint8)).astype(bool)  # off its edge
    if table.sum() < 0.05 * lum.size:
        return image
    floor = float(np.median(lum[table]))
    gap = float(np.median(lum[sheet > 0])) - floor
    if gap < MIN_CONTRAST * 255:
        return image
    # Nothing written or lying on the table: no mark darker than around it (a thin
    # stroke) or than the table itself (a bold one), away from the sheet's edge.
    local = cv2.medianBlur(lum, 11).astype(np.int16)
    away = cv2.erode(table.astype(np.uint8), np.ones((13, 13), np.uint8)).astype(bool)
    marks = (((local - lum) > max(0.15 * gap, 20.0))
             | (lum < floor - max(0.25 * gap, 25.0))) & away
    n, _, stats, _ = cv2.connectedComponentsWithStats(marks.astype(np.uint8), connectivity=8)
    if n > 1 and stats[1:, cv2.CC_STAT_WIDTH:cv2.CC_STAT_HEIGHT + 1].max() >= TABLE_MARK:
        return image
    # Paint from a little inside the sheet's outline: its edge is blurred into the table.
    inset = max(2, round(0.01 * min(h, w)))
    full = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(full, np.round(outline / f).astype(np.int32), 1)
    inside = cv2.erode(full, np.ones((2 * inset + 1, 2 * inset + 1), np.uint8)).astype(bool)
    out = image.copy()
    out[~inside] = np.median(image[::4, ::4][inside[::4, ::4]], axis=0).astype(np.uint8)
    return out


def _darkness_source(image: np.ndarray) -> np.ndarray:
    """A (H, W) float image where ink is dark and paper light, in [0, 1]."""
    image = np.asarray(image)
    if image.dtype == np.uint8 and image.ndim == 2:
        image = _table_as_paper(image)
    if image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] in (3, 4):
        if image.shape[2] == 3 or image[..., 3].min() >= OPAQUE * 255:
            # Opaque 8-bit colour (canvases, photos): pick the ink channel in uint8 and
            # convert only it to float, a quarter of the work of converting all four.
            return _ink_channel(_table_as_paper(image[..., :3]))
    x = _as_float(image)
    if x.ndim == 3 and x.shape[2] == 1:
        x = x[..., 0]
    if x.ndim == 3 and x.shape[2] == 2:  # gray + alpha
        x = np.dstack([x[..., 0]] * 3 + [x[..., 1]])
    if x.ndim == 3 and x.shape[2] == 4:
        rgb, alpha = x[..., :3], x[..., 3:]
        if alpha.min() < OPAQUE:
            on_white = rgb * alpha + (1.0 - alpha)
            # Light strokes on a transparent canvas vanish on white: use black.
            x = on_white if on_white.min() < 0.8 else rgb * alpha
        else:
            x = rgb
    if x.ndim == 2:
        return x if _light_paper(x[::3, ::3]) else 1.0 - x
    if x.ndim != 3 or x.shape[2] != 3:
        raise ValueError(f"Expected a grayscale, RGB or RGBA image, got shape {x.shape}.")
    return _ink_channel(x)


def _light_paper(luminance: np.ndarray) -> bool:
    """Whether (H, W) luminance in [0, 1] is dark writing on light paper, not the reverse.

    A page lighter than 0.5 overall is light paper. A darker one may be a
    board, or light paper half in a shadow: so paper is taken for what most
    of the page is near each mark, its local median (a quarter of the side
    across), and the ink for what stands out from it, darker or lighter. (Not
    on every page: on a close-up of a thick 0, the ring is most of the window
    and the paper inside it stands out lighter.)

    Examples
    --------
    >>> page = np.full((60, 90), 0.8, np.float32); page[:, :50] = 0.3  # half in shadow
    >>> page[20:40, 30:33] = 0.1; page[20:40, 70:73] = 0.4  # a stroke in each half
    >>> board = np.full((60, 90), 0.2, np.float32); board[20:40, 40:43] = 0.9  # chalk
    >>> bool(np.median(page) >= 0.5), _light_paper(page), _light_paper(board)
    (False, True, False)
    """
    if np.median(luminance) >= 0.5:
        return True
    h, w = luminance.shape
    f = min(1.0, LIGHT_PAPER_SIDE / max(h, w))
    small = cv2.resize(luminance.astype(np.float32),
                       (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)
    k = max(3, round(max(small.shape) / 4)) | 1
    level = cv2.medianBlur(np.round(small * 255).astype(np.uint8), k).astype(np.float32) / 255
    darker = np.clip(level - small - MIN_CONTRAST, 0, None).sum()
    lighter = np.clip(small - level - MIN_CONTRAST, 0, None).sum()
    return bool(darker > lighter)


def _ink_channel(rgb: np.ndarray) -> np.ndarray:
    """Darkness (H, W) float32 of (H, W, 3) RGB, uint8 or float in [0, 1]."""
    luminance = _as_float(rgb[::3, ::3]) @ np.array([0.299, 0.587, 0.114], np.float32)
    # Channel by channel: 7x faster than x.min(axis=2) on a (H, W, 3) array.
    if _light_paper(luminance):  # coloured ink on light paper
        return _as_float(np.minimum(np.minimum(rgb[..., 0], rgb[..., 1]), rgb[..., 2]))
    return 1.0 - _as_float(np.maximum(np.maximum(rgb[..., 0], rgb[..., 1]), rgb[..., 2]))


def find_ink(image: np.ndarray) -> InkImage:
    """Normalise lighting and polarity and find the ink on a page or canvas.

    ``image`` is (H, W), (H, W, 3) RGB or (H, W, 4) RGBA, any dtype, either
    polarity.

    Examples
    --------
    >>> page = np.full((50, 50), 255, np.uint8); page[10:40, 24:27] = 0
    >>> found = find_ink(page)
    >>> int(found.mask.sum())
    90
    """
    gray = _darkness_source(image)
    h, w = gray.shape
    scale = max(1.0, max(h, w) / MAX_SIDE)
    if scale > 1.0:
        gray = cv2.resize(gray, (round(w / scale), round(h / scale)), interpolation=cv2.INTER_AREA)
        h, w = gray.shape
    # Paper brightness: a closing (max then min filter, wider than any stroke) on a
    # small copy, scaled back up. Dividing by it removes tint and uneven light.
    # A max filter alone spread the lit paper a quarter page into a shadow, whose
    # edge then read as a band of ink; the closing keeps the edge where it is. The
    # copy is padded by odd reflection, so that light falling off towards the
    # border (vignetting) continues past it instead of being filled in there.
    small_side = 64
    f = small_side / max(h, w)
    small = cv2.resize(
        gray, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA
    )
    k = max(3, small_side // 4) | 1
    r = k // 2 + 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    paper = cv2.dilate(np.pad(small, r, mode="reflect", reflect_type="odd"), disc)
    if paper.max() > paper.min():
        paper = cv2.GaussianBlur(cv2.erode(paper, disc)[r:-r, r:-r], (0, 0), 1.0)
        paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
        np.maximum(paper, 0.05, out=paper)
    else:  # evenly lit paper (a canvas): one brightness, nothing to scale up
        paper = np.float32(max(paper.flat[0], 0.05))
    # In place, in float32: four passes over the page instead of four new arrays.
    ink = np.divide(gray, paper, dtype=np.float32)
    np.subtract(1.0, ink, out=ink)
    np.clip(ink, 0.0, 1.0, out=ink)
    if min(h, w) >= 200:  # sensor noise and JPEG blocks; small images keep detail
        ink = cv2.GaussianBlur(ink, (3, 3), 0)
    darkest = float(ink.max())
    least = _least_contrast(ink, darkest)
    if darkest < least:
        return InkImage(np.zeros_like(ink), np.zeros(ink.shape, bool), scale)
    otsu, _ = cv2.threshold(
        (ink * 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
    )
    threshold = min(max(otsu / 255.0, least), 0.5)
    mask = ink > threshold
    if not mask.any():
        return InkImage(np.zeros_like(ink), mask, scale)
    # Stretch so that the core of a stroke is 1 and paper noise is 0.
    core = float(np.percentile(ink[mask], 90))
    floor = threshold / 2
    # Only next to the ink (the mask's box, 1 px wider) is anything kept.
    x, y, bw, bh = cv2.boundingRect(mask.astype(np.uint8))
    x0, y0, x1, y1 = max(x - 1, 0), max(y - 1, 0), min(x + bw + 1, w), min(y + bh + 1, h)
    soft = np.zeros_like(ink)
    box = soft[y0:y1, x0:x1]
    np.subtract(ink[y0:y1, x0:x1], floor, out=box)
    np.divide(box, max(core - floor, 1e-3), out=box)
    np.clip(box, 0.0, 1.0, out=box)
    near_ink = cv2.dilate(mask[y0:y1, x0:x1].astype(np.uint8), np.ones((3, 3), np.uint8))
    np.multiply(box, near_ink, out=box)
    return InkImage(soft, mask, scale)


def _paper_noise(ink: np.ndarray) -> float:
    """The spread (a standard deviation) of the paper's darkness in ``ink`` (H, W),
    clipped at 0 where the paper is about 0 either side: half of it is 0 and the
    other half the noise's size, whose median is 0.674 sigma. On a sample: the
    paper is most of a page."""
    return _quantile(ink.ravel()[:: max(1, ink.size // 4000)], 0.75) / 0.674


def _least_contrast(ink: np.ndarray, darkest: float) -> float:
    """How much darker than the paper ink must be, on the page ``ink`` (H, W) whose
    ``darkest`` ink is given: ``MIN_CONTRAST``, or less where all the ink is faint
    (a light pencil, a pale photo): a third of the darkest, as long as that stands
    clear of the paper's noise (``NOISE_SIGMAS`` x :func:`_paper_noise`) and is at
    least ``FAINT_CONTRAST``. Pages with any dark ink are thresholded as before,
    and need no noise measured.

    >>> smooth, grainy = np.zeros(100, np.float32), np.zeros(100, np.float32)
    >>> grainy[50:] = 0.0202  # the noise's size: 0.03 sigma
    >>> _least_contrast(smooth, 0.9), _least_contrast(smooth, 0.24), _least_contrast(grainy, 0.24)
    (0.12, 0.08, 0.12)
    """
    if darkest >= 3 * MIN_CONTRAST:  # darkest / 3 is MIN_CONTRAST or more
        return MIN_CONTRAST
    return min(MIN_CONTRAST, max(FAINT_CONTRAST, NOISE_SIGMAS * _paper_noise(ink), darkest / 3))


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary shape: 2 x area / perimeter."""
    mask_u8 = mask.astype(np.uint8)
    contours, _ = cv2.findContours(mask_u8, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    area = float(mask_u8.sum())
    return 2.0 * area / perimeter if perimeter > 0 else area**0.5


def _digit_parts(mask: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int, int] | None]:
    """The mask without specks, and the (x, y, w, h) box of what is left.

    Parts much smaller than the largest one are dropped.
    """
    mask_u8 = mask.astype(np.uint8)
    # Only the ink's bounding rectangle: the same parts, much less to label on a canvas.
    x, y, w, h = cv2.boundingRect(mask_u8)
    if w == 0:
        return np.zeros(mask.shape, bool), None
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask_u8[y : y + h, x : x + w],
                                                           connectivity=8)
    if n <= 1:
        return np.zeros(mask.shape, bool), None
    stats[:, 0] += x
    stats[:, 1] += y
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= max(3, SPECK_FRACTION * areas.max())) + 1
    if not len(keep):  # nothing but 1-2 px dots (a cut's sliver of ink)
        return np.zeros(mask.shape, bool), None
    lookup = np.zeros(n, bool)
    lookup[keep] = True
    parts = np.zeros(mask.shape, bool)
    parts[y : y + h, x : x + w] = lookup[labels]
    x0, y0 = stats[keep, 0].min(), stats[keep, 1].min()
    x1 = (stats[keep, 0] + stats[keep, 2]).max()
    y1 = (stats[keep, 1] + stats[keep, 3]).max()
    return parts, (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def _stroke_change(width: float) -> float:
    """How far (in WORK pixels) a stroke of ``width`` WORK pixels is from MNIST's range."""
    target = STROKE_WIDTH * WORK / BOX
    low, high = (r * target for r in STROKE_RANGE)
    return target - width if (width < low or width > high) else 0.0


def _adjust_stroke(work: np.ndarray, work_mask: np.ndarray, width: float) -> np.ndarray:
    """Thicken or thin strokes in the WORK-scale image to MNIST's width."""
    change = _stroke_change(width)
    if change > 0:
        k = max(2, round(change + 1 if width < 1 else change))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        thick = cv2.dilate(work_mask.astype(np.float32), kernel)
        thick = cv2.GaussianBlur(thick, (3, 3), 0)
        return np.maximum(thick, work)
    k = round(-change)
    while k >= 2:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        thin = cv2.erode(work, kernel)
        if (thin > 0.5).sum() >= 0.3 * (work > 0.5).sum():
            return thin
        k -= 2
    return work


def _resize(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    shrink = size[0] < image.shape[1] or size[1] < image.shape[0]
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def digit_from_ink(ink: np.ndarray, mask: np.ndarray) -> np.ndarray | None:
    """Turn the ink of ONE digit into the model's (28, 28) float32 input.

    ``ink`` is soft ink in [0, 1] and ``mask`` its binary pixels (as from
    :func:`find_ink`, possibly cropped). Returns None if no digit-sized ink.
    """
    parts, box = _digit_parts(mask)
    return None if box is None else _normalise(ink, parts, box)


def _normalise(ink: np.ndarray, parts: np.ndarray, box: tuple[int, int, int, int]):
    """Crop ``box``, fix the stroke, fit 20x20 and centre the mass in 28x28."""
    x0, y0, w, h = box
    y1, x1 = y0 + h, x0 + w
    if max(h, w) < MIN_DIGIT_SIDE:
        return None
    crop_mask = parts[y0:y1, x0:x1]
    near = cv2.dilate(crop_mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    crop = ink[y0:y1, x0:x1] * near
    width = stroke_width(crop_mask)
    box_size = (max(1, round(w * BOX / max(h, w))), max(1, round(h * BOX / max(h, w))))
    f = WORK / max(h, w)
    if _stroke_change(width * f):
        # Adjust the stroke at 4x the final size, where a pen is several pixels.
        size = (max(1, round(w * f)), max(1, round(h * f)))
        work = _resize(crop.astype(np.float32), size)
        # Any coverage of a work pixel counts, so a hairline never breaks up.
        work_mask = cv2.resize(crop_mask.astype(np.float32), size, interpolation=cv2.INTER_AREA)
        work = _adjust_stroke(work / max(work.max(), 1e-6), work_mask > 0.01, width * f)
        box = _resize(work, box_size)
    else:
        box = _resize(crop.astype(np.float32), box_size)
    box = box / max(box.max(), 1e-6)
    total = box.sum()
    if total <= 0:
        return None
    rows, cols = np.indices(box.shape)
    cy, cx = (rows * box).sum() / total, (cols * box).sum() / total
    # Whole-pixel shift of the centre of mass to the middle, as MNIST did.
    top, left = round(SIZE / 2 - cy), round(SIZE / 2 - cx)  # MNIST: mass at (14, 14)
    top = min(max(top, 0), SIZE - box.shape[0])
    left = min(max(left, 0), SIZE - box.shape[1])
    out = np.zeros((SIZE, SIZE), np.float32)
    out[top : top + box.shape[0], left : left + box.shape[1]] = box
    return np.clip(out, 0.0, 1.0)


def to_model_input(image: np.ndarray) -> Prepared:
    """Any image of one digit -> :class:`Prepared` (28x28 input, or blank).

    Examples
    --------
    >>> canvas = np.full((400, 400, 4), 255, np.uint8)
    >>> to_model_input(canvas).blank
    True
    >>> _ = cv2.line(canvas, (200, 60), (200, 340), (0, 0, 0, 255), 3)
    >>> to_model_input(canvas).image.shape
    (28, 28)
    """
    found = find_ink(image)
    parts, box = _digit_parts(found.mask)
    if box is None:
        return Prepared(None)
    if max(box[2], box[3]) < MIN_DIGIT_FRACTION * min(parts.shape):  # a dot on a big canvas
        return Prepared(None)
    digit = _normalise(found.ink, parts, box)
    if digit is None:
        return Prepared(None)
    s = found.scale
    x, y, w, h = box
    return Prepared(digit, (int(x * s), int(y * s), int(np.ceil(w * s)), int(np.ceil(h * s))))
