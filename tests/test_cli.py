"""The command line contract: JSON lines, exit codes, no tracebacks."""

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from digits.synth import paper_photo


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "digits", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


@pytest.fixture
def images(tmp_path, mnist, rng):
    """A photo of a digit, a blank canvas, a text file and a missing path."""
    digit = tmp_path / "seven.jpg"
    cv2.imwrite(str(digit), paper_photo(mnist.x_test[0], rng, 200)[..., ::-1])
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((300, 300, 3), 255, np.uint8))
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture\n")
    return digit, blank, text, tmp_path / "missing.png"


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["predict"], ["read"], ["bench"]])
def test_every_command_has_help(command):
    """--help works everywhere and exits 0."""
    result = run_cli(*command, "--help")
    assert result.returncode == 0 and "usage" in result.stdout


def test_train_options_change_only_what_is_given():
    """`train --preset standard` trains the shipped recipe; each option given overrides it."""
    from dataclasses import replace

    from digits.cli import build_parser, train_config
    from digits.train import PRESETS

    parse = build_parser().parse_args
    assert train_config(parse(["train", "--preset", "standard"])) == PRESETS["standard"]
    quick = train_config(parse(["train", "--preset", "quick", "--arch", "mlp", "--epochs", "2"]))
    assert (quick.arch, quick.epochs, quick.batch_size) == ("mlp", 2, PRESETS["quick"].batch_size)
    scanned = train_config(parse(["train", "--scans", "0.2", "--epochs", "55"]))
    assert scanned == replace(PRESETS["standard"], scans=0.2, epochs=55)


def test_train_from_a_saved_network_takes_its_settings(tmp_path):
    """`train --from NAME`: the saved network's settings (its seed too, so the same
    images are held out), but for the options given."""
    from dataclasses import asdict, replace

    from digits.cli import build_parser, train_config
    from digits.train import PRESETS

    saved = replace(PRESETS["standard"], epochs=55, scans=0.1, seed=71)
    (tmp_path / "deep-a").mkdir()
    (tmp_path / "deep-a" / "metrics.json").write_text(json.dumps({"config": asdict(saved)}))
    (tmp_path / "deep-a" / "history.json").write_text("{}")
    args = build_parser().parse_args(["--models-dir", str(tmp_path), "train", "--from", "deep-a",
                                      "--epochs", "2", "--scans", "0.4"])
    assert train_config(args) == replace(saved, epochs=2, scans=0.4, start_from="deep-a")


def test_train_from_an_ensemble_says_to_train_its_networks(tmp_path):
    """`train --from` an ensemble is refused in one readable line, before any data is loaded."""
    (tmp_path / "pair").mkdir()
    (tmp_path / "pair" / "metrics.json").write_text(json.dumps(
        {"config": {"arch": "deep+deep"}, "members": [{"name": "a"}, {"name": "b"}]}))
    (tmp_path / "pair" / "history.json").write_text("{}")
    result = run_cli("--models-dir", str(tmp_path), "train", "--from", "pair")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "pair is an ensemble; training starts from one network" in result.stderr


def test_train_refuses_an_impossible_share_of_scans():
    """--scans above 1 is refused in one readable line, before any data is loaded."""
    result = run_cli("train", "--preset", "quick", "--scans", "1.5")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "coarse scans must be between 0 and 1" in result.stderr


def test_train_refuses_fewer_than_one_worker():
    """--workers 0 is a usage error, said in one line, before any data is loaded."""
    result = run_cli("train", "--preset", "quick", "--workers", "0")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--workers: must be a whole number of at least 1, not '0'" in result.stderr


def test_predict_prints_one_json_line_per_image(images):
    """Good, blank, bad and missing files each get their own line; exit status 2."""
    digit, blank, text, missing = images
    result = run_cli("predict", str(digit), str(blank), str(text), str(missing))
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert [line["path"] for line in lines] == [str(digit), str(blank), str(text), str(missing)]
    assert lines[0]["digit"] == 7 and len(lines[0]["probabilities"]) == 10
    assert 0.0 <= lines[0]["confidence"] <= 1.0
    assert lines[1] == {"path": str(blank), "digit": None, "reason": "blank"}
    assert lines[2]["error"] == "This file is not an image (it looks like text)."
    assert "Cannot open" in lines[3]["error"]


def test_predict_exits_zero_when_all_images_read(images):
    """Exit status 0 when every input was read."""
    digit, blank, _, _ = images
    assert run_cli("predict", str(digit), str(blank), "--json").returncode == 0


def test_missing_dataset_is_one_clear_line(tmp_path):
    """evaluate without MNIST prints one error naming DIGITS_MNIST_PATH, no traceback."""
    import os

    env = {**os.environ, "DIGITS_MNIST_PATH": str(tmp_path / "none.npz")}
    result = subprocess.run(
        [sys.executable, "-m", "digits", "evaluate"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 2
    assert "DIGITS_MNIST_PATH" in result.stderr and "Traceback" not in result.stderr
