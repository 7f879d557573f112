"""Model architectures, by name.

``cnn`` is the default: a small VGG-style network with batch normalisation.
``deep`` is the same with a second 128-channel block at 7x7, whose view spans the
whole digit (a third more computation).
``mlp`` is the tutorials' dense 128-128 network, kept as the baseline.
"""

from __future__ import annotations

ARCHITECTURES = ("cnn", "deep", "mlp")
INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10


def conv_block(filters: int) -> list:
    """3x3 convolution, batch norm, ReLU: the layers the NumPy runtime folds into one op."""
    from keras import layers

    # Conv without bias: the batch norm that follows supplies the offset.
    return [
        layers.Conv2D(filters, 3, padding="same", use_bias=False),
        # momentum 0.9: the moving statistics settle within a short run too
        # (0.99 leaves them near their start after one quick epoch).
        layers.BatchNormalization(momentum=0.9),
        layers.ReLU(),
    ]


def build_model(arch: str = "cnn"):
    """Return an uncompiled Keras model for ``arch``.

    Examples
    --------
    >>> build_model("mlp").count_params()
    118282
    >>> build_model("deep").count_params() - build_model("cnn").count_params()
    147968
    """
    import keras
    from keras import layers

    if arch == "mlp":
        return keras.Sequential(
            [
                keras.Input(INPUT_SHAPE),
                layers.Flatten(),
                layers.Dense(128, activation="relu"),
                layers.Dense(128, activation="relu"),
                layers.Dense(NUM_CLASSES, activation="softmax"),
            ],
            name="mlp",
        )
    if arch not in ("cnn", "deep"):
        raise ValueError(f"Unknown architecture {arch!r}; choose one of {ARCHITECTURES}.")

    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            *conv_block(32),
            *conv_block(32),
            layers.MaxPooling2D(),  # (14, 14, 32)
            *conv_block(64),
            *conv_block(64),
            layers.MaxPooling2D(),  # (7, 7, 64)
            *conv_block(128),
            *(conv_block(128) if arch == "deep" else []),
            layers.GlobalAveragePooling2D(),  # (128,)
            layers.Dropout(0.25),
            layers.Dense(NUM_CLASSES, activation="softmax"),
        ],
        name=arch,
    )
