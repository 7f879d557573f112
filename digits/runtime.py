"""A NumPy runtime for trained networks: fast, small, no TensorFlow at serve time.

Importing Keras costs ~3 s and ~700 MB of memory here and ``model.predict``
~50 ms a call, so the app never does either. When a bundle is saved,
:func:`export_program` folds batch norm into the convolutions and writes the
network as a short list of NumPy operations; :class:`NumpyNetwork` runs it.
A test checks that its output matches Keras on real digits.
"""

from __future__ import annotations

import functools
import json

import numpy as np

_CHUNK = 64  # images per im2col pass: bounds memory for big batches
_SMALL_BATCH = 16  # up to this many images run on one BLAS thread


@functools.cache
def _blas():
    """The process's BLAS thread pools (found once: ~3 ms; each limit costs ~16 us)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def export_program(model) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Turn a Keras ``Sequential``, or an average of several (see :mod:`digits.ensemble`),
    into (ops, arrays) for :class:`NumpyNetwork`."""
    kinds = [type(layer).__name__ for layer in model.layers]
    if "SureOrMean" in kinds:
        return _export_average(model)
    ops: list[dict] = []
    arrays: dict[str, np.ndarray] = {}
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Conv2D", "Dense"):
            if kind == "Conv2D" and (tuple(layer.strides) != (1, 1) or layer.padding != "same"):
                raise ValueError("Only stride-1 'same' convolutions are exported.")
            weights = layer.get_weights()
            kernel = weights[0].astype(np.float32)
            bias = (
                weights[1].astype(np.float32)
                if len(weights) > 1
                else np.zeros(kernel.shape[-1], np.float32)
            )
            key = f"w{len(arrays) // 2}"
            arrays[key], arrays[key.replace("w", "b")] = kernel, bias
            ops.append({"op": kind.lower(), "w": key, "b": key.replace("w", "b")})
            activation = layer.activation.__name__
            if activation != "linear":
                ops.append({"op": activation})
        elif kind == "BatchNormalization":
            gamma, beta, mean, var = (w.astype(np.float64) for w in layer.get_weights())
            scale = gamma / np.sqrt(var + layer.epsilon)
            last = ops[-1]
            if last["op"] not in ("conv2d", "dense"):
                raise ValueError("Batch norm must follow a convolution or dense layer.")
            arrays[last["w"]] = (arrays[last["w"]] * scale).astype(np.float32)
            arrays[last["b"]] = ((arrays[last["b"]] - mean) * scale + beta).astype(np.float32)
        elif kind == "ReLU":
            ops.append({"op": "relu"})
        elif kind == "Activation":
            ops.append({"op": layer.activation.__name__})
        elif kind == "MaxPooling2D":
            ops.append({"op": "maxpool", "size": int(layer.pool_size[0])})
        elif kind == "GlobalAveragePooling2D":
            ops.append({"op": "gap"})
        elif kind == "Flatten":
            ops.append({"op": "flatten"})
        elif kind in ("Dropout", "InputLayer"):
            continue
        else:
            raise ValueError(f"The NumPy runtime cannot run a {kind} layer.")
    return ops, arrays


def _export_average(model) -> tuple[list[dict], dict[str, np.ndarray]]:
    """An input fed to several Sequential networks, joined by a ``SureOrMean`` layer:
    one ``mean`` op holding each member's program (arrays prefixed ``m0_``, ``m1_``...)
    and the first network's sureness at which its answer stands alone."""
    import keras

    members = [layer for layer in model.layers if isinstance(layer, keras.Sequential)]
    others = [layer for layer in model.layers if not isinstance(layer, keras.Sequential)]
    if len(members) < 2 or sorted(type(o).__name__ for o in others) != ["InputLayer",
                                                                       "SureOrMean"]:
        raise ValueError("Only an average of Sequential networks on one input is exported.")
    programs, arrays = [], {}
    for i, member in enumerate(members):
        ops, member_arrays = export_program(member)
        rename = {key: f"m{i}_{key}" for key in member_arrays}
        programs.append([{k: rename.get(v, v) if k in ("w", "b") else v for k, v in op.items()}
                         for op in ops])
        arrays.update({rename[key]: value for key, value in member_arrays.items()})
    sure = next(o for o in others if type(o).__name__ == "SureOrMean").sure
    return [{"op": "mean", "of": programs, "sure": float(sure)}], arrays


def save_program(path, ops: list[dict], arrays: dict[str, np.ndarray]) -> None:
    """Write a program as one ``.npz`` (no pickles)."""
    with open(path, "wb") as f:
        np.savez(f, __ops__=np.array(json.dumps(ops)), **arrays)


def _conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    # x (N, H, W, C), w (kh, kw, C, O) -> (N, H, W, O), 'same' padding, stride 1
    # im2col with the channels innermost: one contiguous slice per kernel offset
    # (gathering a strided window view in (C, kh, kw) order took longer than the
    # matrix product; one image 1.98 -> 1.33 ms).
    kh, kw, c, o = w.shape
    ph, pw = kh // 2, kw // 2
    padded = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
    n, h, wd = x.shape[:3]
    columns = np.concatenate([padded[:, i : i + h, j : j + wd] for i in range(kh)
                              for j in range(kw)], axis=-1)  # (N, H, W, kh*kw*C)
    return (columns.reshape(n * h * wd, kh * kw * c) @ w.reshape(kh * kw * c, o)
            + b).reshape(n, h, wd, o)


def _maxpool(x: np.ndarray, size: int) -> np.ndarray:
    n, h, w, c = x.shape
    h, w = h // size * size, w // size * size
    return x[:, :h, :w].reshape(n, h // size, size, w // size, size, c).max(axis=(2, 4))


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class NumpyNetwork:
    """Runs an exported program; immutable once built, safe to share.

    Examples
    --------
    >>> net = NumpyNetwork([{"op": "flatten"}, {"op": "softmax"}], {})
    >>> net(np.zeros((1, 2, 5))).shape, float(net(np.zeros((1, 2, 5))).sum())
    ((1, 10), 1.0)
    """

    def __init__(self, ops: list[dict], arrays: dict[str, np.ndarray]):
        self.ops = tuple(dict(op) for op in ops)
        self.arrays = {k: np.ascontiguousarray(v, np.float32) for k, v in arrays.items()}
        for v in self.arrays.values():
            v.setflags(write=False)

    @classmethod
    def load(cls, path) -> "NumpyNetwork":
        with np.load(path, allow_pickle=False) as npz:
            ops = json.loads(str(npz["__ops__"]))
            arrays = {k: npz[k] for k in npz.files if k != "__ops__"}
        return cls(ops, arrays)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 10) for float images (N, 28, 28) in [0, 1]."""
        images = np.asarray(images, np.float32)
        if len(images) <= _SMALL_BATCH:
            # Tiny matrices: waking BLAS threads costs more than it saves, and on a
            # busy machine it turns 1.5 ms into tens of milliseconds.
            with _blas().limit(limits=1, user_api="blas"):
                return self._forward(images)
        if len(images) > _CHUNK:
            return np.concatenate(
                [self(images[i : i + _CHUNK]) for i in range(0, len(images), _CHUNK)]
            )
        return self._forward(images)

    def _forward(self, images: np.ndarray) -> np.ndarray:
        x = images[..., None] if images.ndim == 3 else images  # (N, 28, 28, 1)
        return self._run(self.ops, x)

    def _run(self, ops, x: np.ndarray) -> np.ndarray:
        for op in ops:
            name = op["op"]
            if name == "conv2d":
                x = _conv2d(x, self.arrays[op["w"]], self.arrays[op["b"]])
            elif name == "dense":
                x = x @ self.arrays[op["w"]] + self.arrays[op["b"]]
            elif name == "relu":
                x = np.maximum(x, 0)
            elif name == "maxpool":
                x = _maxpool(x, op["size"])
            elif name == "gap":
                x = x.mean(axis=(1, 2))
            elif name == "flatten":
                x = x.reshape(len(x), -1)
            elif name == "softmax":
                x = softmax(x)
            elif name == "mean":  # an ensemble (digits.ensemble)
                x = self._mean(op["of"], op["sure"], x)
            else:
                raise ValueError(f"Unknown operation {name!r} in the model program.")
        return x

    def _mean(self, programs, sure: float, x: np.ndarray) -> np.ndarray:
        """The first program's output where its top probability is at least ``sure``;
        elsewhere the mean of every program's (the others run on those rows only)."""
        first = self._run(programs[0], x)
        unsure = first.max(axis=-1) < sure
        if not unsure.any():
            return first
        out = first.copy()
        out[unsure] = (first[unsure] + sum(self._run(p, x[unsure]) for p in programs[1:])
                       ) / len(programs)
        return out


@functools.cache
def packaged(path) -> NumpyNetwork:
    """A network packaged with the code, loaded once."""
    return NumpyNetwork.load(path)


def class_probability(path, inputs: np.ndarray, column: int) -> np.ndarray:
    """P(class ``column``) (N,) by a network packaged with the code (loaded once), for
    inputs (N, H, W) float in [0, 1]; the symbol and pair networks answer through this."""
    if not len(inputs):
        return np.zeros(0, np.float32)
    return packaged(path)(inputs)[:, column]
