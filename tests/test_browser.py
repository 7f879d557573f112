"""The running app in a real browser: Debian's Chromium driven by Playwright.

A session fixture starts ``streamlit run`` on a free localhost port; the tests
draw with real mouse strokes, upload files and open the Training page, and save
a screenshot of each page to ``docs/screenshots/``.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import ROOT, running_app
from PIL import Image

from digits.examples import number_photo, pick_test_digits
from digits.synth import number_page

pytestmark = pytest.mark.browser
SHOTS = ROOT / "docs" / "screenshots"
WAIT_MS = 60_000  # the 2-core CI machine may be busy
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app on a free localhost port, shared by the tests in this file."""
    with running_app(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def screenshot(page, name: str, height: int) -> None:
    """Save the page; the app scrolls inside its own frame, so the window is made tall."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": height})
    time.sleep(1.0)  # let charts finish their transitions
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})


def draw(page, points: list[tuple[float, float]]) -> None:
    """One mouse stroke through ``points`` given as fractions of the canvas size."""
    canvas = page.locator("canvas.upper-canvas")
    expect(canvas).to_have_count(1)  # a cleared canvas is replaced
    canvas.wait_for(timeout=WAIT_MS)
    time.sleep(0.3)  # let a freshly mounted canvas attach its mouse handlers
    box = canvas.bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(xy, xy[1:]):
        for t in np.linspace(0, 1, 12)[1:]:
            page.mouse.move(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
    page.mouse.up()


def test_drawing_a_one_and_a_seven_shows_each_digit(page, app_url):
    """Real strokes on the canvas: a 1, then Clear, then a 7."""
    page.goto(app_url)
    answer = page.locator(".digits-answer")
    draw(page, [(0.5, 0.15), (0.5, 0.85)])
    expect(answer).to_have_text("1")
    page.get_by_role("button", name="Clear").click()
    expect(answer).to_have_count(0)
    draw(page, [(0.25, 0.2), (0.75, 0.2), (0.4, 0.85)])
    expect(answer).to_have_text("7")
    expect(page.locator(".digits-bars")).to_have_count(1)
    expect(page.get_by_text("Where it looked", exact=False)).to_be_visible()
    screenshot(page, "draw", 1100)


def test_drawing_a_number_reads_every_digit(page, app_url):
    """In the several-digits mode, a 1 and a 7 side by side are read as 17."""
    page.goto(app_url)
    page.get_by_text("A number", exact=True).click()
    expect(page.locator("canvas.upper-canvas")).to_have_count(1)
    expect(page.get_by_text("Write a number across the box")).to_be_visible()
    draw(page, [(0.2, 0.15), (0.2, 0.85)])
    expect(page.locator(".digits-number")).to_have_text("1")
    draw(page, [(0.3, 0.15), (0.45, 0.15), (0.34, 0.85)])
    expect(page.locator(".digits-number")).to_have_text("17")
    expect(page.locator(".digits-bars")).to_have_count(2)
    screenshot(page, "draw-number", 1400)


def test_uploading_a_photo_of_a_number_shows_the_number(page, app_url, mnist, tmp_path):
    """A photo-like PNG of 382 (MNIST test digits on paper) is read as 382."""
    rng = np.random.default_rng(7)
    path = tmp_path / "amount.png"
    Image.fromarray(number_photo(pick_test_digits(mnist, "382", rng), rng)).save(path)
    page.goto(f"{app_url}/upload")
    page.locator("input[type=file]").set_input_files(path)
    expect(page.locator(".digits-number")).to_have_text("382")
    expect(page.get_by_text("Digits found")).to_be_visible()
    expect(page.locator(".digits-bars")).to_have_count(3)
    screenshot(page, "upload", 1500)


def test_dollar_sign_on_a_check_is_shown_as_left_out(page, app_url, mnist, tmp_path):
    """A check amount "$4,095" reads 4095; the sign is boxed in grey and said to be left out."""
    rng = np.random.default_rng(12)  # digits the model reads surely: this tests the "$"
    image, text = number_page(rng, [["$4,095"]], mnist.x_test[:400], mnist.y_test[:400],
                              digit_px=60, pen=5)
    path = tmp_path / "check.png"
    Image.fromarray(image).save(path)
    page.goto(f"{app_url}/upload")
    page.locator("input[type=file]").set_input_files(path)
    expect(page.locator(".digits-number")).to_have_text(text)
    expect(page.get_by_text("Left out 1 mark that is not a digit (grey boxes)")).to_be_visible()
    screenshot(page, "upload-dollar", 1100)


def test_link_to_a_page_works_as_a_fresh_servers_first_visit(page, tmp_path):
    """A shared link to /training, the first request a (re)started server gets, opens
    that page with the app's navigation and sidebar, not a bare list of pages/ files."""
    with running_app(tmp_path / "server.log") as url:
        page.goto(f"{url}/training")
        expect(page.get_by_test_id("stSidebarUserContent")).to_contain_text("Active model")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav).to_contain_text("Read a photo")
        expect(nav).not_to_contain_text("shared")
        expect(page).to_have_url(f"{url}/training")


def test_uploading_a_text_file_shows_one_clear_error(page, app_url, tmp_path):
    """A text file gets a sentence saying what is wrong, and the page stays usable."""
    path = tmp_path / "notes.txt"
    path.write_text("Pay to the order of Jane Doe: one hundred dollars\n")
    page.goto(f"{app_url}/upload")
    page.locator("input[type=file]").set_input_files(path)
    error = page.locator("[data-testid='stAlertContentError']")
    expect(error).to_have_text("This file is not an image (it looks like text).")
    expect(error).to_have_count(1)
    expect(page.get_by_text("Traceback")).to_have_count(0)
    page.get_by_text("Example", exact=True).click()
    expect(page.get_by_role("button", name="Try this one")).to_have_count(3)


def test_training_page_draws_its_charts(page, app_url):
    """The curves, the confusion matrix and the class counts render as Plotly charts."""
    page.goto(f"{app_url}/training")
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(3)
    expect(page.locator(".js-plotly-plot .heatmaplayer")).to_have_count(1)
    expect(page.locator(".js-plotly-plot .scatterlayer .trace")).to_have_count(4)
    expect(page.get_by_text("Test accuracy", exact=True).first).to_be_visible()  # card
    screenshot(page, "training", 3000)
