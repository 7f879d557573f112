"""Training, bundles and the NumPy runtime, on a tiny model trained in the session."""

import json

import numpy as np
import pytest

from digits import bundle as bundles
from digits.bundle import BundleError
from digits.train import PRESETS, Cancelled, TrainConfig, train, train_and_save

# The standard preset's architecture, with every augmentation it uses (retrace, styles)
# and the other writers' digits.
TINY = TrainConfig(arch=PRESETS["standard"].arch, epochs=1, batch_size=32, train_limit=400,
                   validation_size=64, seed=3, retrace=True, styles=True,
                   other_writers=PRESETS["standard"].other_writers)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory, mnist):
    """A models folder holding one tiny trained bundle, made active."""
    models = tmp_path_factory.mktemp("models")
    bundle = train_and_save(TINY, mnist, models_dir=models, name="tiny")
    bundles.set_active(bundle.name, models)
    return models


def test_training_reports_every_batch_and_epoch(mnist):
    """Progress callbacks fire once per batch and once per epoch with metrics."""
    batches, epochs = [], []
    result = train(
        TINY,
        mnist,
        on_epoch=lambda e, logs: epochs.append((e, logs)),
        on_batch=lambda e, b, logs: batches.append((e, b, logs["batches"])),
    )
    assert [e for e, _ in epochs] == [1]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(epochs[0][1])
    # 400 - 64 MNIST images and the same share of other writers' digits as a full run's
    # (4 x 2,000 beside 60,000 - 64: 45), / 32, rounded up
    assert len(batches) == batches[0][2] == 12
    assert result.history["loss"] == [epochs[0][1]["loss"]]


@pytest.mark.parametrize("workers", [1, 2])
def test_stop_request_cancels_training(mnist, workers):
    """should_stop() turning true ends the run with Cancelled, augmenting processes too."""
    with pytest.raises(Cancelled):
        train(TINY, mnist, should_stop=lambda: True, workers=workers)


def test_augmenting_ahead_in_processes_gives_the_same_batches(mnist):
    """A seeded run sees the same batches whether they are augmented here or in processes."""
    from dataclasses import replace

    from digits.train import _batches

    config = replace(TINY, epochs=2)
    x, y = mnist.x_train[:96], mnist.y_train[:96]
    here = _batches(x, y, config, np.random.default_rng(3), workers=1)
    ahead = _batches(x, y, config, np.random.default_rng(3), workers=2)
    seen = []
    try:
        for _ in range(config.epochs):
            for i in range(len(here)):
                (a, labels_a), (b, labels_b) = here[i], ahead[i]
                np.testing.assert_array_equal(a, b)
                np.testing.assert_array_equal(labels_a, labels_b)
            seen.append(here[0][0])
            here.on_epoch_end()
            ahead.on_epoch_end()
    finally:
        ahead.close()
    assert not np.array_equal(*seen)  # each epoch is shuffled and distorted afresh


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("arch", "resnet", "architecture"),
        ("epochs", 0, "epochs"),
        ("batch_size", 1, "batch size"),
        ("learning_rate", 5.0, "learning rate"),
        ("other_writers", 21, "other writers"),
    ],
)
def test_bad_settings_get_readable_messages(field, value, message):
    """Impossible settings are refused with a sentence naming the setting."""
    from dataclasses import replace

    with pytest.raises(ValueError, match=message):
        replace(TINY, **{field: value}).validate()


def test_bundle_records_what_the_training_page_needs(tiny_dir):
    """metrics.json and history.json hold scores, config, sizes, versions and curves."""
    bundle = bundles.active_bundle(tiny_dir)
    m = bundle.metrics
    assert m["config"]["arch"] == PRESETS["standard"].arch and m["params"] > 10_000
    assert len(m["test"]["confusion"]) == 10 and m["test"]["count"] == 10_000
    assert {"keras", "backend", "numpy"} <= set(m["versions"])
    assert m["versions"][m["versions"]["backend"]]  # the backend's own version
    assert len(m["data"]["sha256"]) == 64
    assert m["config"]["other_writers"] and len(m["data"]["other_writers"]["sha256"]) == 64
    assert m["files"]["inference.npz"]["bytes"] > 0
    assert len(bundle.history["val_accuracy"]) == 1


def test_training_on_from_a_saved_network_keeps_its_weights_and_curves(tiny_dir, mnist,
                                                                       tmp_path):
    """``start_from``: the run starts from the saved network's weights (at a rate too
    small to move them far, its kernels stay where they were, unlike a new network's),
    counts its epochs and keeps its curves before its own."""
    import shutil
    from dataclasses import replace

    from digits.bundle import load_keras_model
    from digits.ensemble import networks

    models = tmp_path / "models"  # the session's folder stays as other tests expect it
    shutil.copytree(tiny_dir, models)
    tiny = bundles.load_bundle(models / "tiny")
    on = train_and_save(replace(TINY, start_from="tiny", learning_rate=1e-5), mnist,
                        models_dir=models, name="tiny-on")
    assert on.metrics["started_from"]["name"] == "tiny" and on.metrics["epochs_run"] == 2
    assert on.history["loss"][:1] == tiny.history["loss"] and len(on.history["val_loss"]) == 2
    assert networks(on)[0].started_from == "tiny"  # the Training page says so
    new = train(replace(TINY, learning_rate=1e-5, seed=4), mnist).model  # drawn afresh

    def kernels(model):
        return np.concatenate([w.ravel() for w in model.get_weights() if w.ndim == 4])

    before = kernels(load_keras_model(tiny))
    assert np.abs(kernels(load_keras_model(on)) - before).max() < 1e-3
    assert np.abs(kernels(new) - before).max() > 0.05


@pytest.mark.parametrize("start, message", [("no-such-model", "not a model bundle"),
                                            ("../tiny", "a model's name"),
                                            ("..", "a model's name")])
def test_training_cannot_start_from_what_is_no_saved_network(tiny_dir, mnist, start, message):
    """A missing model or a path is refused with one readable message, before training."""
    from dataclasses import replace

    with pytest.raises((BundleError, ValueError), match=message):
        train(replace(TINY, start_from=start), mnist, models_dir=tiny_dir)


def test_training_on_keeps_the_saved_network_architecture(tiny_dir, mnist):
    from dataclasses import replace

    with pytest.raises(ValueError, match="keeps that architecture"):
        train(replace(TINY, arch="cnn", start_from="tiny"), mnist, models_dir=tiny_dir)


def test_numpy_runtime_matches_keras(tiny_dir, mnist):
    """The app's NumPy network gives the Keras model's probabilities."""
    bundle = bundles.active_bundle(tiny_dir)
    x = mnist.x_test[:64].astype(np.float32) / 255.0
    keras_probs = np.asarray(bundles.load_keras_model(bundle)(x[..., None], training=False))
    numpy_probs = bundles.load_network(bundle)(x)
    assert np.abs(keras_probs - numpy_probs).max() < 1e-4


@pytest.fixture(scope="module")
def mlp_bundle(tmp_path_factory, mnist):
    """A tiny dense baseline, trained once."""
    from dataclasses import replace

    return train_and_save(replace(TINY, arch="mlp", augment=False), mnist,
                          tmp_path_factory.mktemp("mlp"), name="m")


def test_mlp_baseline_runs_in_numpy_too(mlp_bundle, mnist):
    """The dense baseline exports and matches Keras as well."""
    x = mnist.x_test[:32].astype(np.float32) / 255.0
    keras_probs = np.asarray(bundles.load_keras_model(mlp_bundle)(x[..., None]))
    assert np.abs(keras_probs - bundles.load_network(mlp_bundle)(x)).max() < 1e-4


def test_an_ensemble_is_the_average_of_its_networks(tiny_dir, mlp_bundle, mnist, tmp_path):
    """combine() saves models read together as one bundle: the NumPy runtime and Keras
    give the first network's probabilities where it is sure and the members' mean
    elsewhere, its test score is its own, and each network's curves are kept for the
    Training page."""
    import shutil

    from digits.cli import main
    from digits.ensemble import combine, first_network, is_ensemble, networks

    deep = bundles.active_bundle(tiny_dir)
    x = mnist.x_test.astype(np.float32) / 255.0
    first, second = bundles.load_network(deep)(x), bundles.load_network(mlp_bundle)(x)
    sure = float(np.median(first.max(axis=1)))  # the tiny network is seldom 90 % sure
    stands = first.max(axis=1) >= sure
    both = combine([deep, mlp_bundle], mnist, tmp_path, name="both", sure=sure)
    average = bundles.load_network(both)(x)
    expected = np.where(stands[:, None], first, (first + second) / 2)
    assert np.abs(average - expected).max() < 1e-5
    keras_probs = np.asarray(bundles.load_keras_model(both)(x[:256, ..., None]))
    assert np.abs(keras_probs - average[:256]).max() < 1e-4
    # Its first network, as digits.pairs trains on it (a single network is its own first):
    first_keras = first_network(bundles.load_keras_model(both))
    assert np.abs(np.asarray(first_keras(x[:64, ..., None])) - first[:64]).max() < 1e-4
    assert first_network(first_keras) is first_keras
    # Three networks (the dense one twice under two names), every digit averaged:
    shutil.copytree(mlp_bundle.path, tmp_path / "m2")
    always = combine([deep, mlp_bundle, bundles.load_bundle(tmp_path / "m2")], mnist, tmp_path,
                     name="always", sure=2.0)
    assert np.abs(bundles.load_network(always)(x) - (first + 2 * second) / 3).max() < 1e-5
    assert [n.name for n in networks(always)] == ["tiny", "m", "m2"]
    assert both.accuracy == pytest.approx((average.argmax(1) == mnist.y_test).mean(), abs=2e-4)
    assert is_ensemble(both) and not is_ensemble(deep)
    assert both.arch == f"{deep.arch}+mlp"
    assert [m["name"] for m in both.metrics["members"]] == ["tiny", "m"]
    histories = {n.name: n.history for n in networks(both)}
    assert histories == {"tiny": deep.history, "m": mlp_bundle.history}
    assert [(n.name, n.history) for n in networks(deep)] == [("tiny", deep.history)]
    with pytest.raises(ValueError, match="at least two"):
        combine([deep], mnist, tmp_path)
    with pytest.raises(ValueError, match="cannot be a member"):
        combine([both, deep], mnist, tmp_path)
    # The command line: names in the models folder, and --activate.
    assert main(["--models-dir", str(tmp_path), "combine", str(tiny_dir / "tiny"), "both",
                 "--name", "cli", "--activate"]) == 2  # an ensemble is refused as a member
    assert main(["--models-dir", str(tmp_path), "combine", str(tiny_dir / "tiny"),
                 str(mlp_bundle.path), "--name", "cli", "--activate"]) == 0
    assert bundles.read_pointer(tmp_path)["active"] == "cli"


def test_an_ensemble_was_trained_where_its_networks_were(tiny_dir, mlp_bundle, mnist,
                                                         tmp_path):
    """An ensemble's machine is its networks' (a GPU elsewhere), not the one combining them."""
    import shutil

    from digits.ensemble import combine

    elsewhere = tmp_path / "gpu"
    shutil.copytree(mlp_bundle.path, elsewhere)
    metrics = json.loads((elsewhere / "metrics.json").read_text())
    metrics["machine"] = "x86_64, 16 CPU cores, NVIDIA H100 80GB HBM3"
    (elsewhere / "metrics.json").write_text(json.dumps(metrics))
    here = bundles.active_bundle(tiny_dir)
    both = combine([here, bundles.load_bundle(elsewhere)], mnist, tmp_path, name="both")
    assert both.metrics["machine"] == f"{here.metrics['machine']}; {metrics['machine']}"
    assert both.metrics["members"][1]["machine"] == metrics["machine"]


def test_tampered_model_file_is_refused(tiny_dir, tmp_path):
    """A model file changed after saving fails its hash check."""
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_dir / "tiny", copy)
    with open(copy / "inference.npz", "ab") as f:
        f.write(b"junk")
    with pytest.raises(BundleError, match="changed or damaged"):
        bundles.load_network(bundles.load_bundle(copy))


def test_crash_while_saving_leaves_nothing_behind(tiny_dir, tmp_path, monkeypatch):
    """If saving fails half-way no bundle folder or temp folder remains."""
    model = bundles.load_keras_model(bundles.active_bundle(tiny_dir))

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(bundles, "save_program", boom)
    with pytest.raises(OSError):
        bundles.save_bundle(model, {"config": {"arch": "cnn"}}, {}, tmp_path, name="half")
    assert list(tmp_path.iterdir()) == []


def test_active_pointer_switches_atomically(tiny_dir, tmp_path):
    """set_active rewrites active.json whole and keeps the shipped name."""
    import shutil

    models = tmp_path / "models"
    shutil.copytree(tiny_dir, models)
    shutil.copytree(models / "tiny", models / "second")
    bundles.set_active("second", models)
    pointer = json.loads((models / "active.json").read_text())
    assert pointer == {"active": "second", "shipped": "tiny"}
    assert not [p for p in models.iterdir() if p.name.endswith(".tmp")]
    assert {b.name for b in bundles.list_bundles(models)} == {"tiny", "second"}


def test_activating_a_broken_bundle_is_refused(tiny_dir, tmp_path):
    """A bundle whose files fail their check cannot become active."""
    import shutil

    models = tmp_path / "models"
    shutil.copytree(tiny_dir, models)
    shutil.copytree(models / "tiny", models / "broken")
    (models / "broken" / "inference.npz").write_bytes(b"broken")
    with pytest.raises(BundleError):
        bundles.set_active("broken", models)
    assert json.loads((models / "active.json").read_text())["active"] == "tiny"
