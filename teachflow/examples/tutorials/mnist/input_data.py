"""MNIST for TensorFlow 1.x's tutorials: ``read_data_sets(train_dir, one_hot=...)``.

Reads the four standard files (``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``) from ``train_dir``, downloading
the missing ones from ``source_url`` first, and returns ``Datasets(train, validation, test)``:
the first ``validation_size`` training examples are the validation set. Each :class:`DataSet`
holds float32 images scaled to [0, 1] (``reshape=True``: one row of 784 per image) and labels
(one-hot float rows with ``one_hot=True``), and hands out shuffled batches with ``next_batch``.

Without the internet, put the four files into ``train_dir`` yourself, or use teachflow's small
built-in digits (:mod:`.digits`: 12,000 generated 28x28 digits in MNIST's files and shapes):
``source_url="builtin"``, or ``TEACHFLOW_MNIST_SOURCE=builtin`` in the environment for
programs you do not want to edit, or write its files once with
``python -m teachflow.examples.tutorials.mnist.input_data MNIST_data/``.

>>> import tempfile
>>> from teachflow.examples.tutorials.mnist import input_data
>>> mnist = input_data.read_data_sets(tempfile.mkdtemp(), one_hot=True, source_url="builtin")
... # doctest: +ELLIPSIS
Extracting .../train-images-idx3-ubyte.gz
...
>>> mnist.train.images.shape, mnist.train.labels.shape, mnist.test.num_examples
((5000, 784), (5000, 10), 2000)
>>> xs, ys = mnist.train.next_batch(100)
>>> xs.dtype, float(xs.max()) <= 1.0
(dtype('float32'), True)
"""

from __future__ import annotations

import collections
import gzip
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from typing import IO, Any

import numpy as np

from teachflow import dtypes

DEFAULT_SOURCE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"
BUILTIN = "builtin"
SOURCE_ENV = "TEACHFLOW_MNIST_SOURCE"
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

Datasets = collections.namedtuple("Datasets", ["train", "validation", "test"])


def _read32(stream: Any) -> int:
    data = stream.read(4)
    if len(data) != 4:
        raise ValueError("The MNIST file ends inside its header.")
    return int(np.frombuffer(data, dtype=">u4")[0])


def _open_gzip(f: IO[bytes]) -> gzip.GzipFile:
    print("Extracting", f.name)
    return gzip.GzipFile(fileobj=f)


def extract_images(f: IO[bytes]) -> np.ndarray:
    """The images of an IDX3 file object as uint8 ``[n, rows, cols, 1]``."""
    with _open_gzip(f) as stream:
        magic = _read32(stream)
        if magic != 2051:
            raise ValueError(f"Invalid magic number {magic} in MNIST image file: {f.name}")
        n, rows, cols = _read32(stream), _read32(stream), _read32(stream)
        buf = stream.read(rows * cols * n)
        if len(buf) != rows * cols * n:
            raise ValueError(f"The MNIST image file {f.name} is truncated.")
        return np.frombuffer(buf, dtype=np.uint8).reshape(n, rows, cols, 1)


def dense_to_one_hot(labels_dense: np.ndarray, num_classes: int) -> np.ndarray:
    """Class indices to one-hot rows (float64, as TensorFlow's reader)."""
    one_hot = np.zeros((labels_dense.shape[0], num_classes))
    one_hot[np.arange(labels_dense.shape[0]), labels_dense.ravel()] = 1
    return one_hot


def extract_labels(f: IO[bytes], one_hot: bool = False, num_classes: int = 10) -> np.ndarray:
    """The labels of an IDX1 file object: uint8 ``[n]``, or one-hot ``[n, num_classes]``."""
    with _open_gzip(f) as stream:
        magic = _read32(stream)
        if magic != 2049:
            raise ValueError(f"Invalid magic number {magic} in MNIST label file: {f.name}")
        n = _read32(stream)
        buf = stream.read(n)
        if len(buf) != n:
            raise ValueError(f"The MNIST label file {f.name} is truncated.")
        labels = np.frombuffer(buf, dtype=np.uint8)
        return dense_to_one_hot(labels, num_classes) if one_hot else labels


def _numpy_seed(seed: int | None) -> int | None:
    """The seed TensorFlow's DataSet gives numpy: the graph seed, else ``seed`` itself."""
    from teachflow.graph import get_default_graph

    graph_seed = get_default_graph().seed
    if seed is not None:
        return int(seed) % (2**31 - 1)
    return None if graph_seed is None else int(graph_seed) % (2**31 - 1)


class DataSet:
    """Images and labels handed out in shuffled batches, epoch after epoch.

    Args:
      images: uint8 ``[n, rows, cols, 1]``.
      labels: ``[n]`` or ``[n, classes]``.
      dtype: float32 (images scaled to [0, 1]) or uint8 (as stored).
      reshape: flatten each image to ``rows * cols`` values.
      seed: seeds numpy's global generator (as TensorFlow's reader did); default the graph seed.
    """

    def __init__(
        self,
        images: Any,
        labels: Any,
        fake_data: bool = False,
        one_hot: bool = False,
        dtype: Any = dtypes.float32,
        reshape: bool = True,
        seed: int | None = None,
    ) -> None:
        np.random.seed(_numpy_seed(seed))
        dtype = dtypes.as_dtype(dtype).base_dtype
        if dtype not in (dtypes.uint8, dtypes.float32):
            raise TypeError(f"Invalid image dtype {dtype!r}, expected uint8 or float32")
        self.one_hot = one_hot
        if fake_data:
            self._num_examples = 10000
        else:
            images, labels = np.asarray(images), np.asarray(labels)
            if images.shape[0] != labels.shape[0]:
                raise ValueError(f"images.shape: {images.shape} labels.shape: {labels.shape}")
            self._num_examples = images.shape[0]
            if reshape:
                if images.ndim != 4 or images.shape[3] != 1:
                    raise ValueError(
                        f"reshape=True needs images [n, rows, cols, 1], got {images.shape}"
                    )
                images = images.reshape(images.shape[0], images.shape[1] * images.shape[2])
            if dtype == dtypes.float32:
                images = np.multiply(images.astype(np.float32), 1.0 / 255.0)
        self._images = images
        self._labels = labels
        self._epochs_completed = 0
        self._index_in_epoch = 0

    images = property(lambda self: self._images)
    labels = property(lambda self: self._labels)
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)

    def next_batch(
        self, batch_size: int, fake_data: bool = False, shuffle: bool = True
    ) -> tuple[Any, Any]:
        """The next ``batch_size`` examples. Each epoch is a new permutation (numpy's global
        generator); a batch that crosses the end of an epoch is the epoch's last examples
        followed by the first ones of the next epoch."""
        if fake_data:
            image = [1] * 784
            label: Any = [1] + [0] * 9 if self.one_hot else 0
            return [image for _ in range(batch_size)], [label for _ in range(batch_size)]
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            perm0 = np.arange(self._num_examples)
            np.random.shuffle(perm0)
            self._images = self.images[perm0]
            self._labels = self.labels[perm0]
        if start + batch_size > self._num_examples:
            self._epochs_completed += 1
            rest = self._num_examples - start
            images_rest = self._images[start : self._num_examples]
            labels_rest = self._labels[start : self._num_examples]
            if shuffle:
                perm = np.arange(self._num_examples)
                np.random.shuffle(perm)
                self._images = self.images[perm]
                self._labels = self.labels[perm]
            self._index_in_epoch = batch_size - rest
            end = self._index_in_epoch
            return (
                np.concatenate((images_rest, self._images[0:end]), axis=0),
                np.concatenate((labels_rest, self._labels[0:end]), axis=0),
            )
        self._index_in_epoch += batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


class MNISTFilesMissingError(FileNotFoundError):
    """The MNIST files are not in ``train_dir`` and could not be downloaded."""


def _missing_message(train_dir: str, missing: list[str], source_url: str, why: str) -> str:
    where = os.path.abspath(train_dir)
    return (
        f"MNIST's files are not in {where} and could not be downloaded from {source_url} "
        f"({why}).\n  Missing: {', '.join(missing)}.\n  Hint: copy the four files "
        f"({', '.join(FILES)}) into {where}; or use teachflow's small built-in digits: "
        f'read_data_sets(..., source_url="builtin"), or set {SOURCE_ENV}=builtin for a '
        "program you do not want to edit."
    )


def maybe_download(filename: str, work_directory: str, source_url: str) -> str:
    """``work_directory/filename``, downloaded from ``source_url`` first if it is missing."""
    os.makedirs(work_directory, exist_ok=True)
    filepath = os.path.join(work_directory, filename)
    if not os.path.exists(filepath):
        if source_url.startswith(BUILTIN):
            from teachflow.examples.tutorials.mnist import digits

            digits.write_idx_files(work_directory)
            return filepath
        fd, temp = tempfile.mkstemp(dir=work_directory, suffix=".part")
        os.close(fd)
        try:
            with (
                urllib.request.urlopen(source_url + filename, timeout=60) as r,
                open(temp, "wb") as out,
            ):  # noqa: E501
                shutil.copyfileobj(r, out)
            os.replace(temp, filepath)
        except (urllib.error.URLError, OSError, ValueError) as e:
            raise MNISTFilesMissingError(
                _missing_message(work_directory, [filename], source_url, str(e))
            ) from None
        finally:
            if os.path.exists(temp):
                os.remove(temp)
        print("Successfully downloaded", filename, os.path.getsize(filepath), "bytes.")
    return filepath


def read_data_sets(
    train_dir: str,
    fake_data: bool = False,
    one_hot: bool = False,
    dtype: Any = dtypes.float32,
    reshape: bool = True,
    validation_size: int = 5000,
    seed: int | None = None,
    source_url: str = DEFAULT_SOURCE_URL,
) -> Datasets:
    """MNIST as ``Datasets(train, validation, test)`` of :class:`DataSet`.

    Args:
      train_dir: where the four ``.gz`` files are (or are downloaded to).
      one_hot: labels as one-hot rows instead of class numbers.
      reshape: images as rows of 784 values instead of ``[28, 28, 1]``.
      validation_size: how many of the first training examples form the validation set.
      source_url: where missing files are downloaded from (a URL prefix), or ``"builtin"`` for
        teachflow's generated digits; the environment variable ``TEACHFLOW_MNIST_SOURCE``,
        when set, takes precedence over the default.
    """
    if fake_data:
        options = {"fake_data": True, "one_hot": one_hot, "dtype": dtype, "seed": seed}
        return Datasets(
            DataSet([], [], **options), DataSet([], [], **options), DataSet([], [], **options)
        )
    if not source_url or source_url == DEFAULT_SOURCE_URL:
        source_url = os.environ.get(SOURCE_ENV) or DEFAULT_SOURCE_URL

    def load(name: str, extract: Any, **kwargs: Any) -> np.ndarray:
        path = maybe_download(name, train_dir, source_url)
        with open(path, "rb") as f:
            return extract(f, **kwargs)  # type: ignore[no-any-return]

    train_images = load(TRAIN_IMAGES, extract_images)
    train_labels = load(TRAIN_LABELS, extract_labels, one_hot=one_hot)
    test_images = load(TEST_IMAGES, extract_images)
    test_labels = load(TEST_LABELS, extract_labels, one_hot=one_hot)
    if not 0 <= validation_size <= len(train_images):
        raise ValueError(
            f"Validation size should be between 0 and {len(train_images)}. Received: "
            f"{validation_size}."
        )
    options = {"dtype": dtype, "reshape": reshape, "seed": seed}
    train = DataSet(train_images[validation_size:], train_labels[validation_size:], **options)
    validation = DataSet(train_images[:validation_size], train_labels[:validation_size], **options)
    test = DataSet(test_images, test_labels, **options)
    return Datasets(train=train, validation=validation, test=test)


def load_mnist(train_dir: str = "MNIST-data") -> Datasets:
    return read_data_sets(train_dir)


if __name__ == "__main__":
    # python -m teachflow.examples.tutorials.mnist.input_data DIR: the built-in digits' files
    if len(sys.argv) != 2:
        sys.exit("usage: python -m teachflow.examples.tutorials.mnist.input_data DIRECTORY")
    from teachflow.examples.tutorials.mnist import digits

    for path in digits.write_idx_files(sys.argv[1]):
        print("Wrote", path)
