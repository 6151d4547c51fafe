"""A small MNIST-shaped digits set made by teachflow, for classes without the internet.

12,000 grey 28x28 images of the digits 0-9 (10,000 to train, 2,000 to test), each a 5x7 glyph
drawn with a random pen thickness and a random affine distortion (rotation, shear, scale,
shift), centred like MNIST's digits, with a little noise. The same seed always gives the same
images. They are written as MNIST's four IDX ``.gz`` files, so any MNIST reader (TensorFlow's
``input_data`` too) can load them. The "MNIST for beginners" softmax regression reaches about
95% on them after 1,000 steps of 100 (on MNIST: about 92%).

>>> from teachflow.examples.tutorials.mnist import digits
>>> images, labels = digits.make(20, seed=1)
>>> images.shape, images.dtype, labels[:5].tolist()
((20, 28, 28), dtype('uint8'), [4, 5, 7, 9, 0])
"""

from __future__ import annotations

import gzip
import os

import numpy as np

TRAIN_SIZE = 10000
TEST_SIZE = 2000
SEED = 20160
# 5x7 glyphs of the digits, one string of 7 rows of 5 pixels each
_GLYPHS = (
    "01110 10001 10011 10101 11001 10001 01110",
    "00100 01100 00100 00100 00100 00100 01110",
    "01110 10001 00001 00010 00100 01000 11111",
    "11111 00010 00100 00010 00001 10001 01110",
    "00010 00110 01010 10010 11111 00010 00010",
    "11111 10000 11110 00001 00001 10001 01110",
    "00110 01000 10000 11110 10001 10001 01110",
    "11111 00001 00010 00100 01000 01000 01000",
    "01110 10001 10001 01110 10001 10001 01110",
    "01110 10001 10001 01111 00001 00010 01100",
)
_RES = 6  # high-resolution pixels per glyph cell
_PAD = 6
_THICKNESS = (0.42, 0.5, 0.6)  # pen radius in cells


def _ink(digit: int, pen: float) -> np.ndarray:
    """The glyph as a smooth ink field in [0, 1], ``_RES`` pixels per cell."""
    rows = [[c == "1" for c in row] for row in _GLYPHS[digit].split()]
    h, w = 7 * _RES + 2 * _PAD, 5 * _RES + 2 * _PAD
    v, u = np.mgrid[0:h, 0:w].astype(np.float64)
    v, u = (v - _PAD) / _RES, (u - _PAD) / _RES
    field = np.zeros((h, w))
    for r, row in enumerate(rows):
        for c, on in enumerate(row):
            if on:
                d2 = (u - c - 0.5) ** 2 + (v - r - 0.5) ** 2
                field = np.maximum(field, np.exp(-d2 / (2 * pen**2)))
    return np.clip(field * 1.3, 0.0, 1.0)


def _fields() -> np.ndarray:
    """The ink fields of every (digit, pen): ``[10 * len(_THICKNESS), h, w]``."""
    return np.stack([_ink(d, pen) for d in range(10) for pen in _THICKNESS])


def _draw(fields: np.ndarray, which: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Images ``[n, 28, 28]``: each output pixel mapped back into its glyph by a random affine
    map (rotation, shear, scale, aspect, shift) and sampled bilinearly."""
    n = len(which)
    angle = rng.normal(0.0, 0.15, n)
    shear = rng.uniform(-0.35, 0.35, n)
    size = 18.0 / 7 * rng.uniform(0.8, 1.1, n)  # MNIST digits are ~20 pixels tall
    aspect = rng.uniform(0.75, 1.25, n)
    shift = rng.uniform(-2.0, 2.0, (n, 2, 1))
    cos, sin = np.cos(angle), np.sin(angle)
    rot = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    zero = np.zeros(n)
    shape = np.stack([np.stack([aspect, shear], -1), np.stack([zero, zero + 1], -1)], -2)
    inverse = np.linalg.inv(size[:, None, None] * rot @ shape)
    y, x = np.mgrid[0:28, 0:28].astype(np.float64)
    pix = np.stack([x.ravel() - 13.5, y.ravel() - 13.5])[None] - shift
    u, v = (inverse @ pix).transpose(1, 0, 2)  # glyph cells, relative to the glyph's centre
    fu, fv = (u + 2.5) * _RES + _PAD - 0.5, (v + 3.5) * _RES + _PAD - 0.5
    h, w = fields.shape[1:]
    u0, v0 = np.floor(fu).astype(int), np.floor(fv).astype(int)
    au, av = fu - u0, fv - v0
    out = np.zeros(fu.shape)
    f = which[:, None]
    for dv, wv in ((0, 1 - av), (1, av)):
        for du, wu in ((0, 1 - au), (1, au)):
            ui, vi = u0 + du, v0 + dv
            ok = (ui >= 0) & (ui < w) & (vi >= 0) & (vi < h)
            out += np.where(ok, wu * wv * fields[f, vi.clip(0, h - 1), ui.clip(0, w - 1)], 0.0)
    out = out * rng.uniform(0.75, 1.0, (n, 1)) + rng.normal(0.0, 0.02, out.shape) * (out > 0.2)
    return np.clip(out * 255.0, 0, 255).round().astype(np.uint8).reshape(n, 28, 28)


def make(n: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images (uint8 ``[n, 28, 28]``) and their labels (uint8 ``[n]``)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    which = labels.astype(int) * len(_THICKNESS) + rng.integers(0, len(_THICKNESS), size=n)
    fields = _fields()
    chunks = [_draw(fields, which[i : i + 1000], rng) for i in range(0, n, 1000)]
    return np.concatenate(chunks) if chunks else np.zeros((0, 28, 28), np.uint8), labels


def _write_images(path: str, images: np.ndarray) -> None:
    header = np.array([2051, len(images), 28, 28], dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + images.tobytes())


def _write_labels(path: str, labels: np.ndarray) -> None:
    header = np.array([2049, len(labels)], dtype=">u4").tobytes()
    with gzip.open(path, "wb") as f:
        f.write(header + labels.tobytes())


def write_idx_files(directory: str, only_missing: bool = True) -> list[str]:
    """Writes the set as MNIST's four ``.gz`` files into ``directory``; returns their paths."""
    from teachflow.examples.tutorials.mnist import input_data as names

    os.makedirs(directory, exist_ok=True)
    train = make(TRAIN_SIZE, SEED)
    test = make(TEST_SIZE, SEED + 1)
    written = []
    for name, write, value in (
        (names.TRAIN_IMAGES, _write_images, train[0]),
        (names.TRAIN_LABELS, _write_labels, train[1]),
        (names.TEST_IMAGES, _write_images, test[0]),
        (names.TEST_LABELS, _write_labels, test[1]),
    ):
        path = os.path.join(directory, name)
        if not (only_missing and os.path.exists(path)):
            write(path, value)
            written.append(path)
    return written
