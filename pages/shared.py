"""What the pages share: the active model, loaded once, and how a read digit is shown.

Not a page itself: ``streamlit_app.py`` lists the pages with ``st.navigation``.
"""

from __future__ import annotations

import ctypes
import html
from pathlib import Path

import streamlit as st

from digits import figures, pictures
from digits.bundle import BundleError, ModelBundle, active_bundle, load_bundle
from digits.data import Mnist, load_mnist
from digits.predict import Recognizer

ROUTED = "digits_routed"  # session key the router sets on each run
DEEP_LINK = "digits_deep_link"  # the page a visitor opened before the router ran
M_MMAP_THRESHOLD = -3  # glibc mallopt() parameter numbers
M_ARENA_MAX = -8


def through_router(page_file: str) -> None:
    """Send a page that runs without the router through it, to the same page.

    Because the pages live in ``pages/``, a fresh server whose first visitor
    opens ``/upload`` runs that file alone, in Streamlit's old multipage mode
    (every file in ``pages/`` listed, no sidebar). One run of the router turns
    ``st.navigation`` on for the whole server; the router then opens the page.
    """
    if not st.session_state.get(ROUTED):
        st.session_state[DEEP_LINK] = f"pages/{Path(page_file).name}"
        st.switch_page("streamlit_app.py")


def return_freed_memory() -> None:
    """Make glibc hand big freed blocks back to the system instead of keeping them.

    Each script run is a new thread with its own malloc arena, and the saliency
    map's batch through the network allocates tens of MB: kept per arena, RSS
    reached ~530 MB on the Draw page alone. Blocks over 1 MB are now mapped and
    unmapped directly. A no-op where the C library is not glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 1 << 20)
        libc.mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass


@st.cache_resource(max_entries=3, show_spinner="Loading the model…")
def _recognizer(path: str, stamp: int) -> Recognizer:
    """One shared recognizer per bundle folder and file time (``stamp`` busts the cache)."""
    return Recognizer.from_bundle(load_bundle(path))


def active_model() -> tuple[ModelBundle | None, Recognizer | None, str]:
    """The active bundle and its recognizer, or (None, None, a message for people).

    The pointer is read on every run, so a newly activated model is used at
    once; the network itself is built only once per bundle.
    """
    try:
        bundle = active_bundle()
        stamp = (bundle.path / "inference.npz").stat().st_mtime_ns
        return bundle, _recognizer(str(bundle.path), stamp), ""
    except FileNotFoundError:
        return None, None, "The active model has no inference.npz; activate another version."
    except (BundleError, OSError, ValueError) as error:
        return None, None, f"The model could not be loaded: {error}"


@st.cache_resource(show_spinner="Loading MNIST…")
def mnist() -> Mnist:
    """MNIST if it is on this machine (raises DataError otherwise); shared, read-only."""
    return load_mnist(download=False)  # never a download during a page view


def require_recognizer() -> Recognizer:
    """The active recognizer, or an error on the page and a stop."""
    _, recognizer, problem = active_model()
    if recognizer is None:
        st.error(problem)
        st.stop()
    return recognizer


def big_text(text: str, size: float = 6.0, name: str = "digits-answer") -> None:
    """``text`` (a digit or a number) in large type; ``size`` in rem, ``name`` a CSS class."""
    st.markdown(f"<p class='{name}' style='font-size:{size}rem;font-weight:700;"
                f"line-height:1.1;margin:0'>{html.escape(text)}</p>", unsafe_allow_html=True)


def note_symbols(reading, boxes_shown: bool) -> None:
    """Say which marks the reader left out as not digits (a "$", "#", letters, words), if any."""
    n = len(reading.symbols)
    if n:
        where = " (grey boxes)" if boxes_shown else ""
        st.caption(f"Left out {n} mark{'s' * (n != 1)} that {'are' if n != 1 else 'is'} "
                   f"not a digit{where}: a $ sign, #, a letter, a printed word.")


def show_probabilities(probabilities, height: int = 220) -> None:
    """The 10 probabilities as bars, the top one highlighted."""
    st.markdown(figures.probability_bars(probabilities, height=height), unsafe_allow_html=True)


def show_digit_rows(image, digits, limit: int = 12) -> None:
    """Per read digit (``digits.reader.ReadDigit``): crop, 28x28 input, confidence, bars."""
    for i, read in enumerate(digits[:limit]):
        crop_col, input_col, text_col, bars_col = st.columns([1, 1, 1.2, 3],
                                                             vertical_alignment="center")
        crop_col.image(pictures.crop(image, read.box), caption="found", width=96)
        input_col.image(pictures.enlarge(read.model_input, 3), caption="model input", width=84)
        text_col.markdown(f"### {read.digit}\n{read.confidence:.0%} sure")
        if read.low_confidence:
            second = sorted(range(10), key=lambda d: -read.probabilities[d])[1]
            text_col.caption(f"Not sure — or {second}?")
        if read.touching:
            text_col.caption("Cut apart from the digit it touched.")
        with bars_col:
            show_probabilities(read.probabilities, height=150)
    if len(digits) > limit:
        st.caption(f"… and {len(digits) - limit} more digits.")
