"""Unit tests of digits.segment's line removal: rules, boxes and squared paper."""

import cv2
import numpy as np

from digits.segment import remove_rules

HEIGHT = 30  # px: the digits' height on these pages


def squared_paper(shape=(150, 300), step=30, width=1) -> np.ndarray:
    """(H, W) bool: the lines of squared paper, one cell about a digit tall."""
    grid = np.zeros(shape, np.uint8)
    for y in range(5, shape[0], step):
        cv2.line(grid, (0, y), (shape[1], y), 1, width)
    for x in range(5, shape[1], step):
        cv2.line(grid, (x, 0), (x, shape[0]), 1, width)
    return grid.astype(bool)


def test_faint_rule_gives_up_only_its_faint_pixels():
    """A 7's bar written along a rule is as thin as the rule; by shape alone it went
    with it. Printed fainter than the pen, the rule is told from the bar by its ink."""
    mask = np.zeros((80, 300), bool)
    mask[50:52, :] = True  # the rule
    mask[50:52, 100:130] = True  # a bar written along it...
    mask[52:75, 126:129] = True  # ... and the 7's stem below
    ink = np.where(mask, 0.35, 0.0).astype(np.float32)
    ink[50:52, 100:130] = ink[52:75, 126:129] = 1.0
    clean = remove_rules(mask, HEIGHT, ink=ink)
    assert not clean[50, 10] and not clean[51, 250]  # the rule is gone
    assert clean[50:52, 100:130].all()  # the bar stays
    assert not remove_rules(mask, HEIGHT)[50, 110]  # without the ink it cannot be told


def test_dark_printed_line_goes_as_before():
    """A box printed about as dark as the pen is no faint rule: the shape decides."""
    mask = np.zeros((80, 300), bool)
    mask[50:52, :] = True
    mask[20:60, 150:153] = True  # a 1 standing on the line
    ink = np.where(mask, 0.9, 0.0).astype(np.float32)
    ink[20:60, 150:153] = 1.0
    clean = remove_rules(mask, HEIGHT, ink=ink)
    assert not clean[50, 10] and not clean[51, 250]
    assert clean[25:50, 150:153].all()


def test_digit_strokes_from_line_to_line_of_squared_paper_stay():
    """On squared paper a digit's upright stroke runs from one line to the next, as
    the side of a box drawn round the writing does; but it is part of a wider mark.
    The reader before took such strokes for box sides (a 4 lost both its stems)."""
    grid = squared_paper()
    four = np.zeros_like(grid)
    four[35:63, 113:116] = True  # left stem, from the line at y=35 down to the next
    four[48:51, 113:135] = True  # the bar, across the cell's middle
    four[35:66, 132:135] = True  # right stem
    clean = remove_rules(grid | four, HEIGHT)
    assert clean[38:62, 113:116].all() and clean[38:62, 132:135].all()
    assert not clean[95, 10:100].any() and not clean[100:140, 95].any()  # the grid went


def test_dotted_upright_line_is_a_line():
    """A faint grid's lines come out dotted; an upright line may skip a few pixels."""
    mask = np.zeros((200, 300), bool)
    for y in range(0, 200, 6):
        mask[y : y + 4, 40:42] = True  # 4 px inked, 2 px missing
    mask[80:110, 150:153] = True  # a 1
    clean = remove_rules(mask, HEIGHT)
    assert not clean[:, 40:42].any()
    assert clean[80:110, 150:153].all()


def test_digits_in_two_lines_are_no_upright_line():
    """1s written under each other are no line: a line of text is most of a digit's
    height below the other, far more than an upright line may skip."""
    mask = np.zeros((270, 200), bool)
    for top in (10, 60, 110, 160, 210):  # five lines of one digit each, 20 px apart
        mask[top : top + HEIGHT, 100:103] = True
    assert (remove_rules(mask, HEIGHT) == mask).all()
