"""The pages, run headless with Streamlit's AppTest: what a user sees after each action."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from conftest import ROOT, fresh_python
from PIL import Image
from streamlit.testing.v1 import AppTest

from digits.examples import EXAMPLES, number_photo, pick_test_digits
from digits.synth import mouse_drawing

TIMEOUT = 60  # s per script run: the 2-core CI machine is shared


def open_page(page: str | None = None) -> AppTest:
    """The app started from its router, switched to ``page`` (a path under pages/)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=TIMEOUT).run()
    if page:
        at.switch_page(page).run()
    return at


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def canvas_state(rgba: np.ndarray) -> dict:
    """What the drawable canvas sends back after a stroke: Fabric JSON + a PNG data URL."""
    url = "data:image/png;base64," + base64.b64encode(png_bytes(rgba)).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url}}


@pytest.fixture
def bundle():
    """The active model bundle the app serves."""
    from digits.bundle import active_bundle

    return active_bundle()


def texts(at: AppTest) -> str:
    """Every piece of markdown on the page, joined."""
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture
def drawn_seven(mnist, rng):
    """A 7 from the MNIST test split, redrawn with a mouse-like pen on a 360 px canvas."""
    seven = mnist.x_test[np.flatnonzero(mnist.y_test == 7)[0]]
    return mouse_drawing(seven, rng, canvas=(360, 360), stroke=18)


@pytest.fixture
def drawn_number(mnist, rng):
    """The number 417 drawn across the wide canvas of the several-digits mode."""
    parts = []
    for digit in pick_test_digits(mnist, "417", rng):
        drawing = mouse_drawing(digit, rng, canvas=(300, 300), stroke=16)
        inked = np.flatnonzero(drawing[..., 0].min(axis=0) < 128)
        parts += [drawing[:, inked.min() : inked.max() + 1], np.full((300, 40, 4), 255, np.uint8)]
    row = np.hstack(parts)
    return np.pad(row, ((0, 0), (40, 900 - 40 - row.shape[1]), (0, 0)), constant_values=255)


@pytest.fixture
def three_digit_photo(mnist):
    """A photo-like PNG of the number 382 written with MNIST test digits."""
    rng = np.random.default_rng(7)
    return png_bytes(number_photo(pick_test_digits(mnist, "382", rng), rng))


def test_router_shows_pages_and_the_active_model(bundle):
    """The sidebar names the active model and its test accuracy."""
    at = open_page()
    assert not at.exception
    sidebar = "\n".join(m.value for m in at.sidebar.markdown)
    assert bundle.name in sidebar
    assert "% on the MNIST test set" in sidebar


def test_blank_canvas_gives_a_hint_and_no_prediction():
    """Before any stroke the Draw page asks for a drawing and shows no digit."""
    at = open_page("pages/draw.py")
    assert not at.exception
    assert "Draw a digit in the white box" in at.info[0].value
    assert "digits-bars" not in texts(at)


def test_drawn_digit_is_read_with_chart_input_and_saliency(drawn_seven):
    """A drawing injected as the canvas's value is read as 7, with bars and pictures."""
    at = open_page("pages/draw.py")
    at.session_state["draw_canvas_One digit_0"] = canvas_state(drawn_seven)
    at.run()
    assert not at.exception
    assert ">7</p>" in texts(at)
    assert "sure" in texts(at) and "Top 3:" in texts(at)
    assert texts(at).count('class="digits-bars"') == 1
    assert len(at.get("image")) == 2  # the 28x28 input and the saliency map


def test_low_confidence_asks_which_digit(mnist, rng):
    """Above the confidence threshold the page says it is not sure and offers two digits."""
    from digits.predict import active_recognizer

    recognizer = active_recognizer()
    # The first drawn 7 read as 7 below 100 % (a model may be all but certain of the others).
    drawings = (mouse_drawing(mnist.x_test[i], rng, canvas=(360, 360), stroke=18)
                for i in np.flatnonzero(mnist.y_test == 7)[:50])
    seven = next(d for d in drawings if (p := recognizer.predict(d)).digit == 7
                 and p.confidence < 0.999)
    at = open_page("pages/draw.py")
    at.session_state["draw_canvas_One digit_0"] = canvas_state(seven)
    at.slider(key="draw_threshold").set_value(1.0).run()
    assert not at.exception
    assert at.warning[0].value.startswith("Not sure — did you mean 7 or ")


def test_clear_button_empties_the_canvas(drawn_seven):
    """Clear mounts a fresh canvas, so the prediction goes away."""
    at = open_page("pages/draw.py")
    at.session_state["draw_canvas_One digit_0"] = canvas_state(drawn_seven)
    at.run()
    at.button(key="draw_clear").click().run()
    assert not at.exception
    assert at.session_state["draw_canvas_version"] == 1
    assert "Draw a digit in the white box" in at.info[0].value


def test_number_mode_reads_a_whole_number(drawn_number):
    """In the several-digits mode the wide canvas is read as one number."""
    at = open_page("pages/draw.py")
    at.segmented_control(key="draw_mode").set_value("A number").run()
    at.session_state["draw_canvas_A number_0"] = canvas_state(drawn_number)
    at.run()
    assert not at.exception
    assert ">417</p>" in texts(at)


def test_uploaded_photo_of_a_number_is_read(three_digit_photo):
    """An uploaded photo of 382 shows the number, the boxed picture and each digit."""
    at = open_page("pages/upload.py")
    at.file_uploader(key="upload_file").set_value(("amount.png", three_digit_photo, "image/png"))
    at.run()
    assert not at.exception and not at.error
    assert ">382</p>" in texts(at)
    assert texts(at).count('class="digits-bars"') == 3  # probability bars per digit


def test_digits_cut_from_a_touching_pair_say_so(mnist):
    """Each digit of a touching pair says it was cut apart; the other digits do not."""
    from digits.synth import number_page

    # A draw whose "4" and "1" the reader parts (in some draws it reads the pair as a 4).
    image, text = number_page(np.random.default_rng(2), [["4186"]], mnist.x_test,
                              mnist.y_test, touching=True, digit_px=60, pen=5, tilt=0)
    at = open_page("pages/upload.py")
    at.file_uploader(key="upload_file").set_value(("pair.png", png_bytes(image), "image/png"))
    at.run()
    assert not at.exception and not at.error
    notes = [c.value for c in at.caption if c.value.startswith("Cut apart")]
    assert f">{text}</p>" in texts(at) and len(notes) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.png", b"Pay to the order of: one hundred\n", "not an image (it looks like text)"),
        ("empty.png", b"", "The file is empty."),
        ("cut.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "damaged"),
    ],
)
def test_bad_upload_gives_one_error(name, content, message):
    """A text file, an empty file or a damaged PNG gives one readable error, no traceback."""
    at = open_page("pages/upload.py")
    at.file_uploader(key="upload_file").set_value((name, content, "image/png")).run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert at.segmented_control(key="upload_source").value == "Upload"  # still usable


def test_blank_paper_says_no_digits_found():
    """A photo of empty paper gives one note, not a guess."""
    at = open_page("pages/upload.py")
    paper = np.full((300, 400, 3), 235, np.uint8)
    at.file_uploader(key="upload_file").set_value(("paper.png", png_bytes(paper), "image/png"))
    at.run()
    assert not at.exception and not at.error
    assert "No digits found" in at.info[0].value


def test_part_of_a_whole_check_is_read(mnist):
    """A whole check is read as its amount alone, the printed words left out as words;
    since so many marks were left out, the page still says how to read one part.
    Narrowed to the amount box, it shows the amount alone, without the hint."""
    from digits.synth import check_form

    image, text, (x, y, w, h) = check_form(np.random.default_rng(5), "$2650", mnist.x_test,
                                           mnist.y_test, digit_px=40, pen=3)
    at = open_page("pages/upload.py")
    at.file_uploader(key="upload_file").set_value(("check.png", png_bytes(image), "image/png"))
    at.run()
    assert not at.exception and not at.error
    assert f">{text}</p>" in texts(at)
    assert any("Read only part of the picture" in c.value for c in at.caption)  # the hint
    height, width = image.shape[:2]  # the amount box and a margin, in percent
    across = (int(100 * (x - h / 4) / width), int(100 * (x + w + h / 4) / width) + 1)
    down = (int(100 * (y - h / 4) / height), int(100 * (y + h * 1.25) / height) + 1)
    at.slider(key="upload_across").set_value(across)
    at.slider(key="upload_down").set_value(down).run()
    assert not at.exception and not at.error
    assert f">{text}</p>" in texts(at)
    assert not any("Read only part of the picture" in c.value for c in at.caption)
    at.slider(key="upload_down").set_value((95, 100)).run()  # below the words: blank paper
    assert not at.exception and not at.error
    assert "No digits found in the part" in at.info[0].value and len(at.get("image")) == 1


def test_picture_read_into_many_lines_says_how_to_read_one_number(mnist):
    """Four lines or more read from one picture: likely a whole form, so the page says
    how to read one part of it."""
    from digits.synth import number_page

    lines = [["305"], ["1842"], ["76"], ["219"]]
    image, _ = number_page(np.random.default_rng(3), lines, mnist.x_test, mnist.y_test,
                           digit_px=40, pen=3)
    at = open_page("pages/upload.py")
    at.file_uploader(key="upload_file").set_value(("form.png", png_bytes(image), "image/png"))
    at.run()
    assert not at.exception and not at.error
    hint = [c.value for c in at.caption if "4 lines read" in c.value]
    assert hint and "Read only part of the picture" in hint[0]


@pytest.mark.parametrize("number", [0, 1, 2])
def test_example_photo_is_read_in_one_click(number):
    """Each example, one click away, is read exactly."""
    at = open_page("pages/upload.py")
    at.segmented_control(key="upload_source").set_value("Example").run()
    name = list(EXAMPLES)[number]
    at.button(key=f"upload_try_{name}").click().run()
    assert not at.exception
    assert f">{EXAMPLES[name].text}</p>" in texts(at)


def test_training_page_shows_card_curves_matrix_table_and_data(bundle):
    """The model card, the curves, the confusion matrix, the table and the data are drawn."""
    at = open_page("pages/training.py")
    assert not at.exception
    labels = [m.label for m in at.metric]
    for label in ("Test accuracy", "Architecture", "Parameters", "File size", "Training time",
                  "Trained on"):
        assert label in labels
    assert bundle.name in "\n".join(h.value for h in at.subheader)
    assert len(at.get("plotly_chart")) == 3  # curves, confusion matrix, class counts
    table = at.dataframe[0].value
    assert list(table.index) == list(range(10))
    assert {"precision", "recall", "f1", "support"} <= set(table.columns)


def test_training_page_shows_each_network_of_an_ensemble(bundle):
    """An ensemble's page says it averages networks and draws the curves of the one picked."""
    import json

    from digits.ensemble import is_ensemble, networks

    if not is_ensemble(bundle):
        pytest.skip("the active model is a single network")
    at = open_page("pages/training.py")
    trained = networks(bundle)
    picker = at.radio(key="training_member")
    assert picker.value == 0 and len(picker.options) == len(trained)
    assert any("networks' probabilities are averaged" in c.value for c in at.caption)
    assert [n.name for n in trained] == [m["name"] for m in bundle.metrics["members"]]
    assert all(n.name in option for n, option in zip(trained, picker.options))
    for i, network in enumerate(trained):
        picker.set_value(i).run()
        assert not at.exception
        curves = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
        history = network.history
        assert curves[0]["y"] == history["loss"] and curves[1]["y"] == history["val_loss"]
        fine_tuned = [c.value for c in at.caption if c.value.startswith("Trained on from")]
        assert fine_tuned == ([f"Trained on from {network.started_from} (fine-tuned): that "
                               "network's epochs come first in the curves."]
                              if network.started_from else [])


def test_picking_a_pair_shows_those_mistakes(bundle):
    """Choosing a true/predicted pair shows the misclassified test digits of that pair."""
    mistakes = bundle.metrics["test"]["misclassified"]
    first = mistakes[0]
    count = sum(e["true"] == first["true"] and e["predicted"] == first["predicted"]
                for e in mistakes)
    at = open_page("pages/training.py")
    at.selectbox(key="training_true").set_value(first["true"])
    at.selectbox(key="training_predicted").set_value(first["predicted"]).run()
    assert not at.exception
    caption = "\n".join(c.value for c in at.caption)
    assert f"{count} test images of {first['true']} read as {first['predicted']}" in caption


def test_training_page_without_mnist_still_shows_the_model(monkeypatch, tmp_path):
    """Without MNIST the data view is one note and the rest of the page still works."""
    import streamlit as st

    monkeypatch.setenv("DIGITS_MNIST_PATH", str(tmp_path / "missing.npz"))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = open_page("pages/training.py")
    st.cache_data.clear()
    st.cache_resource.clear()
    assert not at.exception
    assert sum("missing.npz" in i.value for i in at.info) == 1
    assert len(at.get("plotly_chart")) == 2  # curves and confusion matrix still drawn
    assert at.metric


def test_pages_never_load_tensorflow():
    """Serving the three pages imports neither TensorFlow nor Keras (3 s and 700 MB)."""
    script = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(ROOT / 'streamlit_app.py')!r}, default_timeout=60).run()\n"
        "for page in ('pages/upload.py', 'pages/training.py'):\n"
        "    at.switch_page(page).run()\n"
        "    assert not at.exception, at.exception\n"
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n"
    )
    assert fresh_python(script, timeout=180).strip().splitlines()[-1] == "[]"


def test_app_helpers_never_import_streamlit():
    """digits/ thinks, pages draw: the helpers the pages use do not import Streamlit."""
    script = ("import sys\nimport digits.figures, digits.pictures, digits.examples\n"
              "print('streamlit' in sys.modules)\n")
    assert fresh_python(script, timeout=60).strip() == "False"


def test_committed_example_photos_are_the_rebuilt_ones(mnist):
    """The example PNGs the app shows are exactly what the MNIST test digits rebuild."""
    from digits.examples import example_photo, load_examples

    for name, committed in load_examples().items():
        rebuilt = example_photo(name, mnist)
        assert committed.shape == rebuilt.shape
        assert np.abs(committed.astype(int) - rebuilt.astype(int)).mean() < 1.0
