"""Training digits as the page reader sees them: written on pages, photographed, cut out.

A digit cut out of a photographed check is not an MNIST digit: the pen, paper,
blur, JPEG, the page's own scale and the reader's cutting all leave marks.
:func:`page_digits` writes numbers with MNIST **training** digits on pages
(:func:`digits.synth.number_page`, the generator the benchmark uses with test
digits), reads each page with :func:`digits.reader.read_page` and keeps every
digit the reader found where a digit was written, labelled with what was
written there (also when the reader got it wrong: those are the ones to learn).
Half the pages are written with the digits as they are (a felt pen or a
ballpoint), half with them as an 8x8 form scanner records them
(:func:`digits.augment.coarse_scan`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from digits.augment import coarse_scan
from digits.predict import Recognizer

MIN_OVERLAP = 0.5  # intersection over union of a read digit's box and a written one


def overlap(a, b) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    ix = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    union = aw * ah + bw * bh - inter
    return inter / union if union > 0 else 0.0


def page_digits(
    images: np.ndarray,
    labels: np.ndarray,
    pages: int,
    recognizer: Recognizer,
    rng: np.random.Generator,
    on_page: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Digits cut out of ``pages`` written pages: (N, 28, 28) uint8 model inputs, (N,) labels.

    ``images`` (M, 28, 28) uint8 / ``labels`` (M,) are the digits to write
    with: training digits only. Each page holds one 3-6 digit number, a fifth
    of them after a "$", some ruled, framed, specked, with a touching pair or
    a digit in two strokes, as the benchmark's pages. ``on_page(done, pages)``
    reports progress.

    Examples
    --------
    >>> from digits.synth import sklearn_digits
    >>> from digits.predict import active_recognizer
    >>> x, y = sklearn_digits(200)
    >>> crops, truth = page_digits(x, y, 2, active_recognizer(), np.random.default_rng(0))
    >>> crops.dtype, crops.shape[1:], len(crops) == len(truth)
    (dtype('uint8'), (28, 28), True)
    """
    from digits import synth
    from digits.reader import read_page

    scanned = np.stack([coarse_scan(image, rng) for image in images])
    crops, truth = [], []
    for i in range(pages):
        length = int(rng.integers(3, 7))
        number = str(rng.integers(1, 10)) + "".join(map(str, rng.integers(0, 10, length - 1)))
        pen_written = i % 2 == 0
        prefix = "$" if rng.random() < 0.2 else ""
        image, text, boxes = synth.number_page(
            rng, [[prefix + number]], images if pen_written else scanned, labels,
            pen=-1 if pen_written else None,
            ruled=bool(rng.random() < 0.3),
            frame=bool(rng.random() < 0.2),
            touching=bool(rng.random() < 0.1),
            broken=bool(rng.random() < 0.1),
            specks=int(rng.integers(0, 30)) if rng.random() < 0.3 else 0,
            with_boxes=True,
        )
        written = [int(c) for c in text if c.isdigit()]
        for found in read_page(image, recognizer).digits:
            scores = [overlap(found.box, box) for box in boxes]
            best = int(np.argmax(scores)) if scores else -1
            if best >= 0 and scores[best] > MIN_OVERLAP:
                crops.append((np.clip(found.model_input, 0, 1) * 255).astype(np.uint8))
                truth.append(written[best])
        if on_page:
            on_page(i + 1, pages)
    if not crops:
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8)
    return np.stack(crops), np.array(truth, np.uint8)
