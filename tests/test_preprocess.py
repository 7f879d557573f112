"""The one preprocessing, on inputs like the ones users really send."""

import cv2
import numpy as np
import pytest

from digits.preprocess import (
    STROKE_WIDTH,
    digit_from_ink,
    find_ink,
    stroke_width,
    to_model_input,
)
from digits.synth import ink_on_paper, mouse_drawing, paper_photo


def _correlation(a, b):
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def _centre_of_mass(image):
    rows, cols = np.indices(image.shape)
    return (rows * image).sum() / image.sum(), (cols * image).sum() / image.sum()


def test_white_canvas_gives_no_digit():
    """An untouched opaque canvas is blank, not a guess."""
    assert to_model_input(np.full((400, 600, 4), 255, np.uint8)).blank


def test_transparent_canvas_gives_no_digit():
    """An untouched transparent canvas is blank."""
    assert to_model_input(np.zeros((300, 300, 4), np.uint8)).blank


def test_photo_of_blank_paper_gives_no_digit(rng):
    """Tinted, unevenly lit, noisy JPEG paper with nothing written is blank."""
    page = ink_on_paper(np.zeros((480, 640), np.float32), rng)
    assert to_model_input(page).blank


def test_blank_paper_in_any_light_gives_no_digit(rng):
    """Paper with nothing written stays blank however it is tinted, lit and photographed,
    though a page whose ink is all faint is thresholded lower (a light pencil)."""
    pages = [ink_on_paper(np.zeros((240, 320), np.float32), rng) for _ in range(30)]
    assert [i for i, page in enumerate(pages) if not to_model_input(page).blank] == []


def test_a_lone_speck_is_not_a_digit():
    """A single dot of a few pixels is not read as a digit."""
    canvas = np.full((400, 400, 3), 255, np.uint8)
    cv2.circle(canvas, (200, 200), 1, (0, 0, 0), -1)
    assert to_model_input(canvas).blank


def test_close_up_of_a_thick_zero_keeps_its_polarity(recognizer):
    """A 0 photographed close with a felt tip: the ring is most of the picture near it,
    and the paper in its hole must not be taken for light ink on a dark board."""
    photo = np.full((356, 356, 3), (200, 215, 205), np.uint8)
    cv2.ellipse(photo, (178, 178), (70, 110), 30, 0, 360, (60, 60, 60), 55)
    assert recognizer.predict(cv2.GaussianBlur(photo, (0, 0), 3)).digit == 0


def test_ink_of_only_one_and_two_pixel_dots_is_no_digit():
    """What a cut through touching digits may leave on one side: a few stray pixels."""
    mask = np.zeros((40, 30), bool)
    mask[5, 5] = mask[20, 10:12] = mask[30, 25] = True
    assert digit_from_ink(mask.astype(np.float32), mask) is None


def test_mnist_digit_comes_back_nearly_unchanged(mnist):
    """An MNIST test digit is already normalised: the output stays close to it."""
    scores = [_correlation(to_model_input(d).image, d / 255.0) for d in mnist.x_test[:200]]
    assert np.median(scores) > 0.9


def test_output_is_a_centred_28x28_float_image(mnist, rng):
    """Every input becomes (28, 28) float32 in [0, 1] with its mass in the middle."""
    for digit in mnist.x_test[:20]:
        out = to_model_input(paper_photo(digit, rng)).image
        assert out.shape == (28, 28) and out.dtype == np.float32
        assert 0.0 <= out.min() and out.max() <= 1.0
        cy, cx = _centre_of_mass(out)
        assert abs(cy - 13.5) < 1.0 and abs(cx - 13.5) < 1.0


def test_thin_mouse_stroke_on_big_canvas_looks_like_pen(mnist, rng):
    """A 3-px line on a 1000x800 canvas comes out as thick as MNIST's strokes."""
    canvas = mouse_drawing(mnist.x_test[0], rng, canvas=(800, 1000), stroke=3)
    out = to_model_input(canvas).image
    width = stroke_width(out > 0.5) * 20 / 28
    assert 0.6 * STROKE_WIDTH < width < 1.8 * STROKE_WIDTH
    assert _correlation(out, to_model_input(mnist.x_test[0]).image) > 0.6


def test_felt_pen_stroke_is_thinned(mnist, rng):
    """A very fat marker stroke is brought back towards MNIST's width.

    A 70-px marker on a 400-px canvas is ~1.8x MNIST's width when only scaled.
    """
    canvas = mouse_drawing(mnist.x_test[1], rng, canvas=(400, 400), stroke=70)
    out = to_model_input(canvas).image
    assert stroke_width(out > 0.5) * 20 / 28 < 1.4 * STROKE_WIDTH


def test_light_ink_on_dark_board_equals_dark_ink_on_paper(mnist):
    """Polarity does not matter: an inverted image gives the same input."""
    digit = cv2.resize(mnist.x_test[3], (140, 140), interpolation=cv2.INTER_CUBIC)
    on_paper = to_model_input(255 - digit).image
    on_board = to_model_input(digit).image
    assert np.abs(on_paper - on_board).max() < 0.01


def test_transparent_canvas_strokes_equal_white_canvas_strokes(mnist, rng):
    """Black strokes on a transparent canvas read like on an opaque white one."""
    opaque = mouse_drawing(mnist.x_test[4], np.random.default_rng(7), transparent=False)
    clear = mouse_drawing(mnist.x_test[4], np.random.default_rng(7), transparent=True)
    assert np.abs(to_model_input(opaque).image - to_model_input(clear).image).max() < 0.05


def test_box_locates_the_ink_in_input_pixels():
    """The reported box surrounds the drawn stroke in the caller's coordinates."""
    canvas = np.full((500, 700, 3), 255, np.uint8)
    cv2.line(canvas, (300, 100), (320, 400), (0, 0, 0), 8)
    x, y, w, h = to_model_input(canvas).box
    assert 290 <= x <= 300 and 90 <= y <= 100 and 20 <= w <= 40 and 300 <= h <= 320


def test_large_phone_photo_is_handled(mnist, rng):
    """A 12-megapixel photo is read (downscaled first) without error."""
    ink = cv2.resize(mnist.x_test[7], (1800, 1800), interpolation=cv2.INTER_CUBIC) / 255.0
    page = np.zeros((3000, 4000), np.float32)
    page[600:2400, 1100:2900] = ink
    out = to_model_input(ink_on_paper(page, rng))
    assert not out.blank and out.box[2] > 500


@pytest.mark.parametrize("colour", [(25, 40, 140), (150, 20, 20), (30, 90, 40)])
def test_coloured_ink_on_tinted_paper_is_found(mnist, rng, colour):
    """Blue, red and green pens on tinted paper all yield the digit."""
    ink = cv2.resize(mnist.x_test[2], (200, 200), interpolation=cv2.INTER_CUBIC) / 255.0
    photo = ink_on_paper(np.pad(ink, 50).astype(np.float32), rng, colour=colour)
    found = find_ink(photo)
    assert found.mask.sum() > 500
    assert _correlation(to_model_input(photo).image, to_model_input(mnist.x_test[2]).image) > 0.8


def test_shipped_model_reads_realistic_inputs(mnist, recognizer, rng):
    """On mouse drawings and paper photos of unseen test digits, the model is right >= 95 %."""
    idx = rng.choice(len(mnist.x_test), 200, replace=False)
    images = [mouse_drawing(mnist.x_test[i], rng) for i in idx[:100]]
    images += [paper_photo(mnist.x_test[i], rng) for i in idx[100:]]
    predictions = recognizer.predict_many(images)
    accuracy = np.mean([p.digit == mnist.y_test[i] for p, i in zip(predictions, idx)])
    assert accuracy >= 0.95


def test_saliency_skips_only_windows_that_change_nothing(mnist, recognizer):
    """The occlusion map equals hiding every window in turn (empty ones drop nothing),
    and it is brightest on the ink."""
    x = to_model_input(mnist.x_test[0]).image  # a 7
    heat = recognizer.saliency(x, 7, patch=8, stride=4)
    base = recognizer.probabilities(x[None])[0, 7]
    full, counts = np.zeros((28, 28)), np.zeros((28, 28))
    for y in range(0, 21, 4):
        for x0 in range(0, 21, 4):
            hidden = x.copy()
            hidden[y : y + 8, x0 : x0 + 8] = 0.0
            drop = base - recognizer.probabilities(hidden[None])[0, 7]
            full[y : y + 8, x0 : x0 + 8] += max(drop, 0.0)
            counts[y : y + 8, x0 : x0 + 8] += 1
    full /= counts
    assert np.allclose(heat, full / full.max(), atol=1e-4)
    assert heat[x > 0.5].mean() > 3 * heat[x == 0].mean()
