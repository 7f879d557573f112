"""Touching digits: is a wide mark one digit or two?

The reader cuts a wide mark in two when its split model (``reader.SPLIT_FEATURES``)
says two digits are likelier. Those features see the mark only through the
digit model's readings of it and of its halves, and a wide single digit (a 5
with a long bar, an open 4, a fat 0) often has halves that read as digits too:
"5" came out as "52", "4" as "14". This small network looks at the whole mark
at its own aspect ratio, as a person would, and gives the split model one more
feature: how much it looks like two digits side by side.

It is trained (``python -m digits.pairs``, about 8 minutes on 2 cores) on the marks
the reader itself finds on generated check pages written with MNIST
**training** digits (:func:`digits.splitfit.pages`, half of them with a
touching pair), labelled by how many of the page's digits each mark holds.
The result is ``digits/pairs.npz`` (a :class:`~digits.runtime.NumpyNetwork`).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from digits.runtime import NumpyNetwork, class_probability

PATH = Path(__file__).with_name("pairs.npz")
HEIGHT, WIDTH = 32, 64  # px: the network's view of a mark, twice as wide as tall
MARGIN = 2  # px of paper kept around the mark
PAIR = 1  # class index of "two or more digits"


def pair_input(own: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """A mark as the pair network sees it: (HEIGHT, WIDTH) float32 in [0, 1].

    ``own`` (h, w) bool are the mark's pixels in its box and ``ink`` (h, w) the
    ink there; other marks' ink in the box is left out. The mark keeps its
    aspect ratio (its width is what tells a pair), scaled to fill the view.

    Examples
    --------
    >>> bar = np.ones((10, 40), bool)
    >>> view = pair_input(bar, bar.astype(np.float32))
    >>> view.shape, float(view.max()), int((view.sum(axis=0) > 0).sum())
    ((32, 64), 1.0, 60)
    """
    mark = np.where(own, ink, 0).astype(np.float32)  # (h, w)
    h, w = mark.shape
    scale = min((HEIGHT - 2 * MARGIN) / h, (WIDTH - 2 * MARGIN) / w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(mark, size, interpolation=cv2.INTER_AREA)
    view = np.zeros((HEIGHT, WIDTH), np.float32)
    y, x = (HEIGHT - size[1]) // 2, (WIDTH - size[0]) // 2
    view[y : y + size[1], x : x + size[0]] = small
    return view / max(float(view.max()), 1e-6)


def pair_probability(views: np.ndarray) -> np.ndarray:
    """P(two or more digits) (N,) for views (N, HEIGHT, WIDTH) from :func:`pair_input`."""
    return class_probability(PATH, views, PAIR)


def build_network():
    """A small CNN, (HEIGHT, WIDTH, 1) -> P(one digit), P(two); runs in the NumPy runtime.

    Flattened, not pooled, at the end: where the ink lies (two loops side by
    side, or one digit's bar sticking out) is the whole question.
    """
    import keras
    from keras import layers

    from digits.model import conv_block

    return keras.Sequential([
        keras.Input((HEIGHT, WIDTH, 1)), *conv_block(16), layers.MaxPooling2D(),
        *conv_block(32), layers.MaxPooling2D(), *conv_block(32), layers.MaxPooling2D(),
        layers.Flatten(), layers.Dropout(0.3), layers.Dense(64, activation="relu"),
        layers.Dense(2, activation="softmax"),
    ], name="pairs")


def training_set(page_set: list, recognizer, config=None) -> tuple[np.ndarray, np.ndarray]:
    """(views (N, HEIGHT, WIDTH) float32, holds two or more digits (N,) uint8).

    Every mark of ``page_set`` (``[(image, digit boxes)]``) wide enough for the
    reader to try cutting, seen as the reader sees it.
    """
    from digits import reader, splitfit

    config = config or reader.ReaderConfig()
    views, pairs = [], []
    for found, height, two in splitfit.labelled_marks(page_set, recognizer, config):
        for piece, holds_two in zip(found, two):
            if piece.mark.w >= config.split_width * height:
                views.append(pair_input(piece.own, piece.crop))
                pairs.append(holds_two)
    return (np.array(views, np.float32).reshape(-1, HEIGHT, WIDTH),
            np.array(pairs, np.uint8))


def main(argv=None) -> int:
    import argparse

    from digits import splitfit, symbols
    from digits.data import load_mnist
    from digits.predict import active_recognizer
    from digits.runtime import export_program, save_program

    parser = argparse.ArgumentParser(prog="python -m digits.pairs",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=8000, help="training pages (MNIST train)")
    parser.add_argument("--held-out", type=int, default=400, help="held-out pages (MNIST test)")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--out", type=Path, default=PATH)
    args = parser.parse_args(argv)
    data, recognizer = load_mnist(), active_recognizer()
    # Seed 21: not the pages the split model is fitted on (splitfit uses 11),
    # so that fit sees this network's answers on marks it was not trained on.
    x, y = training_set(splitfit.pages(data.x_train, data.y_train, args.pages, 21), recognizer)
    print(f"{len(x)} marks ({int(y.sum())} pairs); training...", flush=True)
    ops, arrays = export_program(symbols.train(x, y, args.epochs, build=build_network))
    tmp = args.out.with_suffix(".tmp.npz")
    save_program(tmp, ops, arrays)
    tmp.replace(args.out)  # never a half-written network
    held_x, held_y = training_set(
        splitfit.pages(data.x_test, data.y_test, args.held_out, 22), recognizer)
    said = NumpyNetwork(ops, arrays)(held_x)[:, PAIR] >= 0.5
    print(f"held-out marks (MNIST test pages): pairs found {int((said & (held_y == 1)).sum())}"
          f"/{int(held_y.sum())}, single digits called pairs "
          f"{int((said & (held_y == 0)).sum())}/{int((held_y == 0).sum())}")
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
