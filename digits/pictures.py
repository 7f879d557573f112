"""Pictures the pages show: enlarged model inputs, saliency overlays, boxes, grids.

All functions take and return NumPy arrays (uint8 RGB or gray), so they can be
tested without a browser and shown with any image widget.
"""

from __future__ import annotations

import cv2
import numpy as np

BOX_COLOUR = (37, 99, 235)  # RGB, the app's accent blue
UNSURE_COLOUR = (234, 88, 12)  # orange: a digit the model is not sure about
SKIPPED_COLOUR = (148, 163, 184)  # grey: a mark that is not a digit, left out


def enlarge(model_input: np.ndarray, scale: int = 8) -> np.ndarray:
    """A (28, 28) float input in [0, 1] as a (28*scale, 28*scale) uint8 image, pixels kept sharp.

    Examples
    --------
    >>> enlarge(np.zeros((28, 28), np.float32)).shape
    (224, 224)
    """
    gray = (np.clip(model_input, 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    return np.kron(gray, np.ones((scale, scale), np.uint8))


def saliency_overlay(model_input: np.ndarray, heat: np.ndarray, scale: int = 8) -> np.ndarray:
    """The model input in gray with the saliency ``heat`` (28, 28) in [0, 1] laid over it in colour.

    Examples
    --------
    >>> saliency_overlay(np.zeros((28, 28)), np.ones((28, 28))).shape
    (224, 224, 3)
    """
    size = 28 * scale
    base = cv2.cvtColor(enlarge(model_input, scale), cv2.COLOR_GRAY2RGB).astype(np.float32)
    smooth = cv2.resize(np.clip(heat, 0, 1).astype(np.float32), (size, size),
                        interpolation=cv2.INTER_CUBIC)
    smooth = np.clip(smooth, 0, 1)
    colour = cv2.applyColorMap((smooth * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)
    colour = colour[..., ::-1].astype(np.float32)  # BGR -> RGB
    alpha = 0.25 + 0.55 * smooth[..., None]
    return (base * (1 - alpha) + colour * alpha).astype(np.uint8)


def crop(image: np.ndarray, box, pad: float = 0.15) -> np.ndarray:
    """The part of ``image`` in ``box`` (x, y, w, h) plus a ``pad`` margin, made square.

    The short side is filled with the paper's colour (the median of the crop's
    border), so a thin 1 is not shown as a tall sliver and neighbours stay out.

    Examples
    --------
    >>> crop(np.zeros((100, 100, 3), np.uint8), (45, 10, 10, 80)).shape
    (104, 104, 3)
    """
    x, y, w, h = (int(v) for v in box)
    m = int(round(pad * max(w, h)))
    part = image[max(0, y - m) : y + h + m, max(0, x - m) : x + w + m]
    if part.size == 0:
        return part
    border = np.concatenate([part[0], part[-1], part[:, 0], part[:, -1]])
    side = max(w, h) + 2 * m
    out = np.empty((side, side) + part.shape[2:], part.dtype)
    out[:] = np.median(border, axis=0).astype(part.dtype)
    top, left = (side - part.shape[0]) // 2, (side - part.shape[1]) // 2
    out[top : top + part.shape[0], left : left + part.shape[1]] = part
    return out


def draw_boxes(image: np.ndarray, boxes, labels=None, unsure=None, skipped=(),
               max_side: int = 1200, part=None) -> np.ndarray:
    """A copy of RGB ``image`` with a rectangle (and a label) around each box.

    Boxes are (x, y, w, h) in image pixels; ``unsure[i]`` draws box i in orange;
    ``skipped`` boxes (marks that are not digits) are drawn in grey, unlabelled.
    ``part`` (x, y, w, h), the part of the image that was read: the rest is faded.
    Images larger than ``max_side`` are shrunk first: a 12-megapixel photo is
    slow to send to a browser and no clearer on a screen.

    Examples
    --------
    >>> page = np.full((100, 200, 3), 255, np.uint8)
    >>> out = draw_boxes(page, [(10, 10, 30, 50)], ["7"])
    >>> bool((out != 255).any()), bool((page == 255).all())
    (True, True)
    >>> faded = draw_boxes(np.zeros((100, 200, 3), np.uint8), [], part=(0, 0, 100, 100))
    >>> int(faded[50, 50, 0]), int(faded[50, 150, 0])  # read as it was, the rest faded
    (0, 170)
    """
    out = np.ascontiguousarray(image[..., :3]).copy()
    f = min(1.0, max_side / max(out.shape[:2]))
    if f < 1.0:
        out = cv2.resize(out, (round(out.shape[1] * f), round(out.shape[0] * f)),
                         interpolation=cv2.INTER_AREA)
        boxes = [tuple(v * f for v in box) for box in boxes]
        skipped = [tuple(v * f for v in box) for box in skipped]
        part = None if part is None else tuple(v * f for v in part)
    height, width = out.shape[:2]
    if part is not None:
        x, y, w, h = (int(round(v)) for v in part)
        inside = out[y : y + h, x : x + w].copy()
        out[:] = (out // 3 + 170).astype(np.uint8)  # faded: not read
        out[y : y + h, x : x + w] = inside
    thick = max(2, round(max(height, width) / 400))
    font = max(0.5, max(height, width) / 900)
    for box in skipped:
        x, y, w, h = (int(v) for v in box)
        cv2.rectangle(out, (x, y), (x + w, y + h), SKIPPED_COLOUR, thick)
    for i, box in enumerate(boxes):
        x, y, w, h = (int(v) for v in box)
        colour = UNSURE_COLOUR if unsure is not None and unsure[i] else BOX_COLOUR
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, thick)
        if labels is not None:
            text = str(labels[i])
            (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font, thick)
            top = y - th - base - 2 * thick
            ty = y - base - thick if top >= 0 else y + h + th + thick  # above, else below
            tx = min(max(0, x), max(0, width - tw))
            cv2.rectangle(out, (tx, ty - th - thick), (tx + tw + thick, ty + base), colour, -1)
            cv2.putText(out, text, (tx + thick // 2, ty), cv2.FONT_HERSHEY_SIMPLEX, font,
                        (255, 255, 255), thick, cv2.LINE_AA)
    return out


def digit_grid(images: np.ndarray, columns: int, gap: int = 2) -> np.ndarray:
    """Tile (N, 28, 28) uint8 digits into one light-on-dark image, ``columns`` per row.

    Examples
    --------
    >>> digit_grid(np.zeros((20, 28, 28), np.uint8), columns=10).shape
    (58, 298)
    """
    n = len(images)
    rows = max(1, -(-n // columns))
    side = images.shape[1] if n else 28
    grid = np.full((rows * (side + gap) - gap, columns * (side + gap) - gap), 40, np.uint8)
    for i, digit in enumerate(images):
        r, c = divmod(i, columns)
        grid[r * (side + gap) : r * (side + gap) + side,
             c * (side + gap) : c * (side + gap) + side] = digit
    return grid
