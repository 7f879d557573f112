"""Digits cut out of written pages, for training (digits.pagecrops)."""

import numpy as np

from digits.pagecrops import overlap, page_digits
from digits.synth import sklearn_digits


def test_overlap_of_boxes():
    assert overlap((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert overlap((0, 0, 10, 10), (5, 0, 10, 10)) == 50 / 150
    assert overlap((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert overlap((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


def test_page_digits_are_the_written_digits_as_the_reader_cut_them(recognizer):
    """Every page yields its digits, labelled with what was written; the model, which
    reads such pages well, agrees with nearly all labels. (scikit-learn's digits
    stand in for training digits here: tests never train on MNIST's test split.)"""
    images, labels = sklearn_digits()
    seen = []
    crops, truth = page_digits(images, labels, 12, recognizer, np.random.default_rng(5),
                               on_page=lambda done, total: seen.append(done))
    assert seen == list(range(1, 13))
    assert crops.dtype == np.uint8 and crops.shape[1:] == (28, 28) and len(truth) == len(crops)
    assert 36 <= len(crops) <= 72  # 3-6 digits on each of 12 pages, nearly all found
    assert set(truth) <= set(range(10)) and len(set(truth)) >= 5
    read = recognizer.probabilities(crops.astype(np.float32) / 255).argmax(axis=1)
    assert (read == truth).mean() >= 0.85
    # Model inputs as the one preprocessing makes them: dark strokes, centred.
    assert crops.max(axis=(1, 2)).min() > 128 and crops[:, :2].mean() < 5
