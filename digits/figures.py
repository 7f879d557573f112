"""Figures for the pages: built here from plain arrays, drawn by the pages.

Every function takes numbers (probabilities, a bundle's history or confusion
matrix) and returns a ``plotly.graph_objects.Figure``, or for the ten
probability bars plain HTML; nothing here knows about Streamlit.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

ACCENT = "#2563eb"  # the top digit, training curves
MUTED = "#cbd5e1"  # the other nine digits
WARM = "#ea580c"  # validation curves
MARGIN = dict(l=8, r=8, t=28, b=8)


def probability_bars(probabilities, height: int = 220) -> str:
    """Bars for the 10 digit probabilities as HTML, the most likely one highlighted.

    Plain markup, not a Plotly chart: ten bars need no plotting library, and
    the browser draws them at once (without the chart the Draw page showed its
    reading ~30 ms sooner in a 9-stroke measurement; a page of twelve read
    digits draws twelve of these).
    Each bar says its digit and percentage, also as a tooltip.

    Examples
    --------
    >>> html = probability_bars(np.eye(10)[3])
    >>> html.count('class="digits-bar"'), html.count(ACCENT)
    (10, 1)
    >>> 'title="digit 3: 100.0%"' in html
    True
    """
    probs = np.clip(np.asarray(probabilities, dtype=float), 0, 1)  # (10,)
    top = int(probs.argmax()) if probs.any() else -1
    room = height - 44  # px left for a full bar, after the percentage and the digit
    bars = []
    for digit, p in enumerate(probs):
        colour = ACCENT if digit == top else MUTED
        label = f"{p:.0%}" if p >= 0.005 else "&nbsp;"
        bars.append(
            f'<div class="digits-bar" title="digit {digit}: {p:.1%}" style="flex:1;display:flex;'
            f'flex-direction:column;align-items:center;justify-content:flex-end">'
            f'<span style="font-size:0.75rem;color:#475569">{label}</span>'
            f'<div style="width:100%;height:{max(1, round(p * room))}px;background:{colour};'
            f'border-radius:3px 3px 0 0"></div>'
            f'<span style="font-size:0.9rem;font-weight:{700 if digit == top else 400}">'
            f"{digit}</span></div>"
        )
    return (f'<div class="digits-bars" style="display:flex;align-items:flex-end;gap:6px;'
            f'height:{height}px;padding:4px 0">{"".join(bars)}</div>')


def training_curves(history: dict) -> go.Figure:
    """Loss and accuracy per epoch, training against validation, side by side.

    Examples
    --------
    >>> h = {"loss": [0.5, 0.2], "val_loss": [0.3, 0.2],
    ...      "accuracy": [0.9, 0.95], "val_accuracy": [0.93, 0.96]}
    >>> len(training_curves(h).data)
    4
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"),
                        horizontal_spacing=0.1)
    for col, metric in enumerate(("loss", "accuracy"), start=1):
        for prefix, name, colour in (("", "training", ACCENT), ("val_", "validation", WARM)):
            values = history.get(prefix + metric) or []
            fig.add_trace(
                go.Scatter(
                    x=list(range(1, len(values) + 1)),
                    y=values,
                    name=name,
                    mode="lines+markers",
                    line=dict(color=colour),
                    legendgroup=name,
                    showlegend=col == 1,
                    hovertemplate=f"epoch %{{x}}: %{{y:.4f}} ({name})<extra></extra>",
                ),
                row=1,
                col=col,
            )
    epochs = max(len(history.get("loss") or []), 1)
    fig.update_xaxes(title_text="epoch", tick0=1, dtick=max(1, round(epochs / 8)),
                     range=[0.5, epochs + 0.5])
    fig.update_yaxes(type="log", dtick=1, row=1, col=1)  # else the first epochs flatten the rest
    fig.update_yaxes(tickformat=".1%", row=1, col=2)
    fig.update_layout(
        height=320,
        margin=dict(MARGIN, t=40),
        legend=dict(orientation="h", yanchor="bottom", y=-0.35, x=0.5, xanchor="center"),
    )
    return fig


def confusion_heatmap(confusion) -> go.Figure:
    """The 10x10 confusion matrix (rows = true digit) with the counts written in.

    Colour follows log(1 + count), so the few mistakes off the diagonal stay
    visible next to the thousands of correct answers on it.

    Examples
    --------
    >>> confusion_heatmap(np.eye(10, dtype=int) * 100).data[0].z.shape
    (10, 10)
    """
    counts = np.asarray(confusion, dtype=int)  # (10, 10), rows = true
    digits = [str(d) for d in range(10)]
    fig = go.Figure(
        go.Heatmap(
            z=np.log1p(counts),
            x=digits,
            y=digits,
            text=counts,
            texttemplate="%{text}",
            colorscale="Blues",
            showscale=False,
            xgap=1,
            ygap=1,
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
        )
    )
    fig.update_layout(
        height=460,
        margin=dict(MARGIN, t=8),
        xaxis=dict(title="predicted", type="category", side="top", fixedrange=True),
        yaxis=dict(title="true", type="category", autorange="reversed", fixedrange=True),
    )
    return fig


def class_counts(train_counts, test_counts) -> go.Figure:
    """How many training and test images each digit has.

    Examples
    --------
    >>> len(class_counts(np.ones(10), np.ones(10)).data)
    2
    """
    digits = [str(d) for d in range(10)]
    fig = go.Figure(
        [
            go.Bar(x=digits, y=np.asarray(train_counts), name="training", marker_color=ACCENT),
            go.Bar(x=digits, y=np.asarray(test_counts), name="test", marker_color=WARM),
        ]
    )
    fig.update_layout(
        height=300,
        margin=MARGIN,
        barmode="group",
        xaxis=dict(title="digit", type="category"),
        yaxis=dict(title="images"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
    )
    return fig
