"""The network that tells digits from other marks ("$", "#", letters) for the reader."""

import numpy as np

from digits import symbols
from digits.preprocess import to_model_input
from digits.reader import ReaderConfig
from digits.synth import sklearn_digits

BAR = ReaderConfig().symbol_bar


def test_shipped_network_keeps_digits_and_drops_symbols(mnist):
    """Symbols in fonts it never saw are dropped; real digits from other writers are kept."""
    rng = np.random.default_rng(3)
    marks = symbols.drawn(list(rng.choice(list(symbols.SYMBOLS), 300)), symbols.HELD_OUT_FONTS,
                          rng)
    dollars = symbols.drawn(["$"] * 100, symbols.HELD_OUT_FONTS, rng)
    sk, _ = sklearn_digits(600)
    digits = np.stack([to_model_input(d).image for d in [*mnist.x_test[:1500], *sk]])
    assert (symbols.symbol_probability(marks / 255) >= BAR).mean() > 0.9
    assert (symbols.symbol_probability(dollars / 255) >= BAR).mean() > 0.9
    assert (symbols.symbol_probability(digits) >= BAR).mean() < 0.005


def test_training_set_draws_both_classes_alike():
    """Digits and symbols come out as model inputs of one kind, labelled, in a random order."""
    rng = np.random.default_rng(0)
    mnist_like = np.zeros((40, 28, 28), np.uint8)
    mnist_like[:, 6:22, 12:16] = 255  # forty 1s
    x, y = symbols.training_set(mnist_like, 30, symbols.FONTS, rng)
    assert x.shape == (40 + 8 + 30, 28, 28) and x.dtype == np.uint8
    assert y.sum() == 30 and 0 < np.flatnonzero(y).min() < len(y) - 30  # shuffled
    assert all(im.max() > 128 for im in x)  # every image holds ink


def test_symbol_network_trains_and_runs_without_keras(mnist, tmp_path):
    """A short training run exports to the NumPy runtime; its outputs are probabilities."""
    from digits.runtime import NumpyNetwork, export_program, save_program

    rng = np.random.default_rng(0)
    x, y = symbols.training_set(mnist.x_train[:300], 300, symbols.FONTS, rng)
    model = symbols.train(x, y, epochs=1)
    save_program(tmp_path / "s.npz", *export_program(model))
    net = NumpyNetwork.load(tmp_path / "s.npz")
    p = net(x[:50].astype(np.float32) / 255)
    keras_p = model.predict(x[:50, ..., None].astype(np.float32) / 255, verbose=0)
    assert p.shape == (50, 2) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert np.allclose(p, keras_p, atol=1e-4)
