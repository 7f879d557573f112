"""Read a photo page: a photo or scan of digits on paper in, the number out."""

import streamlit as st

from digits import pictures
from digits.decode import ImageError, decode_image
from digits.examples import load_examples
from digits.reader import part_box, read_part
from pages import shared

shared.through_router(__file__)

st.title("Read a photo")
st.caption("A photo or scan of digits written on paper: a check amount, a note, a single digit. "
           "Each digit found is boxed and read by the same model as the Draw page.")
recognizer = shared.require_recognizer()


@st.cache_data(show_spinner=False)
def example_images() -> dict:
    """The example photos by name (RGB arrays), written with MNIST test digits."""
    return load_examples()


PART_KEYS = ("upload_across", "upload_down")


def whole_picture() -> None:
    """A new picture is read whole again: forget the part chosen for the last one."""
    for key in PART_KEYS:
        st.session_state.pop(key, None)


source = st.segmented_control("Picture from", ["Upload", "Camera", "Example"], default="Upload",
                              required=True, key="upload_source")
image = None
try:
    if source == "Upload":
        # No type= filter: the uploader would reject other files with a tiny icon and no
        # words, while decode_image says what is wrong ("a PDF, not an image", ...).
        file = st.file_uploader("A photo or scan (PNG, JPEG, BMP, TIFF, WebP, GIF; up to 10 MB)",
                                key="upload_file", on_change=whole_picture)
        image = decode_image(file.getvalue()) if file is not None else None
    elif source == "Camera":
        shot = st.camera_input("Hold the paper flat, digits filling most of the picture",
                               key="upload_camera", on_change=whole_picture)
        image = decode_image(shot.getvalue()) if shot is not None else None
    else:
        examples = example_images()
        for column, (name, photo) in zip(st.columns(len(examples)), examples.items()):
            column.image(photo, caption=name)
            if column.button("Try this one", key=f"upload_try_{name}", width="stretch",
                             on_click=whole_picture):
                st.session_state.upload_example = name
        image = examples.get(st.session_state.get("upload_example"))
except ImageError as error:
    st.error(str(error))
    st.stop()

if image is None:
    st.info("Choose a picture above to read the digits on it.")
    st.stop()

with st.expander("Read only part of the picture"):
    st.caption("A whole check or form also holds printed words. Words the reader "
               "recognises as words are left out, but others may read as digits. Narrow the "
               "part to read down to the number, e.g. the amount box.")
    across = st.slider("From left to right (%)", 0, 100, (0, 100), key=PART_KEYS[0])
    down = st.slider("From top to bottom (%)", 0, 100, (0, 100), key=PART_KEYS[1])
whole = (0, 0, image.shape[1], image.shape[0])
part = part_box(image.shape, across, down)
try:
    reading = read_part(image, part, recognizer)  # the whole picture by default
except ImageError as error:  # the reader's refusals (e.g. too many candidates) are for people
    st.error(str(error))
    st.stop()
found, text = reading.digits, reading.text

if not found:
    if part == whole:
        st.info("No digits found in this picture. Try a closer photo with dark ink on light "
                "paper.")
    else:
        st.info("No digits found in the part of the picture you chose (not faded below).")
        st.image(pictures.draw_boxes(image, [], part=part), caption="The part read", width=600)
    st.stop()

unsure = [d.low_confidence for d in found]
picture_col, answer_col = st.columns([3, 2], gap="large")
picture_col.image(pictures.draw_boxes(image, [d.box for d in found], [d.digit for d in found],
                                      unsure, skipped=[s["box"] for s in reading.symbols],
                                      part=part),  # the whole picture: nothing faded
                  caption="Digits found" if part == whole else "Digits found in the part read")
with answer_col:
    st.caption("The number")
    shared.big_text(text, size=3.5, name="digits-number")
    st.markdown(f"{len(found)} digit{'s' * (len(found) != 1)}, "
                f"lowest confidence {min(d.confidence for d in found):.0%}")
    if any(unsure):
        st.warning("Orange boxes are digits the model is not sure about.")
    shared.note_symbols(reading, boxes_shown=True)
    if part == whole and reading.looks_like_a_form():  # say how to read one number
        st.caption(f"{len(reading.lines)} line{'s' * (len(reading.lines) != 1)} read. On a "
                   "whole check or form, some printed words may read as digits too: open "
                   "“Read only part of the picture” to read one number.")
with st.expander("Each digit", expanded=True):
    shared.show_digit_rows(image, found)
