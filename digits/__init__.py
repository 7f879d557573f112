"""Digits: read handwritten digits drawn in a browser or written on paper.

The package never imports Streamlit; the pages in ``pages/`` call into it.
"""

import os

# TensorFlow is imported only to train; keep its start-up chatter out of the CLI.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from digits.data import DataError, Mnist, load_mnist  # noqa: E402
from digits.decode import ImageError, decode_image  # noqa: E402
from digits.preprocess import Prepared, find_ink, to_model_input  # noqa: E402

__all__ = [
    "DataError",
    "ImageError",
    "Mnist",
    "Prepared",
    "decode_image",
    "find_ink",
    "load_mnist",
    "to_model_input",
]
