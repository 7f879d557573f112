"""Reading whole numbers from photographed pages (issue 4).

Pages are written with MNIST **test** digits that the shipped model reads
confidently on their own, so a failure here is the reader's, not the model's.
"""

import copy
import json
import subprocess
import sys
from dataclasses import replace

import cv2
import numpy as np
import pytest

from digits.bench.sets import number_pages
from digits.preprocess import _table_as_paper
from digits.reader import PageReading, ReaderConfig, ReaderError, read_page, read_part
from digits.synth import (
    TABLES,
    check_form,
    in_pencil,
    in_shadow,
    ink_on_paper,
    mouse_drawing,
    number_page,
    on_a_table,
    paper_photo,
    sklearn_digits,
    turned_photo,
)

POOL_SIZE = 250  # first MNIST test digits considered for the pool


@pytest.fixture(scope="module")
def pool(mnist, recognizer):
    """(images, labels) of test digits read right and surely: alone, and written on paper
    small with a ballpoint and big with a felt pen."""
    images, labels = mnist.x_test[:POOL_SIZE], mnist.y_test[:POOL_SIZE]
    rng = np.random.default_rng(0)
    readings = [recognizer.predict_many(list(images))]
    for size, pen in ((28, 2), (64, None)):
        pages = [number_page(rng, [[str(d)]], images[i : i + 1], labels[i : i + 1],
                             digit_px=size, pen=pen)[0] for i, d in enumerate(labels)]
        readings.append(recognizer.predict_many(pages))
    keep = [i for i, d in enumerate(labels)
            if all(r[i].digit == d and r[i].confidence > 0.9 for r in readings)]
    return images[keep], labels[keep]


def write(rng, pool, lines, **options):
    """A photographed page with ``lines`` of numbers, and the text it holds."""
    return number_page(rng, lines, *pool, **options)


def misread(pages, recognizer):
    """[(expected, read)] for the pages read wrongly."""
    return [(text, read_page(image, recognizer).text) for image, text in pages
            if read_page(image, recognizer).text != text]


CHECKS = [
    ("407", dict(digit_px=28)),
    ("5913", dict(digit_px=40, pen=2)),
    ("26085", dict(digit_px=64, pen=None)),
    ("318274", dict(digit_px=90, pen=6)),
    ("7150", dict(colour=(150, 20, 20))),
    ("68391", dict(colour=(30, 90, 40), ruled=True)),
    ("2204", dict(ruled=True, frame=True)),
    ("95176", dict(frame=True, tilt=1.5)),
]


# Misreads of the current model and reader on the fixed draws below (the draws depend
# on the pool, which the model picks): the other pages must be read exactly;
# test_known_misreads fails (strict xfail) once these are read too. The previous
# model misread the same two broken-digit pages on these draws.
KNOWN_MISREADS = {
    # The models shipped before misread other pages of these draws (a C-shaped 0, a 4 in
    # two strokes, broken felt-tip digits, a curled 7, a 5 read as 8 on a turned page;
    # see git history); the model of 2026-11-22 20:42 reads those right.
    ("407", "467"): "a small 0 left open at the top right, read as an unsure 6 (0.58)",
    ("8841", "88 1"): "a felt-tip 4 broken into three pieces that join nothing, left out; "
                      "the gap it leaves ends the number",
}


def unexpected(pages, recognizer):
    """The pages read wrongly, less the known misreads."""
    return [wrong for wrong in misread(pages, recognizer) if wrong not in KNOWN_MISREADS]


def check_pages(rng, pool):
    return [write(rng, pool, [[number]], **options) for number, options in CHECKS]


def test_check_amounts_are_read_exactly(rng, pool, recognizer):
    """3 to 6 digit amounts in any size, pen, ink colour, on plain, ruled or boxed paper."""
    assert unexpected(check_pages(rng, pool), recognizer) == []


def test_many_generated_amounts_are_read(rng, pool, recognizer):
    """At least 23 of 25 random 3-6 digit amounts on random paper are read exactly."""
    pages = []
    for _ in range(25):
        number = "".join(str(d) for d in rng.integers(0, 10, rng.integers(3, 7)))
        pages.append(write(rng, pool, [[number]], ruled=rng.random() < 0.4,
                           frame=rng.random() < 0.2))
    assert len(misread(pages, recognizer)) <= 2


@pytest.mark.parametrize("edge", [0.3, 0.5])
def test_page_half_in_a_shadow_is_read(rng, pool, recognizer, edge):
    """Light paper that a shadow makes darker overall than half is still light paper,
    and the shadow's edge is no ink."""
    pages = [(in_shadow(image, edge), text) for image, text in check_pages(rng, pool)]
    assert unexpected(pages, recognizer) == []


@pytest.mark.parametrize("degrees", [0, -7])
def test_sheet_photographed_lying_on_a_table_is_read(rng, pool, recognizer, degrees):
    """A check or note photographed on a darker table: the table is no paper, and the
    sheet no mark (the reader before read these pages as "" or "1")."""
    pages = [(on_a_table(image, rng, degrees, colour), text)
             for (image, text), colour in zip(check_pages(rng, pool)[:5], TABLES)]
    assert unexpected(pages, recognizer) == []


@pytest.mark.parametrize("pen", [2, None])
def test_numbers_on_squared_paper_are_read(rng, pool, recognizer, pen):
    """Squared paper: a faint grid about a digit tall, whose lines cross the digits and
    run along their strokes. The grid is no digits, and the digits keep their strokes."""
    pages = [write(rng, pool, [[number]], squared=True, digit_px=size, pen=pen, tilt=0)
             for number, size in (("5072", 36), ("31846", 52), ("927", 80))]
    assert unexpected(pages, recognizer) == []


def test_number_in_light_pencil_is_read(rng, pool, recognizer):
    """A light grey pencil, grainy, on tinted paper: its darkest ink is little above
    the fixed contrast floor, which left only specks ("946" read as ""). On a page
    whose ink is all faint the floor comes down."""
    pages = [(in_pencil(image, rng, 0.6), text) for image, text in
             (write(rng, pool, [[number]], colour=(110, 110, 115), digit_px=size, tilt=0)
              for number, size in (("946", 60), ("8305", 44), ("2715", 80)))]
    assert unexpected(pages, recognizer) == []


def test_single_digit_photographed_on_a_table_is_read(rng, pool, recognizer):
    """The one preprocessing takes the table away for a lone digit too."""
    images, labels = pool
    photos = [on_a_table(paper_photo(image, rng), rng, 6.0, colour)
              for image, colour in zip(images[:10], TABLES * 2)]
    assert [p.digit for p in recognizer.predict_many(photos)] == labels[:10].tolist()


@pytest.mark.parametrize("digit_px, pen", [(48, 2), (90, None)])
def test_shadow_over_written_digits_is_not_taken_for_a_table(rng, pool, digit_px, pen):
    """A sharp shadow leaves a light part as convex as a sheet on a table; the digits
    written in the shadow, thin or bold, say it is paper, and nothing is painted over."""
    image, _ = write(rng, pool, [["508317"]], digit_px=digit_px, pen=pen)
    shaded = in_shadow(image, 0.5, dark=0.4, soft=0.01)
    assert _table_as_paper(shaded) is shaded


def test_shadow_over_blurry_bold_digits_is_not_taken_for_a_table():
    """scikit-learn's digits, blurry and bold, under a shadow: too wide to stand out
    from their neighbourhood, they are still far darker than the shadow (the rule
    that looked at the neighbourhood alone painted over 3 of these 12 pages)."""
    digits, labels = sklearn_digits()
    for seed in range(12):
        rng = np.random.default_rng(seed)
        image, _ = number_page(rng, [["5883"]], digits, labels,
                               digit_px=int(rng.integers(30, 60)), pen=None)
        shaded = in_shadow(image, 0.55, dark=0.4, soft=0.03)
        assert _table_as_paper(shaded) is shaded, seed


@pytest.mark.parametrize("degrees", [-8, 5])
def test_tilted_photo_of_ruled_or_boxed_paper_is_read(rng, pool, recognizer, degrees):
    """Rules and box edges that are not level are still found and left out."""
    pages = [(turned_photo(image, degrees)[0], text) for image, text in check_pages(rng, pool)]
    assert unexpected(pages, recognizer) == []


def test_boxes_of_a_tilted_photo_are_on_its_digits(rng, pool, recognizer):
    """The page is read levelled; each digit's box comes back around the digit in the
    photo as it was taken."""
    image, text, boxes = write(rng, pool, [["52947"]], ruled=True, frame=True, tilt=0,
                               with_boxes=True)
    photo, matrix = turned_photo(image, 7)
    reading = read_page(photo, recognizer)
    assert reading.text == text
    centres = np.array([(x + w / 2, y + h / 2) for x, y, w, h in boxes])
    expected = cv2.transform(centres[None], matrix)[0]
    got = np.array([(x + w / 2, y + h / 2) for x, y, w, h in (d.box for d in reading.digits)])
    assert np.abs(got - expected).max() < 0.15 * np.median([h for *_, h in boxes])


def two_line_pages(rng, pool):
    return [write(rng, pool, [["1250", "34"], ["907"]], digit_px=50, tilt=0)]


def test_two_lines_read_top_to_bottom_with_numbers_apart(rng, pool, recognizer):
    """Lines come top to bottom, numbers left to right, one space between numbers and lines."""
    [(image, text)] = two_line_pages(rng, pool)
    reading = read_page(image, recognizer)
    assert unexpected([(image, text)], recognizer) == []  # read right, or a known misread
    assert reading.lines == ["1250 34", reading.text.split()[2]]
    assert [d.line for d in reading.digits] == [0] * 6 + [1] * 3
    assert [d.number for d in reading.digits] == [0] * 4 + [1] * 2 + [2] * 3


def joined_digits(rng, pool, digits, gaps, joins, width, colour):
    """A photo of ``digits`` 60 px tall, ``gaps`` px apart, each digit whose index is in
    ``joins`` tied to the next by a 4 px pen stroke (nearest ink to nearest ink)."""
    images, labels = pool
    ink = np.zeros((120, width), np.float32)
    inked = []  # (N, 2) y, x of each digit's ink
    x = 30
    for d, gap in zip(digits, gaps):
        patch = images[np.flatnonzero(labels == d)[0]]
        ys, xs = np.nonzero(patch > 30)
        crop = patch[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32) / 255
        crop = cv2.resize(crop, (round(crop.shape[1] * 60 / crop.shape[0]), 60))
        np.maximum(ink[30:90, x : x + crop.shape[1]], crop, out=ink[30:90, x : x + crop.shape[1]])
        inked.append(np.argwhere(crop > 0.5) + (30, x))
        x += crop.shape[1] + gap
    for k in joins:
        a, b = inked[k], inked[k + 1]
        (y0, x0), (y1, x1) = a[a[:, 1].argmax()], b[b[:, 1].argmin()]
        cv2.line(ink, (int(x0), int(y0)), (int(x1), int(y1)), 1.0, 4)
    return ink_on_paper(ink, rng, colour)


@pytest.fixture
def touching_pair(rng, pool):
    """"4" and "5" joined by a pen stroke, between "8" and "2": the page reads "8452"."""
    return joined_digits(rng, pool, (8, 4, 5, 2), (25, 15, 25, 0), [1], 360, (20, 30, 90))


def test_touching_digits_are_cut_apart(touching_pair, recognizer):
    """Two digits joined by a stroke are read as two digits."""
    assert read_page(touching_pair, recognizer).text == "8452"


def mouse_number(rng, pool, text: str, overlap: int) -> np.ndarray:
    """``text`` drawn with a mouse on a wide RGBA canvas, each digit 150 px tall;
    the first two digits overlap by ``overlap`` px (touching at their closest)."""
    images, labels = pool
    canvas = np.full((260, 150 * len(text) + 100, 4), 255, np.uint8)
    x = 40
    for k, char in enumerate(text):
        digit = images[rng.choice(np.flatnonzero(labels == int(char)))]
        drawing = mouse_drawing(digit, rng, canvas=(300, 300), stroke=12)
        ys, xs = np.nonzero(drawing[..., 0] < 128)
        crop = drawing[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        crop = cv2.resize(crop, (max(1, round(crop.shape[1] * 150 / crop.shape[0])), 150))
        canvas[50:200, x : x + crop.shape[1]] = np.minimum(
            canvas[50:200, x : x + crop.shape[1]], crop)
        x += crop.shape[1] + (-overlap if k == 0 else 35)
    return canvas


def test_touching_digits_drawn_with_a_mouse_are_cut_apart(rng, pool, recognizer):
    """On the Draw page's wide canvas, two digits drawn into each other read as two."""
    numbers = ["".join(str(d) for d in rng.integers(0, 10, 3)) for _ in range(8)]
    read = [read_page(mouse_number(rng, pool, text, overlap=6), recognizer).text
            for text in numbers]
    assert sum(r == t for r, t in zip(read, numbers)) >= 7, list(zip(numbers, read))


@pytest.fixture
def three_touching(rng, pool):
    """"3", "6" and "2" each joined to the next by a pen stroke, between "4" and "5"."""
    return joined_digits(rng, pool, (4, 3, 6, 2, 5), (25, 8, 8, 25, 0), [1, 2], 460,
                         (20, 20, 20))


def test_three_touching_digits_are_cut_into_three(three_touching, recognizer):
    """A blob three digits wide is cut twice: a half still as wide as a pair is cut again."""
    assert read_page(three_touching, recognizer).text == "43625"


def test_squeezed_pairs_are_mostly_read_as_two_digits(rng, pool, recognizer):
    """At least 110 of 144 amounts whose first two digits touch are read exactly."""
    pages = []
    for _ in range(144):
        number = "".join(str(d) for d in rng.integers(0, 10, rng.integers(3, 7)))
        pages.append(write(rng, pool, [[number]], touching=True))
    # The draw decides much of this: one digit more or less in the pool (which the model
    # picks) shifts every page after it, and 72 pages misread from 6 to 16 on the pools and
    # seeds tried. On 144 pages of the shipped model's pool, seeds 1234, 1 and 2: 29, 18
    # and 20 misread; without the pair digit network (ReaderConfig.pair_reading = 0) 49,
    # 39 and 44, which this bound catches.
    assert len(misread(pages, recognizer)) <= 34


def test_touching_pair_that_is_no_digit_whole_is_cut_not_dropped(mnist, recognizer):
    """Two touching digits look like no digit at all read whole: where the split model
    would not cut them, they are cut rather than dropped as a symbol."""
    pages = number_pages(mnist.x_test, mnist.y_test, 106, seed=5000)
    pairs = [pages[5], pages[105]]  # scikit-learn digits: "14" and "28" touch
    assert [text for _, text in pairs] == ["143", "286"]
    # Both pairs are cut into two digits. The shipped model reads the blunt 1 of "14",
    # once cut, as an 8 (the model before read it right): the pair is still two digits.
    def cut_and_read(config=ReaderConfig()):
        first, second = (read_page(image, recognizer, config).text for image, _ in pairs)
        return second == "286" and len(first) == 3 and first.endswith("43")

    assert cut_and_read()
    # A split model that hesitates over every cut, with the no-digit rule and without it.
    hesitant = ReaderConfig(split_odds=20.0)
    strict = replace(hesitant, no_digit_split_odds=20.0)
    assert cut_and_read(hesitant)
    # Without the rule each pair stays whole: "28" is left out as no digit, and "14",
    # which the digit model is sure is a 4 (ReaderConfig.sure_digit), is read as one.
    assert [read_page(image, recognizer, strict).text for image, _ in pairs] == ["43", "6"]


@pytest.fixture
def faint_broken_box(rng, pool):
    """A photographed number beside the thin sides of a box that came out in pieces."""
    image, _ = write(rng, pool, [["5083"]], digit_px=48, pen=5, tilt=0)
    image = image.copy()
    h, w = image.shape[:2]
    for x in (8, w - 8):
        for y0 in range(4, h - 40, 50):  # 1-px pieces of a skipping line, each a digit tall
            image[y0 : y0 + 40, x] = (70, 70, 90)
    return image


def test_thin_box_sides_are_not_read_as_ones(faint_broken_box, recognizer):
    """Pieces of a thin printed line beside the number are not "1"s: the pen is thicker."""
    assert read_page(faint_broken_box, recognizer).text == "5083"


def test_slivers_of_a_faint_rule_do_not_join_the_digits_above(rng, pool, recognizer):
    """A faint rule comes out as 1 px dashes, too broken to be found as a line. Taken
    for fragments of the digits resting on them, they stretched the digits' boxes, and
    a 0 with a dash under it read as a sign and was lost from "490". Thinner than the
    page's pen, the dashes join no digit."""
    image, text = write(rng, pool, [["4903"]], digit_px=40, pen=5, tilt=0)
    image = image.copy()
    dashes = []
    for digit in read_page(image, recognizer).digits:
        x, y, w, h = digit.box
        image[y + h + 2, x + 2 : x + w - 2] = (80, 80, 110)
        dashes.append(y + h + 2)

    def bottoms(config):
        reading = read_page(image, recognizer, config)
        assert reading.text == text
        return [y + h for _, y, _, h in (digit.box for digit in reading.digits)]

    assert all(bottom <= dash for bottom, dash in zip(bottoms(ReaderConfig()), dashes))
    assert all(bottom > dash for bottom, dash in zip(bottoms(ReaderConfig(residue=0)), dashes))


def broken_pages(rng, pool):
    return [write(rng, pool, [[number]], broken=True, digit_px=56)
            for number in ("5713", "7264", "4091")]


def test_digit_in_two_strokes_is_one_digit(rng, pool, recognizer):
    """A digit whose stroke broke in two (a skipping pen) is read once, whole."""
    assert unexpected(broken_pages(rng, pool), recognizer) == []


def test_lone_digit_in_two_strokes_is_one_digit_not_two_lines(rng, pool, recognizer):
    """A one-digit number broken across: its halves alone set the usual height, so
    they looked like two lines ("3" read "2 4"); they almost touch and are one digit."""
    pages = [write(rng, pool, [[digit]], broken=True, digit_px=56) for digit in "2358"]
    assert [read_page(image, recognizer).text for image, _ in pages] == list("2358")


def test_digits_in_pieces_do_not_keep_a_loop_from_its_stem(recognizer):
    """Pieces pull the usual digit height down: a 7 in two strokes and a 9 whose stem
    skipped below its loop made it 38 px among 57 px digits, so low that the loop and
    the stem looked like two lines ("780 1"). Once the 7 is joined the height is
    measured again, and the 9 is one digit."""
    page = np.full((200, 340), 255, np.uint8)
    ink = dict(color=0, thickness=4, lineType=cv2.LINE_AA)
    cv2.line(page, (117, 76), (135, 76), **ink)  # a 7's bar...
    cv2.line(page, (135, 76), (133, 91), **ink)
    cv2.line(page, (132, 97), (121, 130), **ink)  # ... and its stem, a pen skip apart
    cv2.ellipse(page, (162, 84), (13, 11), 0, 0, 360, **ink)  # an 8
    cv2.ellipse(page, (162, 110), (17, 14), 0, 0, 360, **ink)
    cv2.ellipse(page, (206, 83), (14, 10), 0, 0, 360, **ink)  # a 9's loop...
    cv2.line(page, (219, 108), (217, 131), **ink)  # ... and its stem, far below
    reading = read_page(page, recognizer)
    assert len(reading.lines) == 1 and len(reading.digits) == 3
    x, y, w, h = reading.digits[2].box
    assert y <= 72 and y + h >= 130  # from the top of the loop to the foot of the stem
    assert reading.text == "789"


def test_digit_broken_side_by_side_is_one_digit(mnist, recognizer):
    """A 0 whose pen skipped at the top and the bottom leaves two arcs side by side,
    which the geometry cannot tell from two digits; the whole reads as a sure 0."""
    images, labels = mnist.x_test, mnist.y_test
    picks = [np.flatnonzero(labels == 3)[0], np.flatnonzero(labels == 0)[1],
             np.flatnonzero(labels == 6)[0]]
    digits = images[picks].copy()
    cols = np.flatnonzero(digits[1].max(axis=0) > 30)
    middle = (cols[0] + cols[-1]) // 2
    digits[1][:, middle - 1 : middle + 2] = 0  # the 0 in two arcs
    image, text = number_page(np.random.default_rng(1), [["306"]], digits, labels[picks],
                              digit_px=48, pen=None, tilt=0)
    assert read_page(image, recognizer).text == text == "306"
    # Without joining, the arcs are read as two digits ("3176" by the model shipped before).
    assert len(read_page(image, recognizer, ReaderConfig(join_width=0.0)).text) == 4


def test_digit_the_model_is_sure_of_is_never_left_out_as_a_symbol(rng, pool, recognizer):
    """Even where the symbol network calls every mark no digit, the digits the digit
    model reads at ReaderConfig.sure_digit or above stay, mark by mark. (A run of
    such marks is a word and goes whole: see the printed-words test.)"""
    image, _ = write(rng, pool, [["5083"]], digit_px=48, pen=None, tilt=0)
    reading = read_page(image, recognizer)
    sure = "".join(str(d.digit) for d in reading.digits if d.confidence >= 0.998)
    assert sure  # the pool's digits are read surely
    everything = ReaderConfig(symbol_bar=0.0, unsure_symbol_bar=0.0, word_rules=())
    assert read_page(image, recognizer, replace(everything, word_rules=(
        (2, 0.4),), word_bar=0.0)).text == ""  # all four marks are "letters": a word
    assert read_page(image, recognizer, everything).text.replace(" ", "") == sure
    assert read_page(image, recognizer, replace(everything, sure_digit=1.01)).text == ""


@pytest.mark.xfail(strict=True, reason="; ".join(KNOWN_MISREADS.values()))
def test_known_misreads(rng, pool, recognizer):
    """The pages left out above as known misreads are read right (not yet)."""
    again, third, fourth, *turns = (copy.deepcopy(rng) for _ in range(5))  # each test draws afresh
    pages = (check_pages(rng, pool) + broken_pages(again, pool) + fat_pen_pages(third, pool)
             + two_line_pages(fourth, pool))
    for degrees, draws in zip((-8, 5), turns):  # the tilted-photo test's pages
        pages += [(turned_photo(image, degrees)[0], text)
                  for image, text in check_pages(draws, pool)]
    assert not set(misread(pages, recognizer)) & set(KNOWN_MISREADS)


def test_fat_pen_digit_in_two_pieces_is_one_digit(rng, pool, recognizer):
    """A felt tip's broken digit leaves pieces as thick as they are big (an 8's inked-in
    loop): they are the page's own pen, so they join, and are not dropped as blots."""
    assert unexpected(fat_pen_pages(rng, pool), recognizer) == []


def fat_pen_pages(rng, pool):
    return [write(rng, pool, [[number]], broken=True, digit_px=60, pen=12)
            for number in ("8215", "9372", "8841", "1193", "4108", "2730")]


def test_blank_page_reads_nothing(rng, recognizer):
    """Empty tinted paper is an empty reading, not an error."""
    blank = ink_on_paper(np.zeros((300, 500), np.float32), rng)
    assert read_page(blank, recognizer) == PageReading([], [], "", [])


@pytest.fixture
def dust(rng):
    """A photographed sheet with 100 specks of dust (0.5 to 2.5 px) and nothing else."""
    ink = np.zeros((600, 800), np.float32)
    for y, x, r in zip(rng.integers(0, 600, 100), rng.integers(0, 800, 100),
                       rng.integers(0, 3, 100)):
        cv2.circle(ink, (int(x), int(y)), int(r), float(rng.uniform(0.4, 1.0)), -1)
    return ink_on_paper(ink, rng)


def test_dust_specks_are_not_digits(dust, rng, pool, recognizer):
    """100 specks of dust read as nothing, and do not disturb a number."""
    dusty, text = write(rng, pool, [["60317"]], specks=100, digit_px=50)
    assert read_page(dust, recognizer).text == ""
    assert read_page(dusty, recognizer).text == text == "60317"


def test_page_with_too_many_marks_is_refused(rng, recognizer):
    """100 digit-sized blobs are refused with a message that says what to do."""
    ink = np.zeros((600, 1000), np.float32)
    for y in range(40, 560, 52):
        for x in range(40, 960, 96):
            cv2.circle(ink, (x, y), 16, 1.0, 4)
    with pytest.raises(ReaderError, match="more than 64 marks.*crop it"):
        read_page(ink_on_paper(ink, rng), recognizer)


def test_dots_and_commas_stay_out_of_the_number(rng, pool, recognizer):
    """"1,250.75" reads as one number of digits; the marks are reported as separators."""
    image, text = write(rng, pool, [["1,250.75"]], digit_px=50, pen=4)
    reading = read_page(image, recognizer)
    assert reading.text == text == "125075"
    assert len(reading.separators) == 2
    assert all(s["char"] in ".," and len(s["box"]) == 4 for s in reading.separators)


DOLLAR_AMOUNTS = [
    ("$407", dict(digit_px=40, pen=3)),
    ("$5,913", dict(digit_px=56, pen=None)),
    ("$26.08", dict(digit_px=72, pen=5, colour=(25, 40, 140))),
    ("$3182", dict(digit_px=32, pen=2, ruled=True)),
    ("$715.50", dict(digit_px=48, frame=True)),
]


def test_dollar_sign_is_left_out_of_the_amount(rng, pool, recognizer):
    """A check's "$" is not read as a 5 or an 8: it is reported as a symbol."""
    for amount, options in DOLLAR_AMOUNTS:
        image, text = write(rng, pool, [[amount]], **options)
        reading = read_page(image, recognizer)
        assert reading.text == text, amount
        assert len(reading.symbols) == 1, amount
        x, _, w, _ = reading.symbols[0]["box"]
        assert x + w <= reading.digits[0].box[0] + 2  # the sign before the first digit


def test_narrow_pair_taken_for_a_symbol_is_cut_when_surely_two(mnist, recognizer):
    """A squeezed "54" in a blunt pen is narrower than two digits and the symbol
    network calls it no digit; the pair network and the split model are sure it is
    two, so it is cut and read, not left out as a sign."""
    image, text = number_pages(mnist.x_test, mnist.y_test, 582, seed=7000)[581]
    assert text == "5490"
    assert read_page(image, recognizer).text == text
    rule_off = ReaderConfig(narrow_pair_odds=np.inf)
    assert read_page(image, recognizer, rule_off).text == "90"


def test_dollar_read_as_an_unsure_digit_is_left_out(mnist, recognizer):
    """A "$" the symbol network is only 95 % sure of, and the digit model reads as an
    unsure 8, is left out; without the rule it would lead the amount as an 8."""
    image, text = number_pages(mnist.x_test, mnist.y_test, 2, seed=107, prefix="$")[1]
    assert text == "634826"
    assert read_page(image, recognizer).text == text
    rule_off = ReaderConfig(unsure_symbol_bar=ReaderConfig().symbol_bar)
    assert read_page(image, recognizer, rule_off).text == "8" + text


def test_wide_dollar_that_is_not_two_digits_is_left_out(mnist, recognizer):
    """A "$" as wide as a digit is tall: the symbol network says no digit and the pair
    network says not two digits either, so it is left out whole; cut, it led the amount
    as two digits ("95" by the deep network alone, "58" by the ensemble)."""
    image, text = number_pages(mnist.x_test, mnist.y_test, 115, seed=107, prefix="$")[114]
    assert text == "6236"
    assert read_page(image, recognizer).text == text
    rule_off = read_page(image, recognizer, ReaderConfig(no_digit_pair_odds=-np.inf)).text
    assert len(rule_off) == len(text) + 2 and rule_off.endswith(text)


def test_symbol_between_digits_ends_the_number(rng, pool, recognizer):
    """Digits on either side of a symbol are two numbers, however close."""
    image, _ = write(rng, pool, [["25$40"]], digit_px=48, pen=4)
    reading = read_page(image, recognizer)
    assert reading.text == "25 40" and len(reading.symbols) == 1


def test_zero_the_symbol_network_takes_for_the_letter_o_stays_in_the_number(
        rng, pool, recognizer, monkeypatch):
    """A scanned 0 can look like a printed O to the symbol network ("142800" was read
    "1428 0"); beside a digit it is a 0 (ReaderConfig.zero_beside). Here the symbol
    network is made to call every mark read as a 0 a letter."""
    import digits.reader

    def zeros_are_letters(pieces):
        return np.array([0.99 * (f.probabilities.argmax() == 0) for f in pieces])

    monkeypatch.setattr(digits.reader, "_not_digit_probability", zeros_are_letters)
    image, text = write(rng, pool, [["3052"]], digit_px=48, pen=4, tilt=0)
    asked = ReaderConfig(sure_digit=1.01)  # however sure the digit model is of the 0
    assert read_page(image, recognizer, asked).text == text == "3052"
    assert read_page(image, recognizer, replace(asked, zero_beside=0)).text == "3 52"
    alone, _ = write(rng, pool, [["0"]], digit_px=48, pen=4, tilt=0)
    assert read_page(alone, recognizer, asked).text == ""  # no digit beside it


def test_big_photo_boxes_are_in_original_pixels(rng, pool, recognizer):
    """A 12-megapixel photo is read like its small copy, with boxes in its own pixels."""
    small, text = write(rng, pool, [["3804"]], digit_px=60, tilt=0)
    factor = 3000 / small.shape[0]
    big = cv2.resize(small, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    assert big.shape[0] * big.shape[1] >= 12e6
    near, far = read_page(small, recognizer), read_page(big, recognizer)
    assert far.text == near.text == text
    for a, b in zip(near.digits, far.digits):
        assert np.allclose(np.array(a.box) * factor, b.box, atol=0.1 * factor * a.box[3])


def test_printed_words_the_symbol_network_half_catches_are_left_out_whole(rng, pool,
                                                                          recognizer):
    """On a whole check, the symbol network calls some of the bank name's letters no
    digit and the digit model reads the rest (I, S, T, B) as digits; the name is a
    word all the same (ReaderConfig.word_rules; print_rules would catch it too) and
    none of it is read. The amount, after its "$", stays."""
    image, text, (_, _, _, h) = check_form(rng, "$3804", *pool, digit_px=40, pen=3)
    top = 60 * h / 70  # px: check_form prints the bank's name above this (form units)

    def name_digits(reading):
        return [d for d in reading.digits if d.box[1] + d.box[3] / 2 < top]

    words_left_out = read_page(image, recognizer)
    as_digits = read_page(image, recognizer, ReaderConfig(word_rules=(), print_rules=()))
    assert len(name_digits(as_digits)) >= 8  # "FIRST NATIONAL BANK" without the rules
    assert name_digits(words_left_out) == []
    assert text in words_left_out.text.split()


def test_amount_box_of_a_whole_check_is_read_without_the_printed_words(rng, pool, recognizer):
    """Read whole, a check gives its amount alone: its smaller printed words ("DOLLARS")
    are words by the letters the symbol network finds likelier than digits (at
    ReaderConfig.word_bar), touching letters cut apart included; counting only the
    letters it is sure of (and without the printed-line rule, which finds the few sure
    ones enough), they came out as digits. Its amount box, read as a part,
    gives the amount too, with boxes in the whole check's pixels."""
    image, text, (x, y, w, h) = check_form(rng, "$3804", *pool, digit_px=40, pen=3)
    assert read_page(image, recognizer).text == text
    sure_letters = read_page(image, recognizer, ReaderConfig(word_bar=0.97, print_rules=()))
    assert len(sure_letters.text.replace(" ", "")) > len(text)
    m = h // 4  # the part as a person would pick it: the box and a margin around it
    part = (x - m, y - m, w + 2 * m, h + 2 * m)
    reading = read_part(image, part, recognizer)
    alone = read_page(image[y - m : y + h + m, x - m : x + w + m], recognizer)
    assert reading.text == alone.text == text and len(reading.symbols) == 1  # the "$"
    for a, b in zip(reading.digits, alone.digits):
        assert a.box == (b.box[0] + x - m, b.box[1] + y - m, b.box[2], b.box[3])
        assert x <= a.box[0] and a.box[0] + a.box[2] <= x + w  # inside the amount box


def test_small_print_under_a_big_amount_is_not_read(mnist, recognizer, monkeypatch):
    """A check whose amount is written big, in a font no network here saw: the printed
    words are too short for digits, all but their round letters (the O of "DOLLARS",
    as tall as the cut-off). Those stand beside letters left out as too short, so
    they are small print too, and the amount alone is read."""
    import digits.reader

    image, text, _ = check_form(np.random.default_rng(0), "$3804", mnist.x_test[:2000],
                                mnist.y_test[:2000], font=None, digit_px=90, pen=None)
    assert read_page(image, recognizer).text == text
    monkeypatch.setattr(digits.reader, "_in_small_print", lambda mark, short: False)
    assert read_page(image, recognizer).text.replace(" ", "") != text  # the Os as 0s


def test_a_printed_line_is_left_out_whole(mnist, recognizer):
    """A check printed in a font no network here saw: in "PAY TO THE" the symbol network
    takes only a letter or two for letters, and "TO" is too short a run for the word
    rule. Printed capitals are one height to the pixel, so the line goes whole
    (ReaderConfig.print_rules); without that rule its letters are read as digits."""
    image, text, _ = check_form(np.random.default_rng(5), "$3804", mnist.x_test[:2000],
                                mnist.y_test[:2000], font=None, digit_px=40, pen=None)
    assert read_page(image, recognizer).text == text
    unprinted = read_page(image, recognizer, ReaderConfig(print_rules=()))
    assert unprinted.text.replace(" ", "") != text
    assert unprinted.text.endswith(text)  # the amount itself is read either way


def test_canvas_with_several_digits_is_read(pool, recognizer):
    """A transparent RGBA canvas with black strokes (the draw page) reads like paper."""
    images, labels = pool
    canvas = np.zeros((200, 600, 4), np.uint8)
    for x, d in zip((60, 185, 310), (2, 0, 9)):  # ink about 0.3 x its height apart
        digit = images[np.flatnonzero(labels == d)[0]]
        big = cv2.resize(digit, (140, 140), interpolation=cv2.INTER_CUBIC)
        region = canvas[30:170, x : x + 140, 3]
        np.maximum(region, big, out=region)
    assert read_page(canvas, recognizer).text == "209"


def test_each_digit_says_how_sure_it_is(rng, pool, recognizer):
    """Digits carry their probabilities, the model input, and a flag when unsure."""
    image, _ = write(rng, pool, [["582"]], digit_px=48)
    sure = read_page(image, recognizer)
    doubtful = read_page(image, recognizer, ReaderConfig(low_confidence=1.01))
    for d in sure.digits:
        assert d.probabilities.shape == (10,) and d.model_input.shape == (28, 28)
        assert d.digit == int(d.probabilities.argmax()) and not d.low_confidence
    assert all(d.low_confidence for d in doubtful.digits)


def test_reading_turns_into_json(rng, pool, recognizer):
    """to_dict() holds text, lines and per-digit digit/confidence/box, all JSON types."""
    image, _ = write(rng, pool, [["64", "19"]], digit_px=48)
    as_dict = json.loads(json.dumps(read_page(image, recognizer).to_dict()))
    assert as_dict["text"] == "64 19" and as_dict["lines"] == ["64 19"]
    assert [set(d) for d in as_dict["digits"]] == [{"digit", "confidence", "box"}] * 4
    assert as_dict["symbols"] == []


@pytest.fixture
def read_files(tmp_path, rng, pool):
    """A page photo, a blank page, a text file named .png and a missing path."""
    page, text = write(rng, pool, [["731", "28"]], digit_px=48)
    cv2.imwrite(str(tmp_path / "check.jpg"), page[..., ::-1])
    cv2.imwrite(str(tmp_path / "blank.png"), np.full((200, 300, 3), 240, np.uint8))
    (tmp_path / "notes.png").write_text("this is not a picture\n")
    return tmp_path


def run_read(*args):
    return subprocess.run([sys.executable, "-m", "digits", "read", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def test_cli_read_prints_one_json_line_per_image(read_files):
    """`python -m digits read` prints path, text, lines and digits for each image; exit 0."""
    result = run_read(read_files / "check.jpg", read_files / "blank.png")
    assert result.returncode == 0, result.stderr
    check, blank = (json.loads(line) for line in result.stdout.splitlines())
    assert set(check) == {"path", "text", "lines", "digits", "symbols"}
    assert check["text"] == "731 28" and check["lines"] == ["731 28"]
    assert all(set(d) == {"digit", "confidence", "box"} for d in check["digits"])
    assert blank["text"] == "" and blank["digits"] == []


def test_cli_reads_part_of_each_image(tmp_path, rng, pool):
    """`read --part LEFT,RIGHT,TOP,BOTTOM` reads a check's amount box alone; a part
    that is no four percentages is refused with a message and exit status 2."""
    image, text, (x, y, w, h) = check_form(rng, "$517", *pool, digit_px=40, pen=3)
    cv2.imwrite(str(tmp_path / "check.png"), image[..., ::-1])
    height, width = image.shape[:2]
    part = [100 * (x - h / 4) / width, 100 * (x + w + h / 4) / width,
            100 * (y - h / 4) / height, 100 * (y + h * 1.25) / height]
    result = run_read(tmp_path / "check.png", "--part", ",".join(f"{v:.1f}" for v in part))
    assert result.returncode == 0, result.stderr
    reading = json.loads(result.stdout)
    assert reading["text"] == text
    assert all(x <= d["box"][0] <= x + w for d in reading["digits"])  # whole-image pixels
    refused = run_read(tmp_path / "check.png", "--part", "70,100,25")
    assert refused.returncode == 2 and "four percentages" in refused.stderr


def test_cli_read_reports_bad_files_and_exits_2(read_files):
    """A file that is not an image, or is missing, gets an error line, not a traceback."""
    result = run_read(read_files / "notes.png", read_files / "missing.png",
                      read_files / "check.jpg")
    assert result.returncode == 2
    notes, missing, check = (json.loads(line) for line in result.stdout.splitlines())
    assert notes["error"] == "This file is not an image (it looks like text)."
    assert "Cannot open" in missing["error"]
    assert check["text"] == "731 28"
    assert "Traceback" not in result.stderr


def test_split_model_can_be_refitted(pool, recognizer):
    """``python -m digits.splitfit``'s steps: pages, cut features, a fit that tells pairs apart."""
    from digits import splitfit
    from digits.reader import SPLIT_FEATURES

    features, pairs = splitfit.samples(splitfit.pages(*pool, 12, seed=5), recognizer)
    assert features.shape == (len(pairs), len(SPLIT_FEATURES))
    assert 0 < pairs.sum() < len(pairs)
    weights, bias = splitfit.fit(features, pairs)
    assert weights.shape == (len(SPLIT_FEATURES),) and np.isfinite(bias)
    fitted = features @ weights + bias
    assert fitted[pairs].mean() > fitted[~pairs].mean()  # pairs look likelier to be pairs
