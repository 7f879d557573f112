"""Ensembles: trained networks read together, saved as one bundle.

Networks trained differently make different mistakes, so together they read
better than either (the shipped deep network and the cnn before it: 900
held-out check pages 801 and 803 read exactly, their average 810). Most
digits need no second opinion, though: where the first network is at least
``sure`` (90 %) sure, its answer stands; elsewhere the members' probabilities
are averaged. On the benchmark's single-digit sets that reads exactly as the
plain average does while the other networks run for only 1-6 % of the digits,
so one digit costs about what one network costs. The shipped model is such a
pair (README, *The shipped model*): a deep network trained with other writers'
digits too, and a cnn.

:func:`combine` builds this as one Keras model (an input, the members, a
``SureOrMean`` layer), scores it on the MNIST test set and saves it as an
ordinary bundle: the NumPy runtime runs it the same way
(:func:`digits.runtime.export_program`), the Training page shows each member's
curves, and a version can be activated or rolled back like any other.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from digits.bundle import ModelBundle, load_keras_model, new_bundle_name, save_bundle
from digits.data import Mnist, load_mnist
from digits.evaluate import score_predictions
from digits.model import INPUT_SHAPE

SURE = 0.9  # the first network's answer stands alone from this probability on


def is_ensemble(bundle: ModelBundle) -> bool:
    return bool(bundle.metrics.get("members"))


@dataclass(frozen=True)
class Network:
    """One network of a bundle, as the Training page shows it."""

    name: str  # the bundle it was trained as
    arch: str
    accuracy: float  # its own MNIST test accuracy
    history: dict  # per-epoch lists
    started_from: str | None = None  # the saved network it was trained on from, if any


def first_network(model):
    """The Keras network whose sure answers stand: an ensemble's first member, or a single
    network itself."""
    import keras

    if isinstance(model, keras.Sequential):
        return model
    return next(layer for layer in model.layers if isinstance(layer, keras.Sequential))


def networks(bundle: ModelBundle) -> list[Network]:
    """The bundle's networks in order (an ensemble's first is the one whose sure answers
    stand); a single network is its own only member."""
    if not is_ensemble(bundle):
        return [Network(bundle.name, bundle.arch, bundle.accuracy, bundle.history,
                        bundle.metrics.get("config", {}).get("start_from"))]
    histories = bundle.history.get("members", {})
    return [Network(m["name"], m.get("config", {}).get("arch", "?"), m["accuracy"],
                    histories.get(m["name"], {}), m.get("config", {}).get("start_from"))
            for m in bundle.metrics["members"]]


@functools.cache
def keras_layers() -> dict:
    """Define and register the Keras layer of ensembles (Keras is imported only here,
    when a model is built or loaded, never by the app)."""
    import keras

    @keras.saving.register_keras_serializable(package="digits")
    class SureOrMean(keras.layers.Layer):
        """The first input where its top probability is at least ``sure``, else the
        mean of all inputs."""

        def __init__(self, sure: float = SURE, **kwargs):
            super().__init__(**kwargs)
            self.sure = float(sure)

        def call(self, inputs):
            ops = keras.ops
            mean = ops.mean(ops.stack(inputs), axis=0)
            stands = ops.max(inputs[0], axis=-1, keepdims=True) >= self.sure
            return ops.where(stands, inputs[0], mean)

        def get_config(self):
            return {**super().get_config(), "sure": self.sure}

    return {"SureOrMean": SureOrMean}


def combine(
    bundles: list[ModelBundle], data: Mnist | None = None, models_dir=None, name=None,
    sure: float = SURE,
) -> ModelBundle:
    """Save ``bundles`` read together as a new bundle, scored on the MNIST test set.

    The first bundle's answer stands where it is at least ``sure`` sure (above 1:
    never, a plain average); elsewhere all members' probabilities are averaged.
    """
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
    join = keras_layers()["SureOrMean"](sure)
    model = keras.Model(inputs, join([m(inputs) for m in members]), name="ensemble")
    data = data or load_mnist()
    metrics = {
        "config": {"arch": "+".join(b.arch for b in bundles), "sure": sure},
        "members": [
            {"name": b.name, "config": b.metrics.get("config", {}), "accuracy": b.accuracy,
             "training_seconds": b.metrics.get("training_seconds"),
             "epochs_run": b.metrics.get("epochs_run"), "machine": b.metrics.get("machine")}
            for b in bundles
        ],
        "training_seconds": round(sum(b.metrics.get("training_seconds", 0) for b in bundles), 1),
        "epochs_run": sum(b.metrics.get("epochs_run", 0) for b in bundles),
        "params": int(model.count_params()),
        "test": score_predictions(data.y_test, predict_in_batches(model, data.x_test)),
        **provenance(data),
    }
    # Trained where the networks were trained, not where they were combined.
    machines = dict.fromkeys(b.metrics["machine"] for b in bundles if b.metrics.get("machine"))
    metrics["machine"] = "; ".join(machines) or metrics["machine"]
    history = {"members": {b.name: b.history for b in bundles}}
    return save_bundle(model, metrics, history, models_dir, name or new_bundle_name("ensemble"))
