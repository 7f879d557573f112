"""Draw page: draw one digit (or a whole number) and see what the model reads."""

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from digits import pictures
from digits.decode import ImageError
from digits.predict import LOW_CONFIDENCE
from digits.reader import read_page
from pages import shared

shared.through_router(__file__)

st.title("Draw a digit")
st.caption("Draw with the mouse, a pen or a finger. The model reads your drawing each time "
           "you lift the pen; undo and redo are in the canvas toolbar.")
recognizer = shared.require_recognizer()
st.session_state.setdefault("draw_canvas_version", 0)


def clear_canvas() -> None:
    st.session_state.draw_canvas_version += 1  # a new key mounts a new, empty canvas


mode = st.segmented_control("What to draw", ["One digit", "A number"], default="One digit",
                            required=True, key="draw_mode")
several = mode == "A number"
if several:
    canvas_col = result_col = st.container()
else:
    canvas_col, result_col = st.columns([1, 1.2], gap="large")
with canvas_col:
    canvas = st_canvas(
        stroke_width=st.session_state.get("draw_stroke", 18), stroke_color="#000000",
        background_color="#ffffff", height=300 if several else 360,
        width=900 if several else 360, drawing_mode="freedraw", update_streamlit=True,
        return_image_data=True, key=f"draw_canvas_{mode}_{st.session_state.draw_canvas_version}",
    )
    pen, clear = st.columns([3, 1], vertical_alignment="bottom")
    pen.slider("Pen width", 4, 40, 18, key="draw_stroke")
    clear.button("Clear", icon=":material/delete:", on_click=clear_canvas, key="draw_clear",
                 width="stretch")
    threshold = st.slider("Say “not sure” below this confidence", 0.0, 1.0, LOW_CONFIDENCE, 0.05,
                          key="draw_threshold")
image = canvas.image_data  # (H, W, 4) uint8 RGBA; None before the first stroke

if several:
    try:
        reading = read_page(image, recognizer) if image is not None else None
    except ImageError as error:  # e.g. more scribbles than digits the reader will take
        st.error(str(error))
        st.stop()
    if reading is None or not reading.digits:
        st.info("Write a number across the box, for example your house number.")
        st.stop()
    shared.big_text(reading.text, size=3.5, name="digits-number")
    shared.note_symbols(reading, boxes_shown=False)
    shared.show_digit_rows(image[..., :3], reading.digits)
    st.stop()

prediction = recognizer.predict(image) if image is not None else None
with result_col:
    if prediction is None or prediction.blank:
        st.info("Draw a digit in the white box. The reading appears when you lift the pen.")
        st.stop()
    top = prediction.top(3)
    answer, words = st.columns([1, 3], vertical_alignment="center")
    with answer:
        shared.big_text(str(prediction.digit), size=6)
    words.markdown(f"**{prediction.confidence:.0%} sure**  \nTop 3: "
                   + ", ".join(f"{d} ({p:.1%})" for d, p in top))
    if prediction.confidence < threshold:
        words.warning(f"Not sure — did you mean {top[0][0]} or {top[1][0]}?")
    shared.show_probabilities(prediction.probabilities)
    seen, looked = st.columns(2)
    seen.image(pictures.enlarge(prediction.model_input, 6), caption="What the model saw (28×28)",
               width=200)
    heat = recognizer.saliency(prediction.model_input, prediction.digit, patch=8, stride=4)
    looked.image(pictures.saliency_overlay(prediction.model_input, heat, 6),
                 caption="Where it looked: hiding the bright parts changes its mind", width=200)
