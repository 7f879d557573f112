"""Fit the reader's touching-digit model: when is a wide mark two digits, not one?

    python -m digits.splitfit [--pages 1500] [--held-out 400]

Generates check pages (:func:`digits.synth.number_page`, half of them with a
touching pair) from MNIST **training** digits, runs the reader on them up to
the point where it decides whether to cut a mark, and fits a logistic
regression on the features of each mark's most legible cut (:data:`
digits.reader.SPLIT_FEATURES`), labelled by how many of the page's digits the
mark holds. It prints the weights to put in ``digits/reader.py``
(``SPLIT_WEIGHTS``, ``SPLIT_BIAS``) and, on held-out pages of MNIST test
digits and of scikit-learn's digits, how many touching pairs and how many
single digits the fitted and the current weights would cut.

One feature is the pair network's answer (:mod:`digits.pairs`): train that
first (``python -m digits.pairs``), then refit here. The weights depend on
the active digit model (the "how sure" features), so refit them after shipping
a new model; the pair network looks only at the ink and does not.
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from digits import reader, synth
from digits.data import load_mnist
from digits.predict import Recognizer, active_recognizer

UNSURE_HALF = reader.SPLIT_FEATURES.index("unsure half")


def pages(images: np.ndarray, labels: np.ndarray, n: int, seed: int, pen: int | None = -1,
          lengths: tuple[int, int] = (3, 7), touching: float = 0.5):
    """``n`` one-number pages written with ``images``, one at a time (thousands do
    not fit in memory): yields (image, digit boxes, text).

    Numbers are ``lengths[0]`` to ``lengths[1] - 1`` digits long; the first two
    digits touch on a ``touching`` share of the pages (1.0: every page, drawing
    no random number for it). ``pen`` as for :func:`digits.synth.number_page`
    (-1: felt or ballpoint at random).
    """
    rng = np.random.default_rng(seed)
    for _ in range(n):
        length = int(rng.integers(*lengths))
        number = "".join(str(d) for d in rng.integers(0, 10, length))
        image, text, boxes = synth.number_page(
            rng, [[number]], images, labels, with_boxes=True,
            touching=touching >= 1 or bool(rng.random() < touching),
            ruled=bool(rng.random() < 0.3), broken=bool(rng.random() < 0.1),
            frame=bool(rng.random() < 0.15), pen=pen)
        yield image, boxes, text


def labelled_marks(page_set, recognizer: Recognizer,
                   config: reader.ReaderConfig = reader.ReaderConfig()):
    """Each page read up to the cutting of marks: yields (pieces, digit height, held, text).

    ``held`` says which of the page's digits each piece holds (:func:`digits_held`,
    by the digit boxes of ``page_set``, pages as :func:`pages` gives them).
    """
    for image, boxes, text in page_set:
        page = reader.read_pieces(image, recognizer, config)
        if page is None:
            continue
        found, _, height, placement = page
        yield found, height, digits_held(found, boxes, placement), text


def digits_held(found: list, boxes: list, placement: reader.Placement) -> list[np.ndarray]:
    """For each piece the reader found, which of the page's digit ``boxes`` (original
    pixels; the reader works as ``placement`` says) have their centre in it: indices,
    left to right."""
    centres = placement.to_working([(x + w / 2, y + h / 2) for x, y, w, h in boxes])
    return [np.flatnonzero((centres[:, 0] >= f.mark.x0) & (centres[:, 0] < f.mark.x1)
                           & (centres[:, 1] >= f.mark.y0) & (centres[:, 1] < f.mark.y1))
            for f in found]


def samples(page_set, recognizer: Recognizer,
            config: reader.ReaderConfig = reader.ReaderConfig()) -> tuple[np.ndarray, np.ndarray]:
    """(features (N, F), holds two or more digits (N,) bool) of every mark that can be cut."""
    features, pairs = [], []
    for found, height, held, _ in labelled_marks(page_set, recognizer, config):
        plans = reader.read_cuts(found, height, recognizer, config)
        for plan, digits in zip(plans, held):
            if plan:
                best = max(plan, key=lambda cut: cut.features[UNSURE_HALF])  # most legible
                features.append(best.features)
                pairs.append(len(digits) >= 2)
    return np.array(features).reshape(-1, len(reader.SPLIT_FEATURES)), np.array(pairs, bool)


def fit(features: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, float]:
    """Logistic-regression (weights, bias) for "two digits" over the split features."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=5000).fit(features, pairs)
    return model.coef_[0], float(model.intercept_[0])


def cut_counts(features: np.ndarray, pairs: np.ndarray, weights: np.ndarray, bias: float,
               odds: float) -> dict:
    """How many pairs and single digits a model cuts at log-odds ``odds``."""
    cut = features @ weights + bias > odds
    return {"pairs cut": f"{int((cut & pairs).sum())}/{int(pairs.sum())}",
            "singles cut": f"{int((cut & ~pairs).sum())}/{int((~pairs).sum())}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digits.splitfit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1500, help="training pages (MNIST train)")
    parser.add_argument("--held-out", type=int, default=400, help="pages per held-out set")
    args = parser.parse_args(argv)
    data = load_mnist()
    recognizer = active_recognizer()
    config = reader.ReaderConfig()
    features, pairs = samples(pages(data.x_train, data.y_train, args.pages, 11), recognizer)
    weights, bias = fit(features, pairs)
    print(json.dumps({"features": list(reader.SPLIT_FEATURES),
                      "SPLIT_WEIGHTS": [round(float(w), 2) for w in weights],
                      "SPLIT_BIAS": round(bias, 2)}))
    sk_images, sk_labels = synth.sklearn_digits()
    held = {"mnist-test": pages(data.x_test, data.y_test, args.held_out, 12),
            # Their own stroke, as in the benchmark: 8x8 scans have no centre line to redraw.
            "sklearn": pages(sk_images, sk_labels, args.held_out, 13, pen=None)}
    for name, page_set in held.items():
        x, y = samples(page_set, recognizer, config)
        print(json.dumps({"set": name,
                          "fitted": cut_counts(x, y, weights, bias, config.split_odds),
                          "current": cut_counts(x, y, reader.SPLIT_WEIGHTS, reader.SPLIT_BIAS,
                                                config.split_odds)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
