"""Training-time augmentation: distorted digits stay digits."""

import numpy as np

from digits.augment import augment_batch, restyle, retrace
from digits.preprocess import stroke_width


def test_augmented_batches_keep_shape_type_and_ink(mnist, rng):
    """Every distorted digit still has ink; the batch stays (B, 28, 28) uint8."""
    batch = mnist.x_train[:64]
    out = augment_batch(batch, rng, use_elastic=True, use_retrace=True)
    assert out.shape == batch.shape and out.dtype == np.uint8
    assert ((out > 40).sum(axis=(1, 2)) >= 15).all()  # faint (a low-res scan) but there
    assert not np.array_equal(out, batch)


def test_retrace_draws_an_even_line_of_the_pen_width(mnist):
    """A felt-pen digit redrawn with a 1.5 px pen: thinner, same place, one stroke."""
    digit = mnist.x_train[1].astype(np.float32) / 255  # a "0", MNIST's thick stroke
    thin = np.clip(2 * retrace(digit, (28, 28), 1.5, 2.0), 0, 1)
    assert stroke_width(thin > 0.5) < 0.9 * stroke_width(digit > 0.5)
    ys, xs = np.nonzero(thin > 0.5)
    oy, ox = np.nonzero(digit > 0.5)
    assert abs(ys.mean() - oy.mean()) < 1.5 and abs(xs.mean() - ox.mean()) < 1.5
    wide = np.clip(2 * retrace(digit, (28, 28), 3.0, 2.0), 0, 1)
    assert stroke_width(wide > 0.5) > stroke_width(thin > 0.5) + 0.5


def test_continental_ones_get_a_flag_and_sevens_a_bar(mnist, rng):
    """A 1 gains ink up and left of its top, a 7 across its middle; the rest is kept."""
    ones = mnist.x_test[mnist.y_test == 1][:20]
    sevens = mnist.x_test[mnist.y_test == 7][:20]
    for one in ones:
        flagged = restyle(one, 1, rng)
        assert (flagged >= one).all()
        ys, xs = np.nonzero(one > 100)
        added = (flagged > 100) & (one <= 100)
        ay, ax = np.nonzero(added)
        flag = ay < (ys.min() + ys.max()) / 2  # below that: sometimes a foot
        assert flag.sum() >= 3 and ax[flag].mean() < xs[ys <= ys.min() + 1].mean()
    for seven in sevens:
        barred = restyle(seven, 7, rng)
        ys, _ = np.nonzero(seven > 100)
        ay, _ = np.nonzero((barred > 100) & (seven <= 100))
        assert len(ay) >= 3 and abs(ay.mean() - (ys.min() + ys.max()) / 2) < 0.25 * np.ptp(ys)
    three = mnist.x_test[mnist.y_test == 3][0]
    assert np.array_equal(restyle(three, 3, rng), three)


def test_styles_change_only_ones_and_sevens(mnist):
    """With use_styles a batch of 3s comes out as without; a batch of 1s does not."""
    for label, same in ((3, True), (1, False)):
        x = mnist.x_train[mnist.y_train == label][:32]
        y = np.full(len(x), label)
        plain = augment_batch(x, np.random.default_rng(5), labels=y)
        styled = augment_batch(x, np.random.default_rng(5), labels=y, use_styles=True)
        assert np.array_equal(plain, styled) == same
