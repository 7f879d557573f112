"""Scores of a model on labelled digits: accuracy, per-class scores, confusion."""

from __future__ import annotations

import numpy as np

NUM_CLASSES = 10


def score_predictions(y_true: np.ndarray, probabilities: np.ndarray) -> dict:
    """Summarise predictions against labels.

    ``y_true`` is (N,) ints, ``probabilities`` is (N, 10). Returns a JSON-ready
    dict: ``accuracy``, ``per_class`` (precision, recall, f1, support per digit),
    ``confusion`` (10x10 counts, rows = true digit, columns = predicted) and
    ``misclassified`` (index, true, predicted, confidence of each error).

    Examples
    --------
    >>> probs = np.eye(10)[[0, 1, 2, 2]]
    >>> score_predictions(np.array([0, 1, 2, 3]), probs)["accuracy"]
    0.75
    """
    y_true = np.asarray(y_true).astype(int)
    predicted = probabilities.argmax(axis=1)
    confusion = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=int)
    np.add.at(confusion, (y_true, predicted), 1)
    true_positive = np.diag(confusion).astype(float)
    support = confusion.sum(axis=1)
    predicted_count = confusion.sum(axis=0)
    precision = np.divide(
        true_positive, predicted_count, out=np.zeros(NUM_CLASSES), where=predicted_count > 0
    )
    recall = np.divide(true_positive, support, out=np.zeros(NUM_CLASSES), where=support > 0)
    denominator = precision + recall
    f1 = np.divide(
        2 * precision * recall, denominator, out=np.zeros(NUM_CLASSES), where=denominator > 0
    )
    wrong = np.flatnonzero(predicted != y_true)
    return {
        "accuracy": float((predicted == y_true).mean()),
        "count": int(len(y_true)),
        "per_class": [
            {
                "digit": d,
                "precision": float(precision[d]),
                "recall": float(recall[d]),
                "f1": float(f1[d]),
                "support": int(support[d]),
            }
            for d in range(NUM_CLASSES)
        ],
        "confusion": confusion.tolist(),
        "misclassified": [
            {
                "index": int(i),
                "true": int(y_true[i]),
                "predicted": int(predicted[i]),
                "confidence": float(probabilities[i, predicted[i]]),
            }
            for i in wrong
        ],
    }
