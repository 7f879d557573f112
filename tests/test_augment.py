"""Training-time augmentation: distorted digits stay digits."""

import cv2
import numpy as np

from digits.augment import augment_batch, retrace, skeleton, writing_style
from digits.data import coarse_scans, smooth_scans
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


def _holes(mask: np.ndarray) -> int:
    _, hierarchy = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    return 0 if hierarchy is None else int((hierarchy[0][:, 3] >= 0).sum())


def test_retrace_keeps_the_loops_of_0_6_8_9(mnist):
    """A pen redraw of a 0 stays a loop: it never fills small loops into a line ("0" -> "l")."""
    loops = np.flatnonzero(np.isin(mnist.y_test, (0, 6, 8, 9)))[:300]
    kept = 0
    for i in loops:
        digit = mnist.x_test[i].astype(np.float32) / 255
        big = cv2.resize(digit, (112, 112), interpolation=cv2.INTER_CUBIC)
        line = retrace(digit, (112, 112), 4.0, 1.0) > 0.2
        kept += _holes(line) == _holes(big > 0.5)
    assert kept >= 0.97 * len(loops)


def _band(image: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """In rows lo-hi (fractions of the digit's height): the leftmost ink and the widest row,
    both in digit heights, the leftmost measured from the right of the digit's box."""
    ys, xs = np.nonzero(image > 127)
    top, height = ys.min(), np.ptp(ys) + 1
    rows = (ys >= top + lo * height) & (ys <= top + hi * height)
    widest = max(np.ptp(xs[rows & (ys == y)]) for y in np.unique(ys[rows]))
    return (xs.max() - xs[rows].min()) / height, widest / height


def test_writing_styles_add_a_flag_a_bar_a_tail(mnist):
    """A 1 gains ink left of its top, a 7 a bar across its middle, a 9 a tail curling left."""
    rng = np.random.default_rng(0)
    band = {1: (0.0, 0.3), 7: (0.4, 0.65), 9: (0.8, 1.0)}
    growth = {}  # median change of the band's measure, in digit heights
    for label, (lo, hi) in band.items():
        changes = []
        for i in np.flatnonzero(mnist.y_test == label)[:30]:
            after = writing_style(mnist.x_test[i], label, rng)
            assert after.shape == (28, 28) and after.dtype == np.uint8
            (reach, wide), (reach0, wide0) = _band(after, lo, hi), _band(mnist.x_test[i], lo, hi)
            changes.append(wide - wide0 if label == 7 else reach - reach0)
        growth[label] = float(np.median(changes))
    assert all(change > 0.1 for change in growth.values()), growth
    four = mnist.x_test[np.flatnonzero(mnist.y_test == 4)[0]]
    assert writing_style(four, 4, rng) is four


def _zhang_suen(mask):
    """Zhang-Suen thinning written out pixel by pixel, as the 1984 paper states it."""
    img = np.pad(mask.astype(np.uint8), 1)
    for _ in range(100):
        before = img.copy()
        for first in (True, False):
            remove = []
            for y, x in zip(*np.nonzero(img)):
                p = [img[y - 1, x], img[y - 1, x + 1], img[y, x + 1], img[y + 1, x + 1],
                     img[y + 1, x], img[y + 1, x - 1], img[y, x - 1], img[y - 1, x - 1]]
                turns = sum(p[i] == 0 and p[(i + 1) % 8] == 1 for i in range(8))
                a, b = (p[0] * p[2] * p[4], p[2] * p[4] * p[6]) if first else (
                    p[0] * p[2] * p[6], p[0] * p[4] * p[6])
                if 2 <= sum(p) <= 6 and turns == 1 and a == 0 and b == 0:
                    remove.append((y, x))
            for y, x in remove:
                img[y, x] = 0
        if np.array_equal(img, before):
            return img[1:-1, 1:-1].astype(bool)
    raise AssertionError("thinning did not settle")


def test_skeleton_is_zhang_suen_thinning(mnist, rng):
    """The table-driven thinning removes exactly the pixels the published rule removes."""
    masks = [mnist.x_test[i] > 127 for i in range(20)]
    masks += [rng.random((12, 15)) > 0.4 for _ in range(20)]  # ragged shapes, ink at the edges
    for mask in masks:
        np.testing.assert_array_equal(skeleton(mask), _zhang_suen(mask))


def blockiness(images: np.ndarray) -> float:
    """How much (N, 28, 28) digits change when seen again through 8x8 blocks: little
    for what an 8x8 block scanner recorded, much for finer strokes."""
    blocks = [cv2.resize(i[4:24, 4:24] / 255, (8, 8), interpolation=cv2.INTER_AREA)
              for i in images]
    return float(np.abs(smooth_scans(np.array(blocks), 28) - images.astype(float)).mean())


def test_coarse_scans_look_like_scikit_learn_digits(mnist):
    """MNIST digits through the 8x8 scan come out as bold and as blocky as
    scikit-learn's: about their share of ink, no finer detail than the blocks hold."""
    from digits.synth import sklearn_digits

    scans, (theirs, _) = coarse_scans(mnist.x_test[:300]), sklearn_digits(300)
    ink = lambda images: float((images > 127).mean())  # noqa: E731
    assert abs(ink(scans) - ink(theirs)) < 0.03 < abs(ink(mnist.x_test[:300]) - ink(theirs))
    assert blockiness(scans) < 1.3 * blockiness(theirs) < 0.5 * blockiness(mnist.x_test[:300])


def test_a_share_of_digits_ends_as_coarse_scans(mnist):
    """With ``scans`` 1 every digit is seen as the block scanner records it, as bold
    as scikit-learn's digits normalised the same way (0.15 of the square inked)
    rather than MNIST's 0.13; with 0 none is, and the draws are as before."""
    batch = mnist.x_train[:64]
    scanned = augment_batch(batch, np.random.default_rng(0), scans=1.0)
    plain = augment_batch(batch, np.random.default_rng(0), scans=0.0)
    assert np.array_equal(plain, augment_batch(batch, np.random.default_rng(0)))
    ink = (scanned > 127).mean(axis=(1, 2))
    assert 0.14 < ink.mean() < 0.19 and (plain > 127).mean() < 0.135
    assert (ink >= 0.04).all()  # no digit faded away
