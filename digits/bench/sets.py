"""The benchmark's realistic inputs, rebuilt identically on every run (fixed seeds).

Everything is made from digits the model never trained on: the MNIST **test**
split and scikit-learn's ``load_digits`` (other writers, other scanner).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from digits import synth

# Canvas sizes (H, W) a browser canvas may have: phone, the app's, a big desktop one.
CANVASES = [(280, 280), (400, 600), (600, 800), (800, 1000)]
APP_CANVAS = (380, 380)  # the Draw page's canvas (pages/draw.py)


@dataclass(frozen=True)
class LabelledSet:
    """Images of single digits with their true labels."""

    name: str
    images: list  # of (H, W, 3) RGB or (H, W, 4) RGBA uint8 arrays
    labels: np.ndarray  # (N,) uint8
    description: str

    def fingerprint(self) -> dict:
        return {"count": len(self.images), "sha256": fingerprint(self.images)}


def fingerprint(images) -> str:
    """sha256 over the pixels of ``images``: proof that a set repeats exactly.

    Examples
    --------
    >>> fingerprint([np.zeros((2, 2), np.uint8)])[:12]
    'df3f619804a9'
    """
    digest = hashlib.sha256()
    for image in images:
        digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()


def mouse_set(x_test: np.ndarray, y_test: np.ndarray, n: int, seed: int = 101) -> LabelledSet:
    """MNIST test digits redrawn as thin mouse strokes on large white canvases."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x_test), n, replace=False)
    images = [
        synth.mouse_drawing(x_test[i], rng, canvas=CANVASES[rng.integers(len(CANVASES))])
        for i in picks
    ]
    return LabelledSet("mouse", images, y_test[picks],
                       "MNIST test digits retraced as a 2-12 px mouse line on white canvases "
                       "from 280x280 to 800x1000 (RGBA)")


def paper_set(x_test: np.ndarray, y_test: np.ndarray, n: int, seed: int = 102) -> LabelledSet:
    """MNIST test digits as dark ink on tinted, unevenly lit, noisy JPEG paper."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x_test), n, replace=False)
    images = [synth.paper_photo(x_test[i], rng) for i in picks]
    return LabelledSet("paper", images, y_test[picks],
                       "MNIST test digits in coloured ink on tinted, unevenly lit, blurred, "
                       "noisy, JPEG-compressed paper, 60-400 px photos")


def sklearn_paper_set(n: int | None, seed: int = 103) -> LabelledSet:
    """scikit-learn's digits (other writers) as ink on paper photos."""
    rng = np.random.default_rng(seed)
    digits, labels = synth.sklearn_digits()
    picks = rng.permutation(len(digits))[:n]
    images = [synth.paper_photo(digits[i], rng) for i in picks]
    return LabelledSet("sklearn-paper", images, labels[picks],
                       "scikit-learn load_digits (1,797 digits by other writers) as ink on "
                       "paper photos, like the paper set")


def _random_number(rng: np.random.Generator, length: int) -> str:
    """``length`` random digits, the first not 0."""
    return str(rng.integers(1, 10)) + "".join(str(d) for d in rng.integers(0, 10, length - 1))


def number_pages(x_test, y_test, n: int, lengths=(3, 4, 5, 6), seed: int = 104,
                 prefix: str = "", details: bool = False, squared: bool = False) -> list:
    """``n`` check/note pages, each holding one 3-6 digit number: [(RGB image, text)].

    Half the pages use MNIST test digits, half scikit-learn's; some are ruled,
    framed, specked, or have two touching digits or a digit written in two strokes.
    ``prefix`` is written before each number ("$": a check amount); it is not
    part of the text. ``squared`` writes every page on squared paper instead of
    ruled paper (the pages are otherwise drawn alike). MNIST digits are written
    with a felt pen or a ballpoint; scikit-learn's keep their own stroke: their
    8x8 scans have no centre line to redraw (a ballpoint redraw of one turned 8s
    into 1s, 2s into Ls, 0s into Cs).
    With ``details`` each page is ``(image, text, how)``, ``how`` saying how it was
    made: ``{"writer": "mnist" or "sklearn", "ruled", "frame", "touching", "broken",
    "specks"}``; the images are the same either way.
    """
    if not hasattr(synth, "number_page"):
        raise NotImplementedError("digits.synth.number_page is not available yet")
    rng = np.random.default_rng(seed)
    sk_digits, sk_labels = synth.sklearn_digits()
    pages = []
    for i in range(n):
        length = int(rng.choice(lengths))
        number = _random_number(rng, length)
        mnist = i % 2 == 0
        images, labels = (x_test, y_test) if mnist else (sk_digits, sk_labels)
        how = {"ruled": bool(rng.random() < 0.3), "frame": bool(rng.random() < 0.2),
               "touching": bool(rng.random() < 0.1), "broken": bool(rng.random() < 0.1),
               "specks": int(rng.integers(0, 30)) if rng.random() < 0.3 else 0}
        if squared:
            how.update(ruled=False, squared=True)
        image, text = synth.number_page(rng, [[prefix + number]], images, labels,
                                        pen=-1 if mnist else None, **how)
        how["writer"] = "mnist" if mnist else "sklearn"
        pages.append((image, text, how) if details else (image, text))
    return pages


PHOTO_TILT = (3.0, 10.0)  # degrees either way: a phone not held level
PHOTO_SHADOW = (0.35, 0.6)  # how bright the shadowed part stays


def photographed_pages(x_test, y_test, n: int, seed: int = 108) -> list:
    """``n`` pages made as :func:`number_pages` makes them, then photographed
    carelessly: half of them (pages 0, 1, 4, 5, ...: both writers alike) turned
    3-10 degrees either way, the rest partly under a shadow with a soft or sharp,
    straight or leaning edge. [(RGB image, text)]."""
    rng = np.random.default_rng(seed + 1000)
    out = []
    for i, (image, text) in enumerate(number_pages(x_test, y_test, n, seed=seed)):
        if i % 4 < 2:
            image = synth.turned_photo(image, rng.choice([-1, 1]) * rng.uniform(*PHOTO_TILT))[0]
        else:
            image = synth.in_shadow(image, rng.uniform(0.25, 0.75), rng.uniform(*PHOTO_SHADOW),
                                    rng.uniform(0.03, 0.2), rng.uniform(-0.3, 0.3))
        out.append((image, text))
    return out


def table_pages(x_test, y_test, n: int, seed: int = 109) -> list:
    """``n`` pages made as :func:`number_pages` makes them, photographed lying on a table
    (:func:`digits.synth.on_a_table`: dark or light wood, slate or grey), half of them
    (pages 0, 1, 4, 5, ...) turned 3-10 degrees either way. [(RGB image, text)]."""
    rng = np.random.default_rng(seed + 1000)
    out = []
    for i, (image, text) in enumerate(number_pages(x_test, y_test, n, seed=seed)):
        degrees = rng.choice([-1, 1]) * rng.uniform(*PHOTO_TILT) if i % 4 < 2 else 0.0
        out.append((synth.on_a_table(image, rng, degrees), text))
    return out


def squared_pages(x_test, y_test, n: int, seed: int = 110) -> list:
    """``n`` pages made as :func:`number_pages` makes them, but each written on squared
    paper (a grid a digit tall, whose lines cross the digits). [(RGB image, text)]."""
    return number_pages(x_test, y_test, n, seed=seed, squared=True)


PENCIL = (0.3, 0.7)  # how dark a pencil page's ink stays against the paper


def pencil_pages(x_test, y_test, n: int, seed: int = 111) -> list:
    """``n`` pages made as :func:`number_pages` makes them, written in grey and faded
    as a light pencil (:func:`digits.synth.in_pencil`, its ink ``PENCIL`` as dark).
    [(RGB image, text)]."""
    rng = np.random.default_rng(seed + 1000)
    return [(synth.in_pencil(image, rng, rng.uniform(*PENCIL)), text)
            for image, text in number_pages(x_test, y_test, n, seed=seed)]


def check_forms(x_test, y_test, n: int, seed: int = 112) -> list:
    """``n`` whole printed checks (:func:`digits.synth.check_form`: the bank's name,
    "PAY TO THE ORDER OF", "DATE", "DOLLARS", "MEMO", their lines and the amount box),
    each with a 2-6 digit amount after a "$" in its box, written as :func:`number_pages`
    writes (MNIST test digits in a felt pen or a ballpoint, and scikit-learn's in their
    own stroke, alternating). The words are printed in a font the symbol network never
    saw (Pillow's own). The text is the amount alone.
    [(RGB image, text)]."""
    rng = np.random.default_rng(seed)
    sk_digits, sk_labels = synth.sklearn_digits()
    out = []
    for i in range(n):
        length = int(rng.integers(2, 7))
        amount = _random_number(rng, length)
        mnist = i % 2 == 0
        images, labels = (x_test, y_test) if mnist else (sk_digits, sk_labels)
        image, text, _ = synth.check_form(rng, "$" + amount, images, labels,
                                          font=None, pen=-1 if mnist else None)
        out.append((image, text))
    return out


def app_requests(x_test: np.ndarray, n: int, seed: int = 106) -> list:
    """What the app is sent: Draw-page canvases (RGBA) and paper photos (RGB), alternating."""
    rng = np.random.default_rng(seed)
    picks = rng.choice(len(x_test), n, replace=False)
    return [synth.mouse_drawing(x_test[i], rng, canvas=APP_CANVAS) if k % 2 == 0
            else synth.paper_photo(x_test[i], rng) for k, i in enumerate(picks)]
