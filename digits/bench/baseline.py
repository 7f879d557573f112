"""The tutorials' approach, kept faithfully as the yardstick for the benchmark.

What a typical "MNIST in Keras" tutorial app does, with no cleverness added:

- the model: the dense 128-128 network, ``adam``, batch 32, 5 epochs on the
  raw training images divided by 255;
- the preprocessing: open the image, convert to grayscale, resize the WHOLE
  image to 28x28, invert it if the background is light, divide by 255;
- inference: ``model.predict`` on each request.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

EPOCHS = 5  # as in the tutorials
BATCH_SIZE = 32  # Keras' default, which the tutorials keep


def naive_input(image) -> np.ndarray:
    """The tutorials' preprocessing: (28, 28) float32 in [0, 1], white ink on black.

    ``image`` is an array (H, W), (H, W, 3) or (H, W, 4) uint8, or PNG/JPEG bytes.

    Examples
    --------
    >>> page = np.full((100, 80), 255, np.uint8); page[20:80, 38:42] = 0
    >>> x = naive_input(page)
    >>> x.shape, float(x.max()) > 0.5
    ((28, 28), True)
    """
    if isinstance(image, (bytes, bytearray)):
        picture = Image.open(io.BytesIO(image))
    else:
        picture = Image.fromarray(np.asarray(image))
    gray = np.asarray(picture.convert("L").resize((28, 28)), np.float32)  # (28, 28)
    if gray.mean() > 127:  # light background: make the ink white, as in MNIST
        gray = 255.0 - gray
    return gray / 255.0


def train_baseline(x_train: np.ndarray, y_train: np.ndarray, epochs: int = EPOCHS, seed: int = 0):
    """Train the tutorials' MLP on uint8 images (N, 28, 28); return the Keras model."""
    import keras

    from digits.model import build_model

    keras.utils.set_random_seed(seed)
    model = build_model("mlp")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train[..., None] / 255.0, y_train, epochs=epochs, batch_size=BATCH_SIZE, verbose=0)
    return model


@dataclass
class TutorialPipeline:
    """The baseline MLP plus the naive preprocessing, served with ``model.predict``."""

    model: object  # keras.Model

    def predict_one(self, image) -> int:
        """One request, the tutorial way: naive preprocessing + ``model.predict``."""
        x = naive_input(image)[None, ..., None]  # (1, 28, 28, 1)
        return int(self.model.predict(x, verbose=0).argmax())

    def predict_many(self, images) -> np.ndarray:
        """Digits (N,) for a list of images, in one ``model.predict`` call."""
        x = np.stack([naive_input(image) for image in images])[..., None]  # (N, 28, 28, 1)
        return self.model.predict(x, batch_size=256, verbose=0).argmax(axis=1)
