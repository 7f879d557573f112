"""Training-time augmentation: distorted digits stay digits."""

import numpy as np

from digits.augment import augment_batch, retrace
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
