"""Read whole numbers from a photo or scan: every digit on the page, in reading order.

The page goes through the same preprocessing as a single digit
(:func:`digits.preprocess.find_ink` once, :func:`digits.preprocess.digit_from_ink`
per digit) and the same model, in one batch. In between, :mod:`digits.segment`
removes ruled lines, joins broken digits and proposes cuts through touching
ones; the model's confidence decides which cut, if any, to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from digits.decode import ImageError
from digits.predict import LOW_CONFIDENCE, Recognizer, active_recognizer
from digits.preprocess import digit_from_ink, find_ink
from digits.segment import (
    Mark,
    cuts,
    find_marks,
    group_lines,
    merge_fragments,
    remove_rules,
    typical_height,
)


@dataclass(frozen=True)
class ReaderConfig:
    """How pages are read. Lengths marked "x height" are relative to the usual digit height."""

    max_side: int = 1600  # px: larger pages are downscaled to this longer side first
    max_candidates: int = 64  # more digit-like marks than this and the page is refused
    number_gap: float = 0.8  # x height: a wider gap between digits starts a new number
    rule_length: float = 2.5  # x height: horizontal straight strokes this long are rules
    rule_height: float = 1.8  # x height: vertical straight strokes this tall are box sides
    min_digit_px: int = 8  # working px: shorter marks are never digits
    min_digit_height: float = 0.5  # x height: shorter marks are dots, dashes or specks
    speck_size: float = 0.08  # x height: marks smaller than this are dust and ignored
    split_aspect: float = 0.95  # marks wider than this x their own height may be two digits
    max_cuts: int = 3  # cut points tried per wide mark
    low_confidence: float = LOW_CONFIDENCE  # digits below this are flagged as unsure


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


@dataclass(frozen=True)
class PageReading:
    """Everything read from one page."""

    digits: list[ReadDigit]
    lines: list[str]  # one string per line, numbers separated by one space: ["1250 34", "907"]
    text: str  # all numbers in reading order, one space apart: "1250 34 907"
    separators: list[dict] = field(default_factory=list)  # {"char": ".", "box": [x, y, w, h]}

    def to_dict(self) -> dict:
        """JSON-ready summary: ``{"text", "lines", "digits": [{"digit", "confidence", "box"}]}``."""
        return {
            "text": self.text,
            "lines": list(self.lines),
            "digits": [{"digit": int(d.digit), "confidence": round(float(d.confidence), 6),
                        "box": [int(v) for v in d.box]} for d in self.digits],
        }


EMPTY = PageReading([], [], "", [])


@dataclass
class _Found:
    """A digit the model has read, in working pixels, before ordering."""

    mark: Mark
    probabilities: np.ndarray  # (10,)
    model_input: np.ndarray  # (28, 28)


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


def _find_digit_marks(mask: np.ndarray, config: ReaderConfig):
    """Clean the mask and find (labels, digit marks, small marks, height); None if no digits."""
    labels, marks = find_marks(mask)
    height = typical_height(marks, config.min_digit_px)
    if height is None:
        # All ink hangs on long lines (a box, ruled paper) or is dust: first take
        # away lines as long as a good part of the page, then look again.
        mask = remove_rules(mask, max(mask.shape) / 8, config.rule_length, config.rule_height)
        labels, marks = find_marks(mask)
        height = typical_height(marks, config.min_digit_px)
        if height is None:
            return None
    mask = remove_rules(mask, height, config.rule_length, config.rule_height)
    labels, marks = find_marks(mask)
    height = typical_height(marks, config.min_digit_px) or height
    marks = [m for m in marks if max(m.w, m.h) >= config.speck_size * height]
    if len(marks) > 4 * config.max_candidates:
        raise _too_many(config)
    marks = merge_fragments(marks, height)
    tall = max(config.min_digit_px, config.min_digit_height * height)
    digits = [m for m in marks if m.h >= tall]
    small = [m for m in marks if m.h < tall and max(m.w, m.h) <= 0.45 * height]
    if len(digits) > config.max_candidates:
        raise _too_many(config)
    return labels, digits, small, height


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


def _read_marks(marks: list[Mark], labels: np.ndarray, ink: np.ndarray,
                recognizer: Recognizer, config: ReaderConfig) -> list[_Found]:
    """Run the model once over every mark and every cut of the wide ones; keep the best reading."""
    inputs: list[np.ndarray] = []  # (28, 28) each
    plans = []  # per mark: (mark, its input index, [(left mark, right mark, i, j), ...])
    for mark in marks:
        own = mark.mask(labels)  # (h, w) bool
        crop = ink[mark.y0 : mark.y1, mark.x0 : mark.x1]
        whole = digit_from_ink(crop, own)
        if whole is None:
            continue
        index = len(inputs)
        inputs.append(whole)
        splits = []
        if mark.w >= config.split_aspect * mark.h:
            for left in cuts(own, config.max_cuts):
                halves = [own & left, own & ~left]
                read = [digit_from_ink(crop, half) if half.any() else None for half in halves]
                if read[0] is None or read[1] is None:
                    continue
                splits.append((_pixels_box(mark, halves[0]), _pixels_box(mark, halves[1]),
                               len(inputs), len(inputs) + 1))
                inputs.extend(read)
        plans.append((mark, index, splits))
    if not inputs:
        return []
    probs = recognizer.probabilities(np.stack(inputs))  # (N, 10)
    found = []
    for mark, i, splits in plans:
        best = float(probs[i].max())
        keep = [_Found(mark, probs[i], inputs[i])]
        for left, right, a, b in splits:
            # Geometric mean: both halves must look like digits for a cut to win.
            score = float(np.sqrt(probs[a].max() * probs[b].max()))
            if score > best:
                best = score
                keep = [_Found(left, probs[a], inputs[a]), _Found(right, probs[b], inputs[b])]
        found.extend(keep)
    return found


def _separator(dot: Mark, before: Mark, after: Mark, height: float) -> dict | None:
    """A dot or comma written low between two digits of one line, else None."""
    if not (before.cx < dot.cx < after.cx) or max(dot.w, dot.h) < 0.1 * height:
        return None
    if dot.cy < (before.cy + after.cy) / 2 or dot.y0 > max(before.y1, after.y1) + 0.3 * height:
        return None
    return {"char": "." if dot.h <= 1.5 * dot.w else ",", "mark": dot}


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
    image, pre_scale = _shrink(image, config.max_side)
    found_ink = find_ink(image)
    scale = pre_scale * found_ink.scale
    if not found_ink.mask.any():
        return EMPTY
    page = _find_digit_marks(found_ink.mask, config)
    if page is None:
        return EMPTY
    labels, marks, small, height = page
    found = _read_marks(marks, labels, found_ink.ink, recognizer, config)
    if not found:
        return EMPTY
    by_mark = {f.mark: f for f in found}
    digits: list[ReadDigit] = []
    lines: list[str] = []
    separators: list[dict] = []
    number = -1
    for line_no, line in enumerate(group_lines([f.mark for f in found], height)):
        line_height = float(np.median([m.h for m in line]))
        words: list[str] = []
        for k, mark in enumerate(line):
            joined = None
            if k:
                before = line[k - 1]
                joined = next((s for dot in small
                               if (s := _separator(dot, before, mark, line_height))), None)
                if joined:
                    separators.append(joined)
            gap = mark.x0 - line[k - 1].x1 if k else np.inf
            if gap > config.number_gap * line_height and not (
                    joined and gap <= 2 * config.number_gap * line_height):
                number += 1
                words.append("")
            f = by_mark[mark]
            digit = int(f.probabilities.argmax())
            confidence = float(f.probabilities[digit])
            words[-1] += str(digit)
            digits.append(ReadDigit(
                digit, confidence, f.probabilities, _original_box(mark, scale), f.model_input,
                line_no, number, confidence < config.low_confidence))
        lines.append(" ".join(words))
    seps = [{"char": s["char"], "box": list(_original_box(s["mark"], scale))} for s in separators]
    return PageReading(digits, lines, " ".join(lines), seps)


def _original_box(mark: Mark, scale: float) -> tuple[int, int, int, int]:
    """(x, y, w, h) of a working-pixel mark in the original image's pixels."""
    return (int(mark.x0 * scale), int(mark.y0 * scale),
            int(np.ceil(mark.w * scale)), int(np.ceil(mark.h * scale)))
