"""Example photos for the app, written with MNIST TEST digits on synthetic paper.

Each example is built from the test split with a fixed seed, so it is never a
training digit. The results are committed as small PNGs in ``example_photos/``
so a deployed app without MNIST still has them; a test rebuilds them and checks
they match. To rebuild after changing an example::

    python -c "from digits.examples import write_examples; write_examples()"
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from digits.data import Mnist, load_mnist
from digits.synth import ink_on_paper


@dataclass(frozen=True)
class Example:
    """One example photo: the number written on it and how it is written."""

    text: str  # the digits on the page, e.g. "409"
    seed: int  # picks the test digits and the paper
    colour: tuple[int, int, int] | None = None  # RGB ink; None = random pen


EXAMPLES = {
    "A single digit": Example("7", seed=3),
    "Three digits, blue pen": Example("409", seed=11, colour=(25, 40, 140)),
    "A check amount": Example("25816", seed=5, colour=(20, 20, 20)),
}


PHOTO_DIR = Path(__file__).parent / "example_photos"


def photo_path(name: str) -> Path:
    """Where the committed PNG of example ``name`` lives."""
    return PHOTO_DIR / (name.lower().replace(",", "").replace(" ", "-") + ".png")


def load_examples() -> dict[str, np.ndarray]:
    """The committed example photos by name, as RGB arrays (no MNIST needed)."""
    return {name: cv2.imread(str(photo_path(name)), cv2.IMREAD_COLOR)[..., ::-1].copy()
            for name in EXAMPLES}


def write_examples(mnist: Mnist | None = None) -> None:
    """Rebuild every example from MNIST test digits and save it as a PNG."""
    mnist = mnist or load_mnist(download=False)
    PHOTO_DIR.mkdir(exist_ok=True)
    for name in EXAMPLES:
        cv2.imwrite(str(photo_path(name)), example_photo(name, mnist)[..., ::-1])


def pick_test_digits(mnist: Mnist, text: str, rng: np.random.Generator) -> list[np.ndarray]:
    """One random (28, 28) uint8 TEST image for each character of ``text``."""
    return [mnist.x_test[rng.choice(np.flatnonzero(mnist.y_test == int(c)))] for c in text]


def number_photo(digits: list[np.ndarray], rng: np.random.Generator,
                 height: int = 96, colour=None, min_width: int = 0) -> np.ndarray:
    """A photo-like RGB image of (28, 28) uint8 digits written in a row on paper.

    The digits are about ``height`` pixels tall; the page is at least
    ``min_width`` wide with the row centred, so examples can share one size.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> one = np.zeros((28, 28), np.uint8); one[4:24, 13:16] = 255
    >>> number_photo([one, one], rng).ndim
    3
    """
    ink_rows = []
    for digit in digits:
        size = int(height * rng.uniform(0.9, 1.1))
        ink = cv2.resize(digit, (size, size), interpolation=cv2.INTER_CUBIC)
        cols = np.flatnonzero(ink.max(axis=0) > 40)  # trim the empty MNIST margin
        ink = ink[:, cols.min() : cols.max() + 1] if len(cols) else ink
        column = np.zeros((int(height * 1.25), ink.shape[1]), np.uint8)  # room to wander up/down
        top = int(rng.integers(0, column.shape[0] - size + 1))
        column[top : top + size] = ink
        ink_rows.append(column)
        ink_rows.append(np.zeros((column.shape[0], int(height * rng.uniform(0.15, 0.3))), np.uint8))
    row = np.hstack(ink_rows[:-1]).astype(np.float32) / 255  # (H, W) ink in [0, 1]
    margin = height // 2
    side = max(margin, (min_width - row.shape[1]) // 2)
    page = np.pad(row, ((margin, margin), (side, side)))
    return ink_on_paper(page, rng, colour=colour)


def example_photo(name: str, mnist: Mnist) -> np.ndarray:
    """The RGB image of example ``name`` (a key of :data:`EXAMPLES`)."""
    example = EXAMPLES[name]
    rng = np.random.default_rng(example.seed)
    digits = pick_test_digits(mnist, example.text, rng)
    return number_photo(digits, rng, colour=example.colour, min_width=480)
