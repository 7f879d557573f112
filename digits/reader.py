"""Read whole numbers from a photo or scan: every digit on the page, in reading order.

The page goes through the same preprocessing as a single digit
(:func:`digits.preprocess.find_ink` once, :func:`digits.preprocess.digit_from_ink`
per digit) and the same model, in one batch. In between, :mod:`digits.segment`
removes ruled lines, joins broken digits and proposes cuts through touching
ones; the model's confidence decides which cut, if any, to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from digits.decode import ImageError
from digits.pairs import pair_digits, pair_input, pair_probability
from digits.predict import LOW_CONFIDENCE, Recognizer, active_recognizer
from digits.preprocess import digit_from_ink, find_ink, stroke_width
from digits.segment import (
    Mark,
    cuts,
    find_marks,
    group_lines,
    merge_fragments,
    remove_rules,
    tilt,
    turned_box,
    turning,
    typical_height,
)
from digits.symbols import symbol_probability


@dataclass(frozen=True)
class ReaderConfig:
    """How pages are read. Lengths marked "x height" are relative to the usual digit height."""

    max_side: int = 1600  # px: larger pages are downscaled to this longer side first
    max_candidates: int = 64  # more digit-like marks than this and the page is refused
    number_gap: float = 1.0  # x height: a wider gap between digits starts a new number
    rule_length: float = 2.5  # x height: horizontal straight strokes this long are rules
    rule_height: float = 1.8  # x height: vertical straight strokes this tall are box sides
    # A page whose rules or box edges turn at least this many degrees (a photo
    # not held level) is turned level before its rules are looked for; the
    # rule search itself allows for slight tilts (segment.LINE_SLACK).
    min_tilt: float = 2.0
    min_digit_px: int = 10  # working px: shorter marks are never digits (MNIST's are 20)
    min_digit_height: float = 0.5  # x height: shorter marks are dots, dashes or specks
    speck_size: float = 0.06  # x height: marks smaller than this are dust and ignored
    # Touching digits: a wide mark is cut where a logistic model over the cut's
    # features (SPLIT_FEATURES, weights fitted by ``python -m digits.splitfit``
    # on pages of MNIST training digits) says two digits are likelier than one.
    split_width: float = 0.5  # x height: narrower marks are never tried as touching digits
    split_odds: float = 1.0  # log-odds a cut must beat: touching digits are rarer than
    # wide single ones (0, 2, 4, 5), so one wrong cut should cost more than one missed
    split_rounds: int = 2  # halves still that wide are cut again: three digits touching
    # A half is cut again only when the split model is much surer: three digits
    # touching are rare, and a cut's half, with its cut edge, often looks like two
    # to the pair network. Measured: wrong second cuts on generated pages at
    # log-odds 1.3-4.9, a true third digit at 10.
    split_again_odds: float = 6.0
    # Among a mark's cuts, each unit of log-odds by which the pair network says
    # a half is itself two digits costs the cut one unit of the split model's
    # log-odds. Measured on 372 touching pairs on held-out pages (MNIST test and
    # scikit-learn digits): both digits read right 273 -> 280 times (oracle: 304).
    half_pair_penalty: float = 1.0
    max_cuts: int = 8  # cuts tried per wide mark
    # Where a mark is cut in two, each half's reading is multiplied by the pair
    # digit network's reading of that side of the whole mark raised to this power
    # (0: the halves alone). A cut gives the stroke two overlapping digits share to
    # one side only ("69" read "63"); that network reads the pair in context.
    # Measured on 900 held-out pages (MNIST test and scikit-learn digits), 93 with a
    # touching pair: read exactly 793 -> 801, all 8 gained touching, none lost (an
    # earlier network: 68 / 72 / 72 / 72 of the 93 at 0.5 / 1.0 / 1.5 / 4.0).
    pair_reading: float = 1.0
    # A mark as wide as two digits that the symbol network says is no digit at
    # all (see ``symbol_bar``) is mostly two touching digits the split model
    # hesitated over; left whole it would be dropped as a symbol and its digits
    # vanish ("143" read "3"). Its best cut need only beat these log-odds. A
    # narrower mark that is no digit (a "$") is left out whole, but see below.
    pair_width: float = 0.9  # x height
    no_digit_split_odds: float = -3.0
    # ... unless the pair network (digits.pairs) does not think it two digits either:
    # then it is a wide symbol (a "$" as wide as a digit is tall, cut as "93" before).
    # Measured on the benchmark's 900 pages: wide "$" at log-odds -1.3 and -4.3 (one at
    # 1.2 is still cut); marks that were two digits the symbol network calls no digit at
    # 2.0-9.2.
    no_digit_pair_odds: float = 0.0
    # A narrower mark that is no digit is cut all the same where the pair network
    # calls it two and the split model is this sure: a squeezed "54" in a blunt
    # pen, which the symbol network took for a sign, was dropped from "5490". On
    # 1,000 held-out pages and 400 "$" pages (seeds 5000, 7000, 7001): 924 -> 925
    # and 366 -> 366 at 6; at 3, three "$" were cut and read as digits.
    narrow_pair_odds: float = 6.0
    thin_stroke: float = 0.3  # x the page's usual stroke width: thinner marks are what is
    # left of faint ruled lines or a printed box, not digits written with the same pen
    residue: float = 0.5  # x the page's usual stroke width: a flat mark less tall than
    # this (a 1 px sliver of a faint rule, left where the rule was too broken to be
    # found) was not drawn with the page's pen and joins no digit as its fragment
    pen_piece: float = 1.6  # x the page's usual stroke width: a thick piece at most this
    # thick, and at least PIECE_SIZE x height big, is part of a fat-pen digit, not a blot
    low_confidence: float = LOW_CONFIDENCE  # digits below this are flagged as unsure
    # A digit broken side by side (a 0 whose pen skipped at the top and bottom: "("
    # and ")") is two marks the geometry cannot join, since two narrow digits look
    # the same. Two neighbours are read as one when together they are no wider than
    # ``join_width`` x height with a gap of at most ``join_gap`` x height, the whole
    # is read at least ``join_sure`` and likelier than both parts (summed
    # log-probabilities), and the pair network does not think the whole two digits
    # ("10" stays "10"). Measured on 1,300 held-out pages (seeds 5000, 7000, 7001 "$"):
    # 2 broken 0s joined, nothing joined wrongly (0 turns the joining off).
    join_width: float = 1.3
    join_gap: float = 0.25
    join_sure: float = 0.9
    # Marks the symbol network (digits.symbols) is this sure are not digits ("$",
    # "#", letters) are left out and end the number they stand in. High: a digit
    # wrongly left out costs as much as a "$" read as a 5. Measured at 0.9 / 0.97
    # / 0.99: MNIST test digits left out 0.22 / 0.11 / 0.07 %, scikit-learn's
    # 0.78 / 0.39 / 0.22 %, symbols in the fonts left out of training caught 99.8 /
    # 98.9 / 96.1 % (but OpenCV 5 draws them like trained ones; in Pillow's own font,
    # truly new to the network: 94.4 / 88.8 / 81.9 %).
    symbol_bar: float = 0.97
    # ... or this sure, when the digit model is less sure than ``unsure_digit`` what
    # digit it is: a "$" the symbol network half-recognises reads as an unsure 8 or
    # 5. Measured: MNIST test, paper photos and mouse strokes left out as before
    # (0.11 / 0.10 / 0.05 %), scikit-learn's digits 0.39 -> 0.50 %; of 200
    # generated "$" amounts, the 4 "$" read as digits (P 0.949-0.958) left out.
    # The deep network trained with other writers read one of those "$" as an 8 at
    # 0.83, so 0.8 became 0.85; on 300 held-out "$" amounts and 300 plain pages
    # (seeds 5000, 7000) 0.8, 0.85 and 0.9 read exactly the same pages. The
    # ensemble of two 55-epoch networks is surer of everything and read a clear "$"
    # as an 8 at 0.927, so 0.85 became 0.95: on 400 held-out "$" amounts (seed 7001)
    # and 1,000 plain pages (seeds 5000, 7000) 0.85 / 0.93 / 0.95 / 0.98 read
    # 365 / 366 / 366 / 366 and 924 / 924 / 924 / 923 exactly.
    unsure_symbol_bar: float = 0.9
    unsure_digit: float = 0.95
    # ... and never when the digit model is this sure: a loosely written 5 or a
    # scanned 0 the symbol network took for a letter at 0.97-0.999. Measured on
    # held-out pages (seeds 5000, 7001): 3 of the 4 digits left out were read at
    # 0.9986-0.99998; the surest of 398 "$" was read as a digit at 0.9947.
    sure_digit: float = 0.998
    # Printed or written words (a check's "PAY TO THE ORDER OF", a bank's name):
    # the symbol network catches some of their letters, and the rest (I, O, S, T,
    # B...) read as digits. A run of marks as close as a number's digits is a word,
    # and left out whole, where at least n of its marks after the first, and a share
    # s of all its marks, are likelier letters than digits to the symbol network (at
    # least ``word_bar``), for any (n, s) here. The first mark is where a sign stands
    # ("$25" is no word). Letters that touch ("LA" in "DOLLARS") are cut apart as
    # digits are, and their halves count too. Measured on 1,400 held-out pages
    # (seeds 5000, 7000, 7001 "$"): not one reading changed. Of 40 printed checks
    # read whole (synth.check_form, seed 1), 30 gave the amount alone, against 1 when
    # only marks left whole counted, at ``symbol_bar``, the first too, by (2, 0.4)
    # or (3, 0.25). A word bar of 0.3 cost a "$" page its number. Printed in a font
    # no network here was trained on (Pillow's; the benchmark's 150 checks): 90
    # against 3.
    word_rules: tuple[tuple[int, float], ...] = ((2, 0.25),)
    word_bar: float = 0.5
    # Printed capitals are one height to the pixel; a hand's digits are not. Marks in
    # a row, each no more than ``print_gap`` x its height from the last, whose tops
    # and bottoms both match the last's within ``print_edge`` x their height (at
    # least 1 px), are a printed line when for some (n, k) in ``print_rules`` there
    # are at least n of them and k letters (``word_bar``): all are left out, short
    # words ("TO", "OF") too, which no run's count catches. () turns it off.
    print_edge: float = 0.04
    print_gap: float = 2.0
    print_rules: tuple[tuple[int, int], ...] = ((3, 2), (5, 1))
    # A mark left out as no digit that the digit model reads as a 0 (at least
    # ``zero_sure``) next to a kept digit, as close as a number's digits, on at
    # least ``zero_beside`` sides (0: never), is a 0: the symbol network takes a
    # round 0 for the letter O ("142800" was read "1428 0"). Measured on 1,400
    # held-out pages (seeds 5000, 7000, 7001 "$"): that page mended, no reading
    # changed otherwise, with one side or both; one side also keeps a last 0.
    zero_beside: int = 1
    zero_sure: float = 0.9


class ReaderError(ImageError):
    """The page cannot be read as numbers; ``str(error)`` is for people."""


@dataclass(frozen=True)
class ReadDigit:
    """One digit found on the page."""

    digit: int
    confidence: float
    probabilities: np.ndarray  # (10,) float32
    box: tuple[int, int, int, int]  # x, y, w, h in ORIGINAL image pixels
    model_input: np.ndarray  # (28, 28) float32, what the model saw
    line: int  # 0-based line index, top to bottom
    number: int  # 0-based index of the number within the whole page
    low_confidence: bool
    touching: bool = False  # cut apart from a digit it touched


@dataclass(frozen=True)
class PageReading:
    """Everything read from one page."""

    digits: list[ReadDigit]
    lines: list[str]  # one string per line, numbers separated by one space: ["1250 34", "907"]
    text: str  # all numbers in reading order, one space apart: "1250 34 907"
    separators: list[dict] = field(default_factory=list)  # {"char": ".", "box": [x, y, w, h]}
    symbols: list[dict] = field(default_factory=list)  # not digits: {"box", "confidence"}

    def looks_like_a_form(self) -> bool:
        """Whether so many lines were read (``FORM_LINES``), or so many marks left out as
        no digits (``FORM_LEFT_OUT``: printed words, signs), that the page is likely a
        whole check or form, of which one part (the amount box) should be read.

        >>> PageReading([], ["1", "2", "3"], "1 2 3").looks_like_a_form()
        False
        >>> PageReading([], ["1", "2", "3", "4"], "1 2 3 4").looks_like_a_form()
        True
        >>> PageReading([], ["25"], "25", symbols=[{}] * 8).looks_like_a_form()
        True
        """
        return len(self.lines) >= FORM_LINES or len(self.symbols) >= FORM_LEFT_OUT

    def to_dict(self) -> dict:
        """JSON-ready: ``{"text", "lines", "digits": [{"digit", "confidence", "box"}], "symbols"}``.

        ``symbols`` lists the marks left out as not digits: ``[{"box", "confidence"}]``.
        """
        return {
            "text": self.text,
            "lines": list(self.lines),
            "digits": [{"digit": int(d.digit), "confidence": round(float(d.confidence), 6),
                        "box": [int(v) for v in d.box]} for d in self.digits],
            "symbols": [dict(s) for s in self.symbols],
        }


EMPTY = PageReading([], [], "", [])
FORM_LINES = 4  # lines read from one picture: likely a whole form (PageReading.looks_like_a_form)
FORM_LEFT_OUT = 8  # marks left out as no digits: likely a whole form's printed words
PAIR_HEIGHT = 0.6  # each side of a cut through touching digits is this tall x the pair
BLOB = 0.35  # marks whose mean thickness is this x their size are blots (a disc: 0.5)
PIECE_SIZE = 0.25  # x height: a thick mark this big may be a piece of a fat-pen digit
SMALL_PRINT = 0.7  # x a mark's height: a too-short neighbour this tall makes it small print
DOT = 0.45  # x height: marks no bigger than this (and not digits) may be dots or commas


@dataclass(frozen=True)
class Placement:
    """Where the reader's working image lies in the original: its scale and turn."""

    scale: float  # original px per working px
    turn: np.ndarray | None = None  # (2, 3) affine, working px before -> after levelling
    size: tuple[int, int] | None = None  # (w, h) of the original: turned boxes stay inside

    def box(self, mark: Mark) -> tuple[int, int, int, int]:
        """(x, y, w, h) of a working-pixel mark in the original image's pixels
        (of a levelled page: the upright box around the turned mark).

        >>> Placement(2.0).box(Mark(3, 4, 8, 10, (1,), 20))
        (6, 8, 10, 12)
        >>> turn = cv2.getRotationMatrix2D((0, 0), 45, 1.0)  # levelled by 45 degrees
        >>> Placement(1.0, turn, (6, 50)).box(Mark(0, 0, 10, 10, (1,), 50))  # in a 6-px image
        (0, 0, 6, 15)
        """
        s = self.scale
        if self.turn is None:
            return (int(mark.x0 * s), int(mark.y0 * s),
                    int(np.ceil(mark.w * s)), int(np.ceil(mark.h * s)))
        x, y, w, h = turned_box((mark.x0, mark.y0, mark.w, mark.h),
                                cv2.invertAffineTransform(self.turn) * s)
        x0, y0, x1, y1 = max(x, 0), max(y, 0), x + w, y + h
        if self.size is not None:
            x1, y1 = min(x1, self.size[0]), min(y1, self.size[1])
        return x0, y0, x1 - x0, y1 - y0

    def to_working(self, points: np.ndarray) -> np.ndarray:
        """(N, 2) points in original pixels -> working pixels (levelled)."""
        points = np.asarray(points, np.float64).reshape(-1, 2) / self.scale
        return points if self.turn is None else cv2.transform(points[None], self.turn)[0]


@dataclass
class _Found:
    """A digit the model has read, in working pixels, before ordering."""

    mark: Mark
    probabilities: np.ndarray  # (10,)
    model_input: np.ndarray  # (28, 28)
    own: np.ndarray | None = None  # (h, w) bool: its pixels in its box, kept for cutting
    crop: np.ndarray | None = None  # (h, w) float32: the ink in its box
    cut: bool = False  # one side of a cut through touching digits


def _shrink(image: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """Downscale so the longer side is at most ``max_side``; return (image, original px per px)."""
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    h, w = image.shape[:2]
    scale = max(h, w) / max_side
    if scale <= 1.0:
        return image, 1.0
    size = (max(1, round(w / scale)), max(1, round(h / scale)))
    if image.dtype not in (np.uint8, np.uint16, np.float32):
        image = image.astype(np.float32)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


def _is_blob(mark: Mark, labels: np.ndarray) -> bool:
    """A blot or a speck of dust is about as thick as it is big; a digit is a stroke."""
    return stroke_width(mark.mask(labels)) >= BLOB * max(mark.w, mark.h)


def _digit_height(mask: np.ndarray, config: ReaderConfig) -> float | None:
    """The usual digit height on the page (working px), or None if nothing looks like a digit.

    Digits hanging on a box or a ruled line would look like one huge mark, so
    the height is measured once lines half as long as the page are gone.
    """
    h, w = mask.shape
    scale = min(h, w) / 4  # only sets the working resolution of the line search
    for page in (remove_rules(mask, scale, 0.5 * w / scale, 0.5 * h / scale), mask):
        labels, marks = find_marks(page)
        strokes = [m for m in marks if m.h >= config.min_digit_px and not _is_blob(m, labels)]
        height = typical_height(strokes, config.min_digit_px)
        if height:
            return height
    return None


def _find_digit_marks(mask: np.ndarray, config: ReaderConfig, ink: np.ndarray | None = None):
    """Clean the mask and find (labels, digit marks, small marks, height); None if no digits."""
    height = _digit_height(mask, config)
    if height is None:
        return None
    mask = remove_rules(mask, height, config.rule_length, config.rule_height, ink)
    labels, marks = find_marks(mask)
    marks = [m for m in marks if max(m.w, m.h) >= config.speck_size * height]
    if len(marks) > 4 * config.max_candidates:
        raise _too_many(config)
    tall = max(config.min_digit_px, config.min_digit_height * height)
    # Blobs are dust (or, when small, dots that may be separators) and never
    # join a digit, unless drawn with the page's own pen: a fat pen's digit
    # broken in two (a 1's halves, an 8's filled loop) leaves pieces as thick
    # as they are big.
    blobs = [m for m in marks if _is_blob(m, labels)]
    strokes = [m for m in marks if m not in blobs]
    pen = _usual_width(strokes, labels)
    pieces = [] if pen is None else [
        m for m in blobs if max(m.w, m.h) >= PIECE_SIZE * height
        and stroke_width(m.mask(labels)) <= config.pen_piece * pen]
    # What is left of a faint rule is thinner than any stroke of the pen: it stays a
    # mark of its own (a "0" had a rule's sliver joined under it and read as a sign).
    residue = [] if pen is None else [m for m in strokes if m.h < config.residue * pen]
    merged = merge_fragments([m for m in strokes if m not in residue] + pieces, height) + residue
    # Digits in pieces pull the usual height down (a 7 and a 9 in two pieces each
    # made it 37 px among 55 px digits), and a low height keeps a 9's loop and stem
    # apart as "two lines". Measured again on the joined marks, it lets them join;
    # only on those in the page's pen (a box's thin corner joined to its side is tall).
    # ``tall`` stays as first measured: no mark tall enough to be a digit is dropped.
    again = typical_height(_same_pen([m for m in merged if m not in pieces], labels, config),
                           config.min_digit_px)
    if again is not None and again > height:
        height = again
        merged = merge_fragments(merged, height)
    marks = [m for m in merged if m not in pieces]  # a piece that joined nothing is a blob
    loose = [m for m in blobs if m not in pieces or m in merged]  # blobs in no digit
    short = [m for m in marks if m.h < tall]
    small = [m for m in loose + short if max(m.w, m.h) <= DOT * height]
    digits = [m for m in marks if m.h >= tall]
    digits = [m for m in digits if not _in_small_print(m, short)]
    if len(digits) > config.max_candidates:
        raise _too_many(config)
    return labels, _same_pen(digits, labels, config), small, height


def _in_small_print(mark: Mark, short: list[Mark]) -> bool:
    """Is ``mark`` one letter of a line of small print whose other letters are too
    short for digits (an "O" in "DOLLARS" printed under a big amount)? Then a mark
    beside it on its level, nearly as tall, was left out as too short.

    Measured: 1,400 held-out pages (seeds 5000, 7000, 7001 "$") read alike; of 60
    whole checks printed in a font no network here saw (seed 1), 40 read as their
    amount alone against 26 (the O of "DOLLARS" read as "0").

    >>> o, l = Mark(0, 0, 9, 10, (1,), 40), Mark(10, 1, 14, 10, (2,), 30)
    >>> _in_small_print(o, [l]), _in_small_print(o, [Mark(10, 8, 12, 10, (3,), 4)])
    (True, False)
    """
    return any(
        other.h >= SMALL_PRINT * mark.h
        and min(mark.y1, other.y1) - max(mark.y0, other.y0) >= 0.5 * other.h
        and max(other.x0 - mark.x1, mark.x0 - other.x1) <= 0.5 * mark.h
        for other in short
    )


def _same_pen(marks: list[Mark], labels: np.ndarray, config: ReaderConfig) -> list[Mark]:
    """The marks drawn with the page's pen: leftovers of faint rules and boxes are thinner.

    A broken box side is too short to be taken for a line, and reads as a
    confident "1"; but a number is written with one pen, so its strokes are
    about equally thick. The usual width is the median over the ink, not over
    the marks: a box broken into many short sides must not outvote the digits.
    """
    if not marks:
        return marks
    usual = _usual_width(marks, labels)
    return [m for m in marks if stroke_width(m.mask(labels)) >= config.thin_stroke * usual]


def _usual_width(marks: list[Mark], labels: np.ndarray) -> float | None:
    """The median stroke width over the marks' ink (px), None without marks."""
    if not marks:
        return None
    widths = np.array([stroke_width(m.mask(labels)) for m in marks])  # (N,) px
    order = np.argsort(widths)
    ink = np.cumsum([marks[i].area for i in order])
    return float(widths[order[np.searchsorted(ink, ink[-1] / 2)]])


def _too_many(config: ReaderConfig) -> ReaderError:
    return ReaderError(
        f"This image holds more than {config.max_candidates} marks that look like digits; "
        "crop it to the number you want read."
    )


def _pixels_box(mark: Mark, mask: np.ndarray) -> Mark:
    """The mark shrunk to the pixels of ``mask`` (its (h, w) own-pixel mask, possibly cut)."""
    ys, xs = np.nonzero(mask)
    return Mark(mark.x0 + int(xs.min()), mark.y0 + int(ys.min()), mark.x0 + int(xs.max()) + 1,
                mark.y0 + int(ys.max()) + 1, mark.labels, int(mask.sum()))


def certainty(p: np.ndarray) -> np.ndarray:
    """How sure a probability is, on a scale that does not saturate: -ln(1 - p).

    0.9 -> 2.3, 0.99 -> 4.6, 0.999 -> 6.9; compares confident readings fairly.

    Examples
    --------
    >>> certainty(np.array([0.9, 0.99])).round(1).tolist()
    [2.3, 4.6]
    """
    return -np.log(np.maximum(1.0 - np.asarray(p, np.float64), 1e-7))


def _bridge(own: np.ndarray, crop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Close short vertical gaps between the pieces of a broken digit (mask, ink), (h, w).

    A pen that skipped leaves a stroke in two pieces; the model has only seen
    whole strokes. Gaps up to an eighth of the digit's height are filled.
    """
    k = max(3, round(0.12 * own.shape[0]))
    closed = cv2.morphologyEx(own.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((k, 1), np.uint8))
    filled = closed.astype(bool) & ~own
    if not filled.any():
        return own, crop
    return own | filled, np.maximum(crop, filled.astype(np.float32))


def _read_marks(marks: list[Mark], labels: np.ndarray, ink: np.ndarray,
                recognizer: Recognizer) -> list[_Found]:
    """Read every mark as one digit, in one batch (a broken stroke bridged first)."""
    found = []
    for mark in marks:
        own = mark.mask(labels)  # (h, w) bool
        crop = ink[mark.y0 : mark.y1, mark.x0 : mark.x1]
        if len(mark.labels) > 1:
            own, crop = _bridge(own, crop)
        whole = digit_from_ink(crop, own)
        if whole is not None:
            found.append(_Found(mark, np.empty(0), whole, own, crop))
    _read(found, recognizer)
    return found


def _read(pieces: list[_Found], recognizer: Recognizer) -> None:
    """Fill in every piece's probabilities, in one model run."""
    if pieces:
        probs = recognizer.probabilities(np.stack([f.model_input for f in pieces]))  # (N, 10)
        for f, p in zip(pieces, probs):
            f.probabilities = p


@dataclass
class _Cut:
    """One way to cut a piece into two touching digits, read, with its features."""

    left: _Found
    right: _Found
    crossed: int  # rows where the cut goes through ink
    features: np.ndarray | None = None  # (len(SPLIT_FEATURES),) once both halves are read


def _cuts_of(piece: _Found, config: ReaderConfig) -> list[_Cut]:
    """The plausible cuts of a piece, each half in its own box, not yet read."""
    mark, own, crop = piece.mark, piece.own, piece.crop
    out = []
    for left in cuts(own, config.max_cuts):
        halves = []
        for part in (own & left, own & ~left):
            half = _pixels_box(mark, part)
            # Two digits side by side are both about as tall as the pair.
            if half.h < PAIR_HEIGHT * mark.h:
                break
            x = digit_from_ink(crop, part)
            if x is None:
                break
            box = (slice(half.y0 - mark.y0, half.y1 - mark.y0),
                   slice(half.x0 - mark.x0, half.x1 - mark.x0))
            halves.append(_Found(half, np.empty(0), x, part[box], crop[box], cut=True))
        if len(halves) == 2:
            edge = left.sum(axis=1)  # (h,) the cut's column in each row
            rows = np.flatnonzero((edge > 0) & (edge < own.shape[1]))
            crossed = int((own[rows, edge[rows] - 1] & own[rows, edge[rows]]).sum())
            out.append(_Cut(halves[0], halves[1], crossed))
    return out


SPLIT_FEATURES = (
    "width",  # piece width / the page's digit height
    "aspect",  # piece width / its own height
    "whole",  # certainty of the piece read as one digit
    "sure half",  # the surer half's certainty
    "unsure half",  # the less sure half's certainty
    "balance",  # narrower half's width / wider half's
    "overlap",  # how far the halves' boxes overlap, / piece width
    "strokes cut",  # rows of ink the cut goes through / stroke width
    "shorter half",  # the shorter half's height / the piece's
    "looks like two",  # the pair network's log-odds that the piece is two digits (digits.pairs)
)
TWO = SPLIT_FEATURES.index("looks like two")  # the same for every cut of a piece
# Fitted by ``python -m digits.splitfit`` (logistic regression, 1,500 pages of
# MNIST training digits, half with a touching pair); log-odds of "two digits".
SPLIT_WEIGHTS = np.array([0.84, -0.79, -0.34, 0.06, 0.21, 0.54, 0.72, 0.31, 0.34, 0.76])
SPLIT_BIAS = -0.15


def split_features(piece: _Found, cut: _Cut, height: float, two: float) -> np.ndarray:
    """The features (SPLIT_FEATURES) of cutting ``piece`` by ``cut``; halves read.

    ``two`` is the pair network's log-odds that the whole piece is two digits.
    """
    mark, a, b = piece.mark, cut.left, cut.right
    sure = certainty(np.array([piece.probabilities.max(), a.probabilities.max(),
                               b.probabilities.max()]))
    return np.array([
        mark.w / height,
        mark.w / mark.h,
        sure[0],
        max(sure[1], sure[2]),
        min(sure[1], sure[2]),
        min(a.mark.w, b.mark.w) / max(a.mark.w, b.mark.w),
        max(0, a.mark.x1 - b.mark.x0) / mark.w,
        cut.crossed / max(stroke_width(piece.own), 1.0),
        min(a.mark.h, b.mark.h) / mark.h,
        two,
    ])


def read_cuts(pieces: list[_Found], height: float, recognizer: Recognizer,
              config: ReaderConfig) -> list[list[_Cut]]:
    """Every plausible cut of every piece at least ``split_width`` x height wide, read.

    One model run over all halves and one pair-network run over the pieces;
    each cut comes back with its features.
    """
    plans = [_cuts_of(f, config) if f.mark.w >= config.split_width * height else []
             for f in pieces]
    _read([h for plan in plans for cut in plan for h in (cut.left, cut.right)], recognizer)
    two = iter(_pair_log_odds([f for f, plan in zip(pieces, plans) if plan]))
    for piece, plan in zip(pieces, plans):
        if plan:
            odds = next(two)
            for cut in plan:
                cut.features = split_features(piece, cut, height, odds)
    return plans


def _pair_log_odds(pieces: list[_Found]) -> list[float]:
    """The pair network's log-odds that each piece holds two digits, in one run."""
    p = pair_probability(np.array([pair_input(f.own, f.crop) for f in pieces], np.float32))
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p)).tolist()


def _split_touching(found: list[_Found], height: float, recognizer: Recognizer,
                    config: ReaderConfig) -> list[_Found]:
    """Cut pieces into two digits where the split model says two are likelier; then again.

    A single digit's halves often look like digits too ("0" -> "1" "1"), and the
    model reads two squeezed digits as one, confidently; so no one cue decides.
    The logistic model weighs them all (width, both readings, where and how
    much ink the cut goes through, and the pair network's view of the whole
    mark) and a cut must beat ``config.split_odds``, or
    ``config.no_digit_split_odds`` for a pair-wide mark that is no digit whole.
    Which cut is kept is then up to :func:`_best_cut`; its halves' readings are
    weighed with the pair digit network's (``config.pair_reading``).
    """
    todo, done = list(found), []
    for round_no in range(config.split_rounds):
        plans = read_cuts(todo, height, recognizer, config)
        tried = [i for i, plan in enumerate(plans) if plan]
        no_digit = np.zeros(len(todo), bool)
        asked = [todo[i] for i in tried]
        no_digit[tried] = _is_symbol(asked, _not_digit_probability(asked), config)
        cutting = []
        for piece, plan, whole_is_symbol in zip(todo, plans, no_digit):
            odds = [float(cut.features @ SPLIT_WEIGHTS) + SPLIT_BIAS for cut in plan]
            if whole_is_symbol and (
                    plan[0].features[TWO] <= config.no_digit_pair_odds
                    or (piece.mark.w < config.pair_width * height
                        and max(odds) <= config.narrow_pair_odds)):
                done.append(piece)  # a "$" or "#", left whole to be left out
                continue
            bar = (config.no_digit_split_odds if whole_is_symbol
                   else config.split_again_odds if round_no else config.split_odds)
            if odds and max(odds) > bar:
                cutting.append((piece, plan, odds))
            else:
                done.append(piece)
        both = None  # (N, 2, 10): the pair digit network's left and right digit
        if round_no == 0 and config.pair_reading and cutting:
            both = pair_digits(np.array([pair_input(piece.own, piece.crop)
                                         for piece, _, _ in cutting], np.float32))
        split = []
        for k, (piece, plan, odds) in enumerate(cutting):
            halves = _best_cut(plan, odds, config)
            if both is not None:
                for half, side in zip(halves, both[k]):
                    half.probabilities = _weighed(half.probabilities, side, config.pair_reading)
            split += halves
        if not split:
            break
        todo = split
    else:
        done += todo
    return done


def _weighed(p: np.ndarray, q: np.ndarray, power: float) -> np.ndarray:
    """p x q ** power, normalised; in logs, so two sure readings that disagree
    (each under 1e-30 where the other is sure) do not underflow to 0 / 0.

    >>> _weighed(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1.0).round(2).tolist()
    [0.5, 0.5]
    """
    log = np.log(np.maximum(p, 1e-30)) + power * np.log(np.maximum(q, 1e-30))
    out = np.exp(log - log.max())
    return (out / out.sum()).astype(np.float32)


def _best_cut(plan: list[_Cut], odds: list[float], config: ReaderConfig) -> tuple:
    """The halves of the cut to keep: the likeliest, unless a half still looks like two.

    Such a half means the cut went through a digit rather than between the
    two; each unit of the pair network's log-odds for it costs the cut
    ``config.half_pair_penalty`` units of the split model's.
    """
    if len(plan) > 1 and config.half_pair_penalty:
        looks = np.array(_pair_log_odds([h for cut in plan for h in (cut.left, cut.right)]))
        odds = np.asarray(odds) - config.half_pair_penalty * np.maximum(
            looks.reshape(-1, 2).max(axis=1), 0.0)
    best = plan[int(np.argmax(odds))]
    return best.left, best.right


def _separators(line: list[Mark], small: list[Mark], height: float) -> dict[int, tuple]:
    """Dots and commas written low between digits: {k: (char, mark)} for the gap before line[k]."""
    found: dict[int, tuple] = {}
    for dot in small:
        if max(dot.w, dot.h) < 0.1 * height:
            continue
        k = _gap_at(line, dot.cx)
        if k is None:
            continue
        before, after = line[k - 1], line[k]
        bottom = max(before.y1, after.y1)
        if dot.cy < (before.cy + after.cy) / 2 or dot.y0 > bottom + 0.3 * height:
            continue  # not on the baseline: a speck, a stray mark
        comma = dot.h > 1.5 * dot.w or dot.y1 > bottom + 0.15 * height
        if k not in found or dot.area > found[k][1].area:
            found[k] = ("," if comma else ".", dot)
    return found


def read_page(image: np.ndarray, recognizer: Recognizer | None = None,
              config: ReaderConfig = ReaderConfig()) -> PageReading:
    """Read every number on a page: digits, lines, numbers and boxes.

    ``image`` is anything :func:`digits.preprocess.to_model_input` accepts
    (RGB photo, RGBA canvas, grayscale scan). Lines are read top to bottom,
    digits left to right; a gap wider than ``config.number_gap`` x the line's
    digit height separates two numbers, unless a dot or comma sits in it.
    A blank page gives an empty reading; a page with more than
    ``config.max_candidates`` digit-like marks raises :class:`ReaderError`.

    Examples
    --------
    >>> page = np.full((100, 300), 255, np.uint8)
    >>> read_page(page, recognizer=None).text  # doctest: +SKIP
    ''
    >>> read_page(check_photo).text  # doctest: +SKIP
    '1250 34'
    """
    recognizer = recognizer or active_recognizer()
    page = read_pieces(image, recognizer, config)
    if page is None:
        return EMPTY
    found, small, height, placement = page
    found = _split_touching(found, height, recognizer, config)
    found, symbols = _without_symbols(found, height, config)
    return _in_reading_order(found, symbols, small, height, placement, config)


def part_box(shape: tuple, across=(0, 100), down=(0, 100)) -> tuple[int, int, int, int]:
    """The (x, y, w, h) pixels of an image of ``shape`` between ``across`` and ``down``,
    each a (from, to) pair in percent of the width and height (at least 1 px each way).

    >>> part_box((200, 400, 3), across=(50, 100), down=(10, 40))
    (200, 20, 200, 60)
    >>> part_box((200, 400), across=(30, 30))  # an empty range keeps one column
    (120, 0, 1, 200)
    """
    def span(size: int, percent) -> tuple[int, int]:
        start, end = (round(size * p / 100) for p in sorted(percent))
        start = min(max(start, 0), size - 1)
        return start, max(1, min(end, size) - start)

    (x, w), (y, h) = span(shape[1], across), span(shape[0], down)
    return x, y, w, h


def read_part(image: np.ndarray, part: tuple[int, int, int, int],
              recognizer: Recognizer | None = None,
              config: ReaderConfig = ReaderConfig()) -> PageReading:
    """Read only ``part`` = (x, y, w, h) of ``image``, e.g. the amount box of a whole check.

    A check or a form also holds printed words, and not all of them are known for
    words (``ReaderConfig.word_rules``); the part keeps them out. Boxes come back in
    the whole image's pixels.
    """
    x, y, w, h = (int(v) for v in part)
    x, y = max(0, x), max(0, y)
    reading = read_page(np.asarray(image)[y : y + h, x : x + w], recognizer, config)

    def moved(box):
        return [int(box[0]) + x, int(box[1]) + y, int(box[2]), int(box[3])]

    return replace(
        reading,
        digits=[replace(d, box=tuple(moved(d.box))) for d in reading.digits],
        separators=[{**s, "box": moved(s["box"])} for s in reading.separators],
        symbols=[{**s, "box": moved(s["box"])} for s in reading.symbols],
    )


def _not_digit_probability(pieces: list[_Found]) -> np.ndarray:
    """P(not a digit) (N,) of pieces read whole, in one run of the symbol network."""
    return symbol_probability(np.stack([f.model_input for f in pieces]) if pieces
                              else np.zeros((0, 28, 28), np.float32))


def _is_symbol(pieces: list[_Found], p: np.ndarray, config: ReaderConfig) -> np.ndarray:
    """(N,) bool: the symbol network is sure enough, given how sure the digit model is."""
    unsure = np.array([f.probabilities.max() < config.unsure_digit for f in pieces], bool)
    return (p >= config.symbol_bar) | ((p >= config.unsure_symbol_bar) & unsure)


def _without_symbols(found: list[_Found], height: float,
                     config: ReaderConfig) -> tuple[list[_Found], list]:
    """(the digits, [(mark, P(symbol))] for the marks that are not digits).

    Only marks left whole may be left out alone, after touching digits are cut:
    two touching digits are no one digit either, and a cut's halves are often odd.
    Words (``config.word_rules``) are left out whole; there the halves count too.
    """
    every = _not_digit_probability(found)  # (N,)
    whole = np.array([not f.cut for f in found], bool)
    p = np.where(whole, every, 0.0)
    # A digit the model is sure of stays (``config.sure_digit``). Only here: asked
    # whether a wide mark is no digit whole (to cut it), the model's sureness says
    # little, since it reads two squeezed digits as one, confidently.
    sure = np.array([f.probabilities.max() >= config.sure_digit for f in found], bool)
    digit = ~_is_symbol(found, p, config) | sure
    # In a word, the symbol network's view counts even where the digit model is
    # sure: it reads a printed A as a 4 and a B as an 8 at 0.999.
    marks = [f.mark for f in found]
    letters = every >= config.word_bar
    words = (_in_words(marks, letters, height, config)
             | _in_print(marks, letters & whole, height, config))
    digit &= ~words
    # A round mark in a number is a 0, not the letter O the symbol network saw.
    zero = np.array([f.probabilities.argmax() == 0 and f.probabilities[0] >= config.zero_sure
                     for f in found], bool)
    digit |= _zeros_in_numbers(marks, digit, zero & ~words, height, config)
    return ([f for f, keep in zip(found, digit) if keep],
            [(f.mark, float(q)) for f, q, keep in zip(found, p, digit) if not keep])


def _number_gap(line: list[Mark], config: ReaderConfig) -> float:
    """Px: a gap wider than this between two marks of ``line`` parts two numbers."""
    return config.number_gap * float(np.median([m.h for m in line]))


def _zeros_in_numbers(marks: list[Mark], digit: np.ndarray, zero: np.ndarray, height: float,
                      config: ReaderConfig) -> np.ndarray:
    """(N,) bool: the marks left out as no digits that are zeros after all: ``zero``
    (read as 0 at least ``config.zero_sure``) and as close to a kept ``digit`` as a
    number's digits are (:func:`_number_gap`), on ``config.zero_beside`` sides.

    Examples
    --------
    "1 2 O 4": the symbol network took the O for a letter; between digits it is a 0.

    >>> row = [Mark(x, 0, x + 8, 10, (i,), 40) for i, x in enumerate(range(0, 40, 10))]
    >>> kept = np.array([1, 1, 0, 1], bool)
    >>> round_ = np.array([0, 0, 1, 0], bool)
    >>> _zeros_in_numbers(row, kept, round_, 10, ReaderConfig()).tolist()
    [False, False, True, False]

    An O well away from the number stays out.

    >>> far = row[:2] + [Mark(60, 0, 68, 10, (2,), 40)]
    >>> _zeros_in_numbers(far, kept[:3], round_[:3], 10, ReaderConfig()).tolist()
    [False, False, False]
    """
    out = np.zeros(len(marks), bool)
    if not config.zero_beside or not (zero & ~digit).any():
        return out
    index = {mark: i for i, mark in enumerate(marks)}
    for line in group_lines(marks, height):
        gap = _number_gap(line, config)
        for k, mark in enumerate(line):
            if digit[index[mark]] or not zero[index[mark]]:
                continue
            beside = (k > 0 and digit[index[line[k - 1]]] and mark.x0 - line[k - 1].x1 <= gap,
                      k + 1 < len(line) and digit[index[line[k + 1]]]
                      and line[k + 1].x0 - mark.x1 <= gap)
            out[index[mark]] = sum(beside) >= config.zero_beside
    return out


def _in_print(marks: list[Mark], letter: np.ndarray, height: float,
              config: ReaderConfig) -> np.ndarray:
    """(N,) bool: which ``marks`` stand in a printed line (``config.print_rules``):
    marks in a row of one height, to the pixel, enough of them ``letter``.

    Examples
    --------
    "PAY TO": five capitals of one height, only A and Y taken for letters.

    >>> caps = [Mark(x, 0, x + 8, 10, (i,), 40) for i, x in enumerate((0, 10, 20, 40, 50))]
    >>> _in_print(caps, np.array([0, 1, 1, 0, 0], bool), 10, ReaderConfig()).tolist()
    [True, True, True, True, True]

    Handwritten digits end a few pixels apart; the same two doubtful marks leave them be.

    >>> hand = [Mark(x, d, x + 8, 10 + d, (i,), 40)
    ...         for i, (x, d) in enumerate(zip((0, 10, 20, 40, 50), (0, 2, -1, 1, -2)))]
    >>> _in_print(hand, np.array([0, 1, 1, 0, 0], bool), 10, ReaderConfig()).tolist()
    [False, False, False, False, False]
    """
    out = np.zeros(len(marks), bool)
    if not config.print_rules or not letter.any():
        return out
    index = {mark: i for i, mark in enumerate(marks)}
    for line in group_lines(marks, height):
        chain = [line[0]]
        for mark in [*line[1:], None]:
            last = chain[-1]
            if mark is not None:
                edge = max(1.0, config.print_edge * min(mark.h, last.h))
                if (abs(mark.y0 - last.y0) <= edge and abs(mark.y1 - last.y1) <= edge
                        and mark.x0 - last.x1 <= config.print_gap * min(mark.h, last.h)):
                    chain.append(mark)
                    continue
            run = [index[m] for m in chain]
            n = int(letter[run[1:]].sum())  # as in a word, the first may be a sign ("$")
            if any(len(run) >= least and n >= k for least, k in config.print_rules):
                out[run] = True
            chain = [mark]
    return out


def _in_words(marks: list[Mark], symbol: np.ndarray, height: float,
              config: ReaderConfig) -> np.ndarray:
    """(N,) bool: which ``marks`` belong to words, runs of marks where enough after
    the first are ``symbol`` (N,) bool (``config.word_rules``).

    A run ends where a number would (:func:`_number_gap`).

    Examples
    --------
    Ten marks in a row, two of them doubtful: a long number, not a word.

    >>> row = [Mark(x, 0, x + 8, 10, (i,), 40) for i, x in enumerate(range(0, 100, 10))]
    >>> doubtful = np.array([0, 1, 0, 1, 0, 0, 0, 0, 0, 0], bool)
    >>> _in_words(row, doubtful, 10, ReaderConfig()).astype(int).tolist()
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    Five marks, two of them letters ("FIRST"), and a number well apart: the five go.

    >>> page = row[:5] + [Mark(x, 0, x + 8, 10, (9,), 40) for x in (80, 90)]
    >>> letters = np.array([0, 0, 1, 1, 0, 0, 0], bool)
    >>> _in_words(page, letters, 10, ReaderConfig()).tolist()
    [True, True, True, True, True, False, False]

    A sign and three digits, one of them doubtful ("$708"): a number.

    >>> _in_words(row[:4], np.array([1, 0, 1, 0], bool), 10, ReaderConfig()).tolist()
    [False, False, False, False]
    """
    out = np.zeros(len(marks), bool)
    if not config.word_rules or symbol.sum() < min(n for n, _ in config.word_rules):
        return out
    index = {mark: i for i, mark in enumerate(marks)}
    for line in group_lines(marks, height):
        gap = _number_gap(line, config)
        start = 0
        for k in range(1, len(line) + 1):
            if k < len(line) and line[k].x0 - line[k - 1].x1 <= gap:
                continue
            run = [index[m] for m in line[start:k]]
            n = int(symbol[run[1:]].sum())  # a sign before a number ("$25") is no letter
            if any(n >= least and n >= share * len(run) for least, share in config.word_rules):
                out[run] = True
            start = k
    return out


def read_pieces(image: np.ndarray, recognizer: Recognizer, config: ReaderConfig = ReaderConfig()):
    """The page's marks, each read as one digit, before touching digits are cut.

    Returns ``(pieces, small marks, digit height, placement)`` (:class:`Placement`:
    where the working pixels lie in the original), or None for a page without digits.
    """
    size = np.shape(image)[1::-1]  # (w, h)
    image, pre_scale = _shrink(image, config.max_side)
    found_ink = find_ink(image)
    if not found_ink.mask.any():
        return None
    ink, mask, turn = _levelled(found_ink.ink, found_ink.mask, config)
    page = _find_digit_marks(mask, config, ink)
    if page is None:
        return None
    labels, marks, small, height = page
    found = _read_marks(marks, labels, ink, recognizer)
    if not found:
        return None
    found = _join_broken(found, labels, ink, height, recognizer, config)
    return found, small, height, Placement(pre_scale * found_ink.scale, turn, tuple(size))


def _levelled(ink: np.ndarray, mask: np.ndarray, config: ReaderConfig):
    """(ink, mask, turn): the page turned so that its rules and box edges are level,
    if they turn ``config.min_tilt`` degrees or more (turn: the (2, 3) affine; else None).

    Lines half as long as the page give the angle, as they give the digit
    height (:func:`_digit_height`), which the lines of a tilted page, not yet
    removed, would spoil. Once level, the lines must be rules by the reader's
    own measure (``config.rule_length`` x height), not a 7's bar on a photo
    of little more than the 7. The turned image is enlarged to hold the page.
    """
    angle, longest = tilt(mask, 0.5 * mask.shape[1])
    if abs(angle) < config.min_tilt:
        return ink, mask, None
    turn, size = turning(mask.shape, -angle)
    level = cv2.warpAffine(mask.astype(np.float32), turn, size, flags=cv2.INTER_LINEAR) > 0.5
    height = _digit_height(level, config)
    if height is None or longest < config.rule_length * height:
        return ink, mask, None
    return cv2.warpAffine(ink, turn, size, flags=cv2.INTER_LINEAR, borderValue=0), level, turn


def _join_broken(found: list[_Found], labels: np.ndarray, ink: np.ndarray, height: float,
                 recognizer: Recognizer, config: ReaderConfig) -> list[_Found]:
    """Read neighbouring marks as one digit where that is much the likelier reading.

    See ``ReaderConfig.join_width``: only close neighbours, narrow together, are
    tried; all tries are read in one batch. A mark joins at most once.
    """
    found = sorted(found, key=lambda f: f.mark.x0)
    tries = []
    for a, b in zip(found, found[1:]):
        ma, mb = a.mark, b.mark
        whole = ma.joined(mb)
        if (whole.w <= config.join_width * height
                and mb.x0 - ma.x1 <= config.join_gap * height
                and min(ma.y1, mb.y1) - max(ma.y0, mb.y0) >= 0.5 * min(ma.h, mb.h)):
            tries.append((a, b, whole))
    if not tries:
        return found
    joined = _read_marks([whole for _, _, whole in tries], labels, ink, recognizer)
    by_mark = {f.mark: f for f in joined}
    pieces = [(a, b, by_mark[whole]) for a, b, whole in tries if whole in by_mark]
    keep = []
    for (a, b, one), two in zip(pieces, _pair_log_odds([one for _, _, one in pieces])):
        parts = float(np.log(a.probabilities.max()) + np.log(b.probabilities.max()))
        sure = float(one.probabilities.max())
        if sure >= config.join_sure and np.log(sure) > parts and two < 0:
            keep.append((np.log(sure) - parts, a, b, one))
    used = set()
    for _, a, b, one in sorted(keep, key=lambda k: -k[0]):
        if a.mark not in used and b.mark not in used:
            used |= {a.mark, b.mark}
            found.append(one)
    return sorted((f for f in found if f.mark not in used), key=lambda f: f.mark.x0)


def _in_reading_order(found: list[_Found], symbols: list, small: list[Mark], height: float,
                      placement: Placement, config: ReaderConfig) -> PageReading:
    """Lines top to bottom, digits left to right, numbers split at wide gaps and symbols."""
    by_mark = {f.mark: f for f in found}
    digits: list[ReadDigit] = []
    lines: list[str] = []
    separators: list[dict] = []
    number = -1
    for line_no, line in enumerate(group_lines([f.mark for f in found], height)):
        line_height = float(np.median([m.h for m in line]))
        number_gap = _number_gap(line, config)
        between = _separators(line, small, line_height)
        ends = _symbol_gaps(line, [mark for mark, _ in symbols])
        words: list[str] = []
        for k, mark in enumerate(line):
            gap = mark.x0 - line[k - 1].x1 if k else np.inf
            if k in between:
                char, dot = between[k]
                separators.append({"char": char, "box": list(placement.box(dot))})
            # "1,250.75" is one number: a dot or comma bridges a gap up to twice as wide.
            widest = number_gap * (2 if k in between else 1)
            if gap > widest or k in ends:
                number += 1
                words.append("")
            f = by_mark[mark]
            digit = int(f.probabilities.argmax())
            confidence = float(f.probabilities[digit])
            words[-1] += str(digit)
            digits.append(ReadDigit(
                digit, confidence, f.probabilities, placement.box(mark), f.model_input,
                line_no, number, confidence < config.low_confidence, f.cut))
        lines.append(" ".join(words))
    symbols = [{"box": list(placement.box(mark)), "confidence": round(p, 6)}
               for mark, p in symbols]
    return PageReading(digits, lines, " ".join(lines), separators, symbols)


def _gap_at(line: list[Mark], x: float) -> int | None:
    """The k for which ``x`` lies between the centres of line[k - 1] and line[k], if any."""
    return next((k for k in range(1, len(line)) if line[k - 1].cx < x < line[k].cx), None)


def _symbol_gaps(line: list[Mark], symbols: list[Mark]) -> set[int]:
    """The k for which a symbol stands between line[k - 1] and line[k] ("12/03", "4 x 5")."""
    ends = set()
    for mark in symbols:
        k = _gap_at(line, mark.cx)
        if k is not None:
            before, after = line[k - 1], line[k]
            if min(before.y0, after.y0) < mark.cy < max(before.y1, after.y1):
                ends.add(k)
    return ends
