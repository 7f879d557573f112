"""Training page: the active model's card, curves and errors, the data, and retraining."""

import numpy as np
import pandas as pd
import streamlit as st

from digits import ensemble, figures, pictures
from digits.data import DataError
from pages import shared
from pages.retrain_panel import render_retrain_panel

shared.through_router(__file__)

st.title("Training")
st.caption("How the active model was trained, where it goes wrong on the 10,000 MNIST test "
           "digits it never saw while training, and the data it learned from.")


@st.cache_data(show_spinner=False)
def dataset_overview(per_class: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid of training digits (one row per class) and the train/test class counts."""
    mnist = shared.mnist()
    rng = np.random.default_rng(0)
    rows = [rng.choice(np.flatnonzero(mnist.y_train == d), per_class, replace=False)
            for d in range(10)]
    grid = pictures.digit_grid(mnist.x_train[np.concatenate(rows)], columns=per_class)
    return grid, np.bincount(mnist.y_train, minlength=10), np.bincount(mnist.y_test, minlength=10)


def select_pair() -> None:
    """A click on the confusion matrix picks the true/predicted pair below it."""
    points = st.session_state.training_confusion.selection.points
    if points:
        st.session_state.training_true = int(points[0]["y"])
        st.session_state.training_predicted = int(points[0]["x"])


try:
    mnist, no_data = shared.mnist(), ""
except DataError as error:
    mnist, no_data = None, str(error)
bundle, _, problem = shared.active_model()
if bundle is None:
    st.error(problem)
else:
    m, test = bundle.metrics, bundle.metrics.get("test", {})
    st.subheader(f"Active model: {bundle.name}")
    card = st.columns(3) + st.columns(3)
    card[0].metric("Test accuracy", f"{bundle.accuracy:.2%}")
    card[1].metric("Architecture", bundle.arch.upper())
    card[2].metric("Parameters", f"{m.get('params', 0):,}")
    card[3].metric("File size", f"{m['files']['model.keras']['bytes'] / 2**20:.1f} MB",
                   help="model.keras; the app serves inference.npz "
                        f"({m['files']['inference.npz']['bytes'] / 2**20:.1f} MB)")
    card[4].metric("Training time", f"{m.get('training_seconds', 0) / 60:.1f} min",
                   help=f"{m.get('epochs_run', '?')} epochs on {m.get('machine', 'this machine')}"
                   + (", the networks' times added up" if ensemble.is_ensemble(bundle) else ""))
    card[5].metric("Trained on", bundle.created[:10], help=bundle.created)

    st.subheader("Training curves")
    trained = ensemble.networks(bundle)
    shown = 0
    if len(trained) > 1:
        st.caption(f"This model reads with {len(trained)} networks trained separately: where "
                   f"the first ({trained[0].arch}) is at least {m['config'].get('sure', 0):.0%} "
                   "sure of a digit its answer stands, elsewhere the networks' probabilities "
                   "are averaged. The accuracy above is theirs together. Each network's curves:")
        shown = st.radio("Network", range(len(trained)), horizontal=True, key="training_member",
                         format_func=lambda i: f"{trained[i].arch} ({trained[i].name}, "
                         f"{trained[i].accuracy:.2%} alone)")
    if trained[shown].started_from:
        st.caption(f"Trained on from {trained[shown].started_from} (fine-tuned): that "
                   "network's epochs come first in the curves.")
    st.plotly_chart(figures.training_curves(trained[shown].history), key="training_curves")

    st.subheader("Where it goes wrong")
    confusion = np.asarray(test["confusion"])
    off = confusion - np.diag(np.diag(confusion))
    worst = np.unravel_index(off.argmax(), off.shape)
    st.session_state.setdefault("training_true", int(worst[0]))
    st.session_state.setdefault("training_predicted", int(worst[1]))
    matrix_col, errors_col = st.columns([1, 1], gap="large")
    matrix_col.plotly_chart(figures.confusion_heatmap(confusion), key="training_confusion",
                            on_select=select_pair, selection_mode="points")
    with errors_col:
        st.caption("Click a cell, or pick a pair, to see those test digits.")
        pick = st.columns(2)
        true = pick[0].selectbox("True digit", range(10), key="training_true")
        predicted = pick[1].selectbox("Read as", range(10), key="training_predicted")
        mistakes = [e for e in test.get("misclassified", [])
                    if e["true"] == true and e["predicted"] == predicted]
        if true == predicted:
            st.info(f"{confusion[true, true]:,} test images of {true} were read right.")
        elif not mistakes:
            st.info(f"No test image of {true} was read as {predicted}.")
        else:
            if mnist is not None:
                st.image([255 - mnist.x_test[e["index"]] for e in mistakes[:40]], width=56,
                         caption=[f"{e['confidence']:.0%}" for e in mistakes[:40]])
            st.caption(f"{len(mistakes)} test images of {true} read as {predicted}"
                       + (" (with the model's confidence)." if mnist is not None else
                          "; their pictures need MNIST (see The data, below)."))

    st.subheader("Per digit")
    table = pd.DataFrame(test.get("per_class", [])).set_index("digit")
    st.dataframe(table[["precision", "recall", "f1", "support"]], key="training_table",
                 column_config={c: st.column_config.NumberColumn(format="%.4f")
                                for c in ("precision", "recall", "f1")})

st.subheader("The data")
if mnist is None:
    st.info(no_data)
else:
    grid, train_counts, test_counts = dataset_overview()
    sample_col, count_col = st.columns([1, 1], gap="large")
    sample_col.image(grid, caption="Training digits, a random row of each class", width="stretch")
    count_col.plotly_chart(figures.class_counts(train_counts, test_counts), key="training_counts")

st.divider()
render_retrain_panel()
