"""Digits: the router. Lists the pages and shows the active model in the sidebar.

Run with ``streamlit run streamlit_app.py``. Each page lives in ``pages/``;
the model is loaded once per process (see ``pages/shared.py``).
"""

from pathlib import Path

import streamlit as st

from pages.shared import DEEP_LINK, ROUTED, active_model, return_freed_memory

HERE = Path(__file__).parent
return_freed_memory()

st.set_page_config(page_title="Digits", page_icon="✍️", layout="wide")

pages = st.navigation(
    [
        st.Page(HERE / "pages" / "draw.py", title="Draw", icon=":material/draw:", default=True),
        st.Page(HERE / "pages" / "upload.py", title="Read a photo",
                icon=":material/photo_camera:"),
        st.Page(HERE / "pages" / "training.py", title="Training",
                icon=":material/model_training:"),
    ]
)

with st.sidebar:
    bundle, _, problem = active_model()
    if bundle is None:
        st.error(problem)
    else:
        st.caption("Active model")
        st.markdown(f"**{bundle.name}**")
        st.markdown(
            f"{bundle.accuracy:.2%} on the MNIST test set  \n"
            f"{bundle.arch.upper()}, trained {bundle.created[:10]}"
        )

st.session_state[ROUTED] = True
if link := st.session_state.pop(DEEP_LINK, None):
    st.switch_page(link)  # the page asked for before the router first ran
pages.run()
