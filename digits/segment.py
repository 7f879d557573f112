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
CUT_RANGE = (0.15, 0.85)  # a cut between touching digits lies in this part of the width


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
    ignored; the 75th percentile leans towards whole digits over fragments.
    """
    heights = [m.h for m in marks if m.h >= min_px and m.w <= 3 * m.h]
    return float(np.percentile(heights, 75)) if heights else None


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
                tall: float) -> list[np.ndarray | None]:
    """(H, W) bool zones around long horizontal and vertical straight lines in ``mask``."""
    h, w = mask.shape
    f = min(1.0, LINE_WORK_HEIGHT / height)
    u8 = mask.astype(np.uint8) * 255
    small = u8 if f == 1.0 else cv2.resize(u8, (max(1, round(w * f)), max(1, round(h * f))),
                                           interpolation=cv2.INTER_AREA)
    small = (small > 0).astype(np.uint8)
    k, kv = (max(3, round(r * height * f)) for r in (length, tall))
    zones = []
    for across, along, gap in (((LINE_SLACK, 1), (1, k), (1, LINE_BREAK)),
                               ((1, LINE_SLACK), (kv, 1), (LINE_BREAK, 1))):
        band = cv2.dilate(small, np.ones(across, np.uint8))
        band = cv2.morphologyEx(band, cv2.MORPH_CLOSE, np.ones(gap, np.uint8))
        lines = cv2.morphologyEx(band, cv2.MORPH_OPEN, np.ones(along, np.uint8)) & small
        if not lines.any():
            zones.append(None)
            continue
        zone = cv2.resize(lines, (w, h), interpolation=cv2.INTER_NEAREST)
        zones.append(cv2.dilate(zone, np.ones((3, 3), np.uint8)).astype(bool))
    return zones


def remove_rules(mask: np.ndarray, height: float, length: float = 2.5,
                 tall: float = 1.8) -> np.ndarray:
    """``mask`` (H, W) bool without long straight lines: rules, boxes, underlines, margins.

    Horizontal lines longer than ``length`` x ``height`` and vertical ones
    taller than ``tall`` x ``height`` go (a 1 is about one height tall).

    Ruled lines, boxes, underlines and margins are found by a morphological
    opening with long thin kernels, done where a digit is ~20 px tall (fast,
    and a slightly tilted rule still fits in a band ``LINE_SLACK`` px high).
    Only the line's own thickness is taken away: where ink runs across it
    further than that (a stroke crossing it, a 2's base resting on it) the
    ink stays, so digits written on ruled paper keep their shape.

    Examples
    --------
    >>> page = np.zeros((60, 300), bool); page[40:42, :] = True; page[10:50, 100:103] = True
    >>> clean = remove_rules(page, height=30)
    >>> bool(clean[41, 10]), bool(clean[41, 101]), bool(clean[20, 101])
    (False, True, True)
    """
    zones = _lines_near(mask, height, length, tall)
    out = mask
    for zone, transpose in zip(zones, (False, True)):
        if zone is None:
            continue
        m, z = (mask.T, zone.T) if transpose else (mask, zone)
        runs = _run_lengths(m)  # across the line: its thickness, or more where a stroke crosses
        on_line = m & z
        thickness = float(np.median(runs[on_line]))
        thin = on_line & (runs <= 1.5 * thickness + 1)
        out = out & ~(thin.T if transpose else thin)
    return out


def _fragments_of_one_digit(a: Mark, b: Mark, height: float) -> bool:
    """Do ``a`` and ``b`` look like two strokes of ONE digit (stacked, one column)?"""
    narrow, wide = (a, b) if a.w <= b.w else (b, a)
    x_overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    if x_overlap < 0.5 * narrow.w:
        return False
    y_overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    if -y_overlap > 0.4 * height:  # too far apart vertically
        return False
    if max(a.y1, b.y1) - min(a.y0, b.y0) > 1.6 * max(height, a.h, b.h):  # two lines of text
        return False
    short = min(a, b, key=lambda m: m.h)
    if max(short.w, short.h) < 0.2 * height:  # a dot or a speck, not a stroke
        return False
    # One above the other, or a short piece beside a taller one (a 5's bar,
    # a 9's loop cut off its stem). Two whole digits are both full height.
    return y_overlap <= 0.35 * short.h or short.h < 0.7 * height


def merge_fragments(marks: list[Mark], height: float) -> list[Mark]:
    """Join the pieces of broken digits (a faint pen, a 5's detached bar, a cut stroke).

    Examples
    --------
    >>> top, bottom = Mark(10, 0, 30, 14, (1,), 80), Mark(9, 17, 31, 40, (2,), 120)
    >>> [m.labels for m in merge_fragments([top, bottom], height=40)]
    [(1, 2)]
    """
    marks = sorted(marks, key=lambda m: m.x0)
    changed = True
    while changed:
        changed = False
        for i in range(len(marks)):
            for j in range(i + 1, len(marks)):
                if marks[j].x0 > marks[i].x1:
                    break  # sorted by x0: no later mark overlaps marks[i] in x
                if _fragments_of_one_digit(marks[i], marks[j], height):
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


def cuts(mask: np.ndarray, max_cuts: int = 3) -> list[np.ndarray]:
    """Ways to cut a wide blob (h, w) bool into two touching digits, best first.

    Each cut is a (h, w) bool "left part" mask. A cut follows the writing's
    slant through the thinnest place of the slanted column profile (least
    ink), in the middle part of the blob; cuts are a tenth of the width apart.

    Examples
    --------
    >>> pair = np.zeros((20, 30), bool); pair[:, 2:5] = pair[:, 20:23] = True
    >>> pair[10, :] = True  # the touching stroke
    >>> left = cuts(pair)[0]
    >>> bool(left[:, 2:5].all()), bool(left[:, 20:23].any())
    (True, False)
    """
    h, w = mask.shape
    s = slant(mask)
    ys, xs = np.indices(mask.shape)
    shifted = xs + s * (ys - h / 2)  # (h, w): column of each pixel once upright
    lo_x, hi_x = float(shifted.min()), float(shifted.max())
    bins = np.floor(shifted - lo_x).astype(np.int32)
    profile = np.bincount(bins[mask], minlength=int(hi_x - lo_x) + 2).astype(np.float32)
    profile = np.convolve(profile, np.ones(3) / 3, mode="same")
    inked = np.flatnonzero(profile > 0)
    if len(inked) < 4:
        return []
    first, last = inked[0], inked[-1]
    span = last - first
    lo, hi = first + int(CUT_RANGE[0] * span), first + int(np.ceil(CUT_RANGE[1] * span))
    order = lo + np.argsort(profile[lo:hi], kind="stable")
    chosen: list[int] = []
    for c in order.tolist():
        if all(abs(c - other) >= max(2, 0.1 * span) for other in chosen):
            chosen.append(c)
        if len(chosen) == max_cuts:
            break
    return [bins < c for c in chosen]


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
