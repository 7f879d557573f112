"""Where the digits are on a page: marks, ruled lines, fragments, cuts and lines of text.

Pure geometry on the binary ink mask from :func:`digits.preprocess.find_ink`;
:mod:`digits.reader` decides with the model which of these guesses to keep.
All coordinates here are in the working (possibly downscaled) pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LINE_WORK_HEIGHT = 20  # rules are looked for where a digit is about this many px tall
LINE_SLACK = 3  # px (at that scale) a rule may wander up/down: tilted photos
LINE_BREAK = 5  # px (at that scale) of a faint rule that may be missing
LINE_FAINT = 0.7  # x the pen's darkness: a line this faint is told from the pen by it
LINE_COVERAGE = 0.9  # share of its length a rule is inked along (digits have gaps)
DOT_SKIP = 0.05  # x height (at least 2 px): an upright line may skip this much (dotted)
BOX_SIDE = 1.1  # x height: a vertical line this tall that meets a rule is a box's side
CUT_RANGE = (0.1, 0.9)  # a cut between touching digits lies in this part of the width
# (wide enough for a 1 tucked against a wider digit, which holds little of the ink)
BEND = 0.5  # cost of a cut's sideways step, in ink pixels crossed
MIN_PART = 0.08  # each side of a cut holds at least this share of the ink
STACK_GAP = 0.1  # x their height: a lone digit's pieces this close are one digit
MAX_TILT = 20.0  # degrees: straight lines steeper than this are not taken for the page's rules
TILT_WORK_SIDE = 200  # px: the page's tilt is measured on a copy this large


@dataclass(frozen=True)
class Mark:
    """One connected blob of ink, or several merged fragments of one digit."""

    x0: int
    y0: int
    x1: int  # exclusive
    y1: int  # exclusive
    labels: tuple[int, ...]  # component labels it is made of
    area: int  # ink pixels

    @property
    def w(self) -> int:
        return self.x1 - self.x0

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def joined(self, other: "Mark") -> "Mark":
        return Mark(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1),
                    max(self.y1, other.y1), self.labels + other.labels, self.area + other.area)

    def mask(self, labels: np.ndarray) -> np.ndarray:
        """(h, w) bool: this mark's own pixels inside its box."""
        return np.isin(labels[self.y0 : self.y1, self.x0 : self.x1], self.labels)


def find_marks(mask: np.ndarray) -> tuple[np.ndarray, list[Mark]]:
    """Connected components of ``mask`` (H, W) bool -> (labels (H, W) int32, marks).

    Examples
    --------
    >>> mask = np.zeros((20, 30), bool); mask[2:12, 3:6] = True; mask[5:9, 20:28] = True
    >>> [(m.x0, m.y0, m.w, m.h) for m in find_marks(mask)[1]]
    [(3, 2, 3, 10), (20, 5, 8, 4)]
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    marks = [Mark(int(x), int(y), int(x + w), int(y + h), (i,), int(a))
             for i, (x, y, w, h, a) in enumerate(stats[1:].tolist(), start=1)]
    return labels, marks


def typical_height(marks: list[Mark], min_px: int) -> float | None:
    """The usual height of a digit on the page, or None if nothing looks like one.

    Marks much wider than tall (rules, digits hanging on a rule) and specks are
    ignored, and so are pieces under 40 % of the tall marks (bits of a broken
    rule, a 5's bar); the 75th percentile leans towards whole digits.
    """
    heights = np.array([m.h for m in marks if m.h >= min_px and m.w <= 3 * m.h])
    if not len(heights):
        return None
    heights = heights[heights >= 0.4 * np.percentile(heights, 90)]
    return float(np.percentile(heights, 75))


def tilt(mask: np.ndarray, shortest: float) -> tuple[float, float]:
    """(degrees the page's long straight lines turn anticlockwise, the longest one's px).

    A photo of a check is seldom held level. The straight strokes at least
    ``shortest`` px long and within ``MAX_TILT`` of level (ruled lines, box
    edges) are found by a Hough transform on a copy at most ``TILT_WORK_SIDE``
    px across; the angle is their median, weighed by length. (0.0, 0.0) if none.

    Examples
    --------
    >>> page = np.zeros((120, 300), np.uint8)
    >>> _ = cv2.line(page, (140, 10), (140, 40), 1, 2)  # a digit's stroke
    >>> tilt(page > 0, shortest=20)  # steeper than MAX_TILT: no rule
    (0.0, 0.0)
    >>> _ = cv2.line(page, (10, 100), (290, 51), 1, 2)  # rises 49 px over 280: 9.9 degrees
    >>> angle, longest = tilt(page > 0, shortest=150)
    >>> abs(angle - 9.9) < 0.5, 270 < longest < 300
    (True, True)
    """
    f = min(1.0, TILT_WORK_SIDE / max(mask.shape))
    small = mask.astype(np.uint8) * 255
    if f < 1.0:
        size = (max(1, round(mask.shape[1] * f)), max(1, round(mask.shape[0] * f)))
        small = ((cv2.resize(small, size, interpolation=cv2.INTER_AREA) > 64) * 255).astype(
            np.uint8)
    length = shortest * f
    found = cv2.HoughLinesP(small, 1, np.pi / 720, threshold=max(10, int(length / 2)),
                            minLineLength=length, maxLineGap=max(2, round(0.02 * max(small.shape))))
    if found is None:
        return 0.0, 0.0
    x0, y0, x1, y1 = found.reshape(-1, 4).astype(np.float64).T
    angles = np.degrees(np.arctan2(-(y1 - y0), x1 - x0))  # y runs down; anticlockwise > 0
    angles = (angles + 90.0) % 180.0 - 90.0  # a line drawn right to left is the same line
    level = np.abs(angles) <= MAX_TILT
    if not level.any():
        return 0.0, 0.0
    angles, lengths = angles[level], np.hypot(x1 - x0, y1 - y0)[level]
    order = np.argsort(angles)
    weight = np.cumsum(lengths[order])
    return (float(angles[order][np.searchsorted(weight, weight[-1] / 2)]),
            float(lengths.max() / f))


def turning(shape: tuple, degrees: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The (2, 3) affine that turns an image of ``shape`` ``degrees`` anticlockwise
    about its centre, and the (w, h) of a canvas that holds all of it turned.

    >>> turn, size = turning((100, 200), 90)
    >>> size, (np.round(cv2.transform(np.array([[[0.0, 0.0]]]), turn)[0, 0], 6) + 0.0).tolist()
    ((100, 200), [0.0, 200.0])
    """
    h, w = shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    size = (int(h * sin + w * cos), int(h * cos + w * sin))
    turn[:, 2] += (size[0] - w) / 2, (size[1] - h) / 2
    return turn, size


def turned_box(box: tuple, turn: np.ndarray) -> tuple[int, int, int, int]:
    """The upright (x, y, w, h) around ``box`` = (x, y, w, h) after the (2, 3) affine ``turn``.

    >>> turned_box((0, 0, 10, 10), cv2.getRotationMatrix2D((0, 0), 45, 1.0))
    (0, -8, 15, 16)
    """
    x, y, w, h = box
    corners = np.array([[(x, y), (x + w, y), (x, y + h), (x + w, y + h)]], np.float64)
    moved = cv2.transform(corners, np.asarray(turn, np.float64))[0]
    x0, y0 = np.floor(moved.min(axis=0)).astype(int)
    x1, y1 = np.ceil(moved.max(axis=0)).astype(int)
    return int(x0), int(y0), int(x1 - x0), int(y1 - y0)


def _run_lengths(mask: np.ndarray) -> np.ndarray:
    """(H, W) int32: length of the vertical run of ink each pixel belongs to (0 off ink)."""
    flat = mask.ravel(order="F")  # column by column, so a run never spans two columns
    starts = flat.copy()
    starts[1:] &= ~flat[:-1]
    starts[:: mask.shape[0]] = flat[:: mask.shape[0]]  # a column's first pixel starts a run
    ids = np.cumsum(starts)
    lengths = np.bincount(ids[flat], minlength=int(ids[-1]) + 1) if flat.any() else np.zeros(1)
    runs = np.where(flat, lengths[ids], 0).astype(np.int32)
    return runs.reshape(mask.shape[::-1]).T


def _lines_near(mask: np.ndarray, height: float, length: float,
                vertical: bool = False) -> np.ndarray | None:
    """(H, W) bool zone around the long horizontal (or ``vertical``) straight lines in
    ``mask``: at least ``length`` x ``height`` long; None if there are none."""
    h, w = mask.shape
    f = min(1.0, LINE_WORK_HEIGHT / height)
    u8 = mask.astype(np.uint8) * 255
    small = u8 if f == 1.0 else cv2.resize(u8, (max(1, round(w * f)), max(1, round(h * f))),
                                           interpolation=cv2.INTER_AREA)
    small = (small > 0).astype(np.uint8)
    # A kernel over twice the image's side opens it exactly as an endless one
    # would (outside counts as ink), and OpenCV's time grows with kernel length.
    longest = 2 * max(small.shape) + 1
    k = max(3, round(min(length * height * f, longest)))
    across, along, gap = (((1, LINE_SLACK), (k, 1), (LINE_BREAK, 1)) if vertical
                          else ((LINE_SLACK, 1), (1, k), (1, LINE_BREAK)))
    band = cv2.dilate(small, np.ones(across, np.uint8))
    band = cv2.morphologyEx(band, cv2.MORPH_CLOSE, np.ones(gap, np.uint8))
    opened = cv2.morphologyEx(band, cv2.MORPH_OPEN, np.ones(along, np.uint8))
    return _solid_lines(opened, mask, f, vertical)


def _solid_lines(opened: np.ndarray, mask: np.ndarray, f: float,
                 vertical: bool) -> np.ndarray | None:
    """(H, W) bool zone around the candidate lines (low resolution) that are really drawn.

    A rule is inked along nearly all its length; the bottoms of a row of
    digits also line up, but with gaps between the digits. No row of digits
    stands upright, so an upright line may skip a little (``DOT_SKIP``): a
    faint grid's lines come out dotted. Not more: a lone digit in two strokes
    sets a height half its own, and its strokes, with the pen's skip between
    them, stand as tall as a line would.
    """
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    grow = int(np.ceil(1 / f)) | 1  # one low-resolution pixel: room for the rule's edges
    zone = np.zeros(mask.shape, bool)
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        x0, y0 = int(x / f), int(y / f)
        x1, y1 = min(mask.shape[1], int(np.ceil((x + w) / f))), min(mask.shape[0],
                                                                   int(np.ceil((y + h) / f)))
        part = (labels[y : y + h, x : x + w] == i).astype(np.uint8)
        part = cv2.resize(part, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
        part = cv2.dilate(part, np.ones((grow, grow), np.uint8)).astype(bool)
        along = np.flatnonzero((part & mask[y0:y1, x0:x1]).any(axis=1 if vertical else 0))
        if not len(along):
            continue
        # Inked along (nearly) all of its length, not counting a stray speck past an end.
        first, last = np.percentile(along, [5, 95])
        along = along[(along >= first) & (along <= last)]
        inside = len(along)
        if vertical and len(along) > 1:
            skips = np.diff(along) - 1
            inside += int(skips[skips <= max(2.0, DOT_SKIP * LINE_WORK_HEIGHT / f)].sum())
        if inside >= LINE_COVERAGE * (last - first + 1):
            zone[y0:y1, x0:x1] |= part
    return zone if zone.any() else None


def _box_sides(sides: np.ndarray, rules: np.ndarray, page: np.ndarray,
               reach: int) -> np.ndarray:
    """(H, W) bool: the upright lines in ``sides`` that end on a rule at both ends and
    stand alone on ``page`` (the mask without its rules). A digit's stroke on squared
    paper also runs from one rule to the next, but it is part of a wider mark."""
    n, parts, stats, _ = cv2.connectedComponentsWithStats(sides.astype(np.uint8))
    keep = np.zeros(n, bool)
    if n == 1:
        return keep[parts]
    _, marks, mark_stats, _ = cv2.connectedComponentsWithStats(page.astype(np.uint8))
    for i in range(1, n):
        x, y, w, h = stats[i, :4]
        cols = slice(max(0, x - reach), x + w + reach)
        top = rules[max(0, y - reach) : y + reach + 1, cols].any()
        bottom = rules[max(0, y + h - 1 - reach) : y + h + reach, cols].any()
        if not (top and bottom):
            continue
        on = marks[y : y + h, x : x + w][parts[y : y + h, x : x + w] == i]
        keep[i] = mark_stats[np.unique(on[on > 0]), cv2.CC_STAT_WIDTH].max(initial=0) <= w
    return keep[parts]


def remove_rules(mask: np.ndarray, height: float, length: float = 2.5,
                 tall: float = 1.8, ink: np.ndarray | None = None) -> np.ndarray:
    """``mask`` (H, W) bool without long straight lines: rules, boxes, underlines, margins.

    Horizontal lines longer than ``length`` x ``height`` and vertical ones
    taller than ``tall`` x ``height`` go (a 1 is about one height tall).

    Ruled lines, boxes, underlines and margins are found by a morphological
    opening with long thin kernels, done where a digit is ~20 px tall (fast,
    and a slightly tilted rule still fits in a band ``LINE_SLACK`` px high).
    Only the line's own thickness is taken away: where ink runs across it
    further than that (a stroke crossing it, a 2's base resting on it) the
    ink stays, so digits written on ruled paper keep their shape. With the
    soft ``ink`` (H, W) float, a line printed fainter than the pen (the rules
    of a notebook, a grid) gives up only its faint pixels: a 7's bar written
    along a rule of squared paper is as dark as the pen and stays.

    Examples
    --------
    >>> page = np.zeros((60, 300), bool); page[40:42, :] = True; page[10:50, 100:103] = True
    >>> clean = remove_rules(page, height=30)
    >>> bool(clean[41, 10]), bool(clean[41, 101]), bool(clean[20, 101])
    (False, True, True)
    """
    rules = _lines_near(mask, height, length)
    out = mask if rules is None else mask & ~_line_itself(mask, rules, False, ink)
    # Upright lines are looked for once the rules are gone: on squared paper a
    # digit's stroke from one rule to the next, with the rules, was a tall line.
    sides = _lines_near(out, height, tall, vertical=True)
    if rules is not None:
        # The sides of a box drawn tight round the writing are short, but they
        # meet its top AND bottom lines; a 1 on a ruled line meets only one.
        short = _lines_near(out, height, BOX_SIDE, vertical=True)
        if short is not None:
            boxed = _box_sides(short, rules, out, reach=max(3, round(0.1 * height)))
            sides = boxed if sides is None else sides | boxed
    return out if sides is None else out & ~_line_itself(out, sides, True, ink)


def _line_itself(mask: np.ndarray, zone: np.ndarray, vertical: bool,
                 ink: np.ndarray | None = None) -> np.ndarray:
    """(H, W) bool: the pixels of the lines in ``zone`` that are only the line: where
    ink runs across it further than its own thickness (a stroke crossing it, a 2's
    base resting on it), the ink is the writing's; and, where the line is fainter
    than the writing (``LINE_FAINT``), where the ``ink`` is as dark as the pen's."""
    m, z = (mask.T, zone.T) if vertical else (mask, zone)
    runs = _run_lengths(m)  # across the line: its thickness, or more where a stroke crosses
    on_line = m & z
    if not on_line.any():
        return np.zeros(mask.shape, bool)
    thickness = float(np.median(runs[on_line]))
    thin = on_line & (runs <= 1.5 * thickness + 1)
    if vertical:
        thin = thin.T
    if ink is not None and thin.any():
        writing = mask & ~zone
        line = float(np.percentile(ink[thin], 75))  # its darkest, not its edges
        pen = float(np.percentile(ink[writing], 90)) if writing.any() else 0.0
        if line < LINE_FAINT * pen:
            thin &= ink < (line + pen) / 2
    return thin


def _fragments_of_one_digit(a: Mark, b: Mark, height: float, marks: list[Mark]) -> bool:
    """Do ``a`` and ``b`` (two of ``marks``) look like two strokes of ONE digit
    (stacked, one column)?"""
    short = min(a, b, key=lambda m: m.h)
    if max(short.w, short.h) < 0.2 * height:  # a dot or a speck, not a stroke
        return False
    y_overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    # Pieces must share a column; a slanted stroke cut in two shifts sideways.
    x_overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    span = max(a.y1, b.y1) - min(a.y0, b.y0)
    # A digit standing alone (one on the page, a one-digit number) sets the usual
    # height with its own pieces, so the tests against it below cannot tell its
    # halves from two lines or two digits. Its pieces almost touch, share their
    # columns, and nothing stands beside them on their level.
    if (-y_overlap <= STACK_GAP * span and x_overlap >= 0.5 * min(a.w, b.w)
            and not (_in_a_row(a, marks) or _in_a_row(b, marks))):
        return True
    if -y_overlap > 0.4 * height:  # too far apart vertically
        return False
    if span > 1.6 * max(height, a.h, b.h):  # two lines of text
        return False
    stacked = y_overlap <= 0.35 * short.h  # one above the other
    if x_overlap < 0.5 * min(a.w, b.w) - (0.15 * height if stacked else 0.0):
        return False
    # Side by side, only a short piece beside a taller one (a 5's bar, a 9's
    # loop cut off its stem) is a fragment: two whole digits are both tall.
    return stacked or short.h < 0.7 * height


def _in_a_row(mark: Mark, marks: list[Mark]) -> bool:
    """Does another mark stand beside ``mark``, on its level and about as tall?"""
    return any(
        other is not mark and other.h >= 0.5 * mark.h
        and min(mark.y1, other.y1) - max(mark.y0, other.y0) >= 0.5 * min(mark.h, other.h)
        and (other.x0 >= mark.x1 or other.x1 <= mark.x0)
        for other in marks
    )


def merge_fragments(marks: list[Mark], height: float) -> list[Mark]:
    """Join the pieces of broken digits (a faint pen, a 5's detached bar, a cut stroke).

    Examples
    --------
    >>> top, bottom = Mark(10, 0, 30, 14, (1,), 80), Mark(9, 17, 31, 40, (2,), 120)
    >>> [sorted(m.labels) for m in merge_fragments([top, bottom], height=40)]
    [[1, 2]]
    >>> top, bottom = Mark(10, 0, 30, 20, (1,), 80), Mark(9, 21, 31, 40, (2,), 120)
    >>> [sorted(m.labels) for m in merge_fragments([top, bottom], height=20)]
    [[1, 2]]
    >>> upper, lower = Mark(10, 0, 30, 20, (1,), 80), Mark(9, 30, 31, 50, (2,), 120)
    >>> len(merge_fragments([upper, lower], height=20))  # two lines, half a digit apart
    2
    """
    marks = sorted(marks, key=lambda m: m.x0)
    changed = True
    while changed:
        changed = False
        for i in range(len(marks)):
            for j in range(i + 1, len(marks)):
                if marks[j].x0 > marks[i].x1:
                    break  # sorted by x0: no later mark overlaps marks[i] in x
                if _fragments_of_one_digit(marks[i], marks[j], height, marks):
                    marks[i] = marks[i].joined(marks.pop(j))
                    changed = True
                    break
            if changed:
                break
    return marks


def slant(mask: np.ndarray) -> float:
    """Horizontal shift per row down of a blob's strokes (> 0 leans right), from its moments."""
    m = cv2.moments(mask.astype(np.uint8), binaryImage=True)
    return float(np.clip(-m["mu11"] / m["mu02"], -0.6, 0.6)) if m["mu02"] > 0 else 0.0


def _seams(mask: np.ndarray, s: float, count: int) -> list[np.ndarray]:
    """Up to ``count`` top-to-bottom paths (h,) of x through the least ink of (h, w) bool.

    Paths follow the slant ``s`` and may bend one pixel per row, so a cut can
    go round a stroke instead of through it (a 7's bar over the next digit).
    They end in the middle part of the blob, a tenth of its width apart.
    """
    h, w = mask.shape
    # Straighten the writing first so that a path may stay mostly vertical.
    pad = int(np.ceil(abs(s) * h / 2)) + 1
    matrix = np.float32([[1, s, pad - s * h / 2], [0, 1, 0]])
    upright = cv2.warpAffine(mask.astype(np.uint8), matrix, (w + 2 * pad, h),
                             flags=cv2.INTER_NEAREST).astype(np.float32)  # (h, w + 2 pad)
    cols = np.flatnonzero(upright.any(axis=0))
    first, last = int(cols[0]), int(cols[-1])
    lo, hi = first + int(CUT_RANGE[0] * (last - first)), first + int(CUT_RANGE[1] * (last - first))
    if hi - lo < 2:
        return []
    big = 1e6
    total = upright.copy()  # (h, W): least ink on a path from the top to each pixel
    total[:, :lo] = total[:, hi:] = big  # paths stay in the middle part of the blob
    moves = np.zeros(upright.shape, np.int8)
    for y in range(1, h):
        prev = total[y - 1]
        options = np.stack([np.r_[big, prev[:-1]], prev, np.r_[prev[1:], big]])  # (3, W)
        step = options.argmin(axis=0)
        moves[y] = step - 1
        total[y] += options[step, np.arange(len(prev))] + BEND * (step != 1)
    ends = lo + np.argsort(total[-1, lo:hi], kind="stable")
    chosen: list[int] = []
    for end in ends.tolist():
        if all(abs(end - other) >= max(2, 0.1 * (last - first)) for other in chosen):
            chosen.append(end)
        if len(chosen) == count:
            break
    paths = []
    for end in chosen:
        xs = np.empty(h, np.float32)
        x = end
        for y in range(h - 1, -1, -1):
            xs[y] = x
            x += int(moves[y, x])
        # Back to the blob's own columns: undo the straightening row by row.
        paths.append(xs - pad - s * (np.arange(h) - h / 2))
    return paths


def cuts(mask: np.ndarray, max_cuts: int = 3) -> list[np.ndarray]:
    """Ways to cut a wide blob (h, w) bool into two touching digits, best first.

    Each cut is a (h, w) bool "left part" mask, bounded by a path from top to
    bottom through the least ink, following the writing's slant.

    Examples
    --------
    >>> pair = np.zeros((20, 30), bool); pair[:, 2:5] = pair[:, 20:23] = True
    >>> pair[10, :] = True  # the touching stroke
    >>> left = cuts(pair)[0]
    >>> bool(left[:, 2:5].all()), bool(left[:, 20:23].any())
    (True, False)
    """
    columns = np.arange(mask.shape[1])[None, :]
    area = mask.sum()
    out = []
    for path in _seams(mask, slant(mask), max_cuts):
        left = columns < path[:, None]
        if MIN_PART * area <= (mask & left).sum() <= (1 - MIN_PART) * area:
            out.append(left)
    return out


def group_lines(marks: list[Mark], height: float) -> list[list[Mark]]:
    """Marks into lines of text, top to bottom, each left to right.

    Marks are taken left to right; each joins the line whose latest mark is
    level with it (centres within 0.6 x ``height``), so a slightly tilted
    line of writing still holds together.

    Examples
    --------
    >>> row = [Mark(x, 0, x + 8, 10, (i,), 50) for i, x in enumerate((40, 0, 20))]
    >>> below = Mark(5, 30, 13, 40, (9,), 50)
    >>> [[m.x0 for m in line] for line in group_lines(row + [below], height=10)]
    [[0, 20, 40], [5]]
    """
    lines: list[list[Mark]] = []
    for mark in sorted(marks, key=lambda m: m.cx):
        level = [(abs(line[-1].cy - mark.cy), i) for i, line in enumerate(lines)
                 if abs(line[-1].cy - mark.cy) <= 0.6 * height]
        if level:
            lines[min(level)[1]].append(mark)
        else:
            lines.append([mark])
    return sorted(lines, key=lambda line: float(np.mean([m.cy for m in line])))
