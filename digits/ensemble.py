"""Ensembles: trained networks whose probabilities are averaged, saved as one bundle.

Networks trained differently make different mistakes, so the average of their
probabilities reads better than either (the shipped deep network and the cnn
before it: 900 held-out check pages 801 and 803 read exactly, their average
810). :func:`combine` builds the average as one Keras model (an input, the
members, an ``Average`` layer), scores it on the MNIST test set and saves it as
an ordinary bundle: the NumPy runtime runs each member and averages
(:func:`digits.runtime.export_program`), the Training page shows each member's
curves, and a version can be activated or rolled back like any other.
"""

from __future__ import annotations

from digits.bundle import ModelBundle, load_keras_model, new_bundle_name, save_bundle
from digits.data import Mnist, load_mnist
from digits.evaluate import score_predictions
from digits.model import INPUT_SHAPE


def is_ensemble(bundle: ModelBundle) -> bool:
    return bool(bundle.metrics.get("members"))


def member_histories(bundle: ModelBundle) -> dict[str, dict]:
    """``{member name: its per-epoch history}``; a single network is its own member."""
    return bundle.history.get("members") or {bundle.name: bundle.history}


def combine(
    bundles: list[ModelBundle], data: Mnist | None = None, models_dir=None, name=None
) -> ModelBundle:
    """Save the average of ``bundles`` as a new bundle, scored on the MNIST test set."""
    if len(bundles) < 2:
        raise ValueError("An ensemble needs at least two models.")
    if any(is_ensemble(b) for b in bundles):
        raise ValueError("Combine single models; an ensemble cannot be a member.")
    import keras

    from digits.train import predict_in_batches, provenance

    members = [load_keras_model(b) for b in bundles]
    for i, (member, bundle) in enumerate(zip(members, bundles)):
        member.name = f"m{i}_{bundle.arch}"  # layer names must be unique in a model
    inputs = keras.Input(INPUT_SHAPE)
    model = keras.Model(inputs, keras.layers.Average()([m(inputs) for m in members]),
                        name="ensemble")
    data = data or load_mnist()
    metrics = {
        "config": {"arch": "+".join(b.arch for b in bundles)},
        "members": [
            {"name": b.name, "config": b.metrics.get("config", {}), "accuracy": b.accuracy,
             "training_seconds": b.metrics.get("training_seconds"),
             "epochs_run": b.metrics.get("epochs_run")}
            for b in bundles
        ],
        "training_seconds": round(sum(b.metrics.get("training_seconds", 0) for b in bundles), 1),
        "epochs_run": sum(b.metrics.get("epochs_run", 0) for b in bundles),
        "params": int(model.count_params()),
        "test": score_predictions(data.y_test, predict_in_batches(model, data.x_test)),
        **provenance(data),
    }
    history = {"members": {b.name: b.history for b in bundles}}
    return save_bundle(model, metrics, history, models_dir, name or new_bundle_name("ensemble"))
