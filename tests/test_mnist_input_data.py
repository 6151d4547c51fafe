"""MNIST's input_data: reading the IDX files, downloading them, DataSet's batches and epochs."""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import teachflow as tf
from teachflow.examples.tutorials.mnist import digits, input_data


def write_idx(directory: Path, n_train: int = 30, n_test: int = 7) -> dict[str, np.ndarray]:
    """Four small MNIST files whose pixels encode the example's index (so batches can be traced)."""
    rng = np.random.default_rng(0)
    made = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = np.zeros((n, 28, 28), np.uint8)
        images[:, 0, 0] = np.arange(n)
        images[:, 5:20, 5:20] = 255
        labels = rng.integers(0, 10, n).astype(np.uint8)
        with gzip.open(directory / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(np.array([2051, n, 28, 28], ">u4").tobytes() + images.tobytes())
        with gzip.open(directory / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(np.array([2049, n], ">u4").tobytes() + labels.tobytes())
        made[prefix] = labels
    return made


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """A local HTTP server on 127.0.0.1 serving small MNIST files; yields (url, dir, requests)."""
    served = tmp_path / "served"
    served.mkdir()
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt: str, *args: object) -> None:
            requests.append(self.path)

    handler = functools.partial(Handler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/mnist/", served, requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_downloads_missing_files_then_reads_them(
    server: tuple[str, Path, list[str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, served, requests = server
    (served / "mnist").mkdir()
    labels = write_idx(served / "mnist")
    data_dir = tmp_path / "MNIST_data"
    mnist = input_data.read_data_sets(
        str(data_dir), one_hot=True, validation_size=10, source_url=url
    )
    out = capsys.readouterr().out.splitlines()
    assert sorted(requests) == sorted(f"/mnist/{name}" for name in input_data.FILES)
    assert out[0].startswith("Successfully downloaded train-images-idx3-ubyte.gz ")
    assert out[1] == f"Extracting {data_dir / 'train-images-idx3-ubyte.gz'}"
    assert sorted(os.listdir(data_dir)) == sorted(input_data.FILES)  # no partial files left
    assert mnist.train.images.shape == (20, 784) and mnist.train.images.dtype == np.float32
    assert mnist.validation.num_examples == 10 and mnist.test.num_examples == 7
    assert mnist.train.images.max() == 1.0
    # validation = the first 10 training examples, train the rest (labels one-hot float64)
    np.testing.assert_array_equal(mnist.validation.labels.argmax(1), labels["train"][:10])
    assert mnist.train.labels.dtype == np.float64
    # a second read finds the files: no new downloads
    requests.clear()
    input_data.read_data_sets(str(data_dir), reshape=False, validation_size=0)
    assert requests == []


def test_offline_error_names_the_files_and_the_directory(
    server: tuple[str, Path, list[str]], tmp_path: Path
) -> None:
    url, _, _ = server  # serves nothing: every file is a 404
    with pytest.raises(FileNotFoundError) as e:
        input_data.read_data_sets(str(tmp_path / "data"), source_url=url)
    text = str(e.value)
    assert str(tmp_path / "data") in text and "train-images-idx3-ubyte.gz" in text
    assert "t10k-labels-idx1-ubyte.gz" in text and 'source_url="builtin"' in text
    assert os.listdir(tmp_path / "data") == []


def test_bad_files_get_tensorflows_errors(tmp_path: Path) -> None:
    write_idx(tmp_path)
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(np.array([2051, 3], ">u4").tobytes())
    with pytest.raises(ValueError, match="Invalid magic number 2051 in MNIST label file"):
        input_data.read_data_sets(str(tmp_path))
    write_idx(tmp_path)
    with pytest.raises(
        ValueError, match="Validation size should be between 0 and 30. Received: 31."
    ):
        input_data.read_data_sets(str(tmp_path), validation_size=31)


def test_next_batch_shuffles_each_epoch_and_wraps_around(tmp_path: Path) -> None:
    write_idx(tmp_path, n_train=10)
    mnist = input_data.read_data_sets(str(tmp_path), validation_size=0, dtype=tf.uint8, seed=3)
    train = mnist.train
    ids = [int(i) for i in train.images[:, 0]]
    assert ids == list(range(10))
    # the permutations TensorFlow's reader draws: numpy's global generator seeded by `seed`
    rs = np.random.RandomState(3)  # what np.random.seed(3) gives, without touching it
    perm0 = np.arange(10)
    rs.shuffle(perm0)
    perm1 = np.arange(10)
    rs.shuffle(perm1)
    first, _ = train.next_batch(4)
    second, _ = train.next_batch(4)
    assert first[:, 0].tolist() == perm0[:4].tolist()
    assert second[:, 0].tolist() == perm0[4:8].tolist()
    assert train.epochs_completed == 0
    wrapped, labels = train.next_batch(4)  # 2 left in epoch 1, then 2 of epoch 2
    assert wrapped[:, 0].tolist() == perm0[8:].tolist() + perm0[perm1][:2].tolist()
    assert train.epochs_completed == 1 and len(labels) == 4
    unshuffled = input_data.DataSet(np.zeros((3, 28, 28, 1), np.uint8), np.arange(3))
    assert unshuffled.next_batch(2, shuffle=False)[1].tolist() == [0, 1]
    assert unshuffled.next_batch(2, shuffle=False)[1].tolist() == [2, 0]


def test_the_graph_seed_seeds_the_shuffle(tmp_path: Path) -> None:
    write_idx(tmp_path, n_train=50)
    batches = []
    for _ in range(2):
        with tf.Graph().as_default():
            tf.set_random_seed(42)
            mnist = input_data.read_data_sets(str(tmp_path), validation_size=0)
            batches.append(mnist.train.next_batch(10)[1])
    np.testing.assert_array_equal(batches[0], batches[1])


def test_builtin_digits_in_mnists_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(input_data.SOURCE_ENV, "builtin")
    mnist = input_data.read_data_sets(str(tmp_path), one_hot=True)
    assert mnist.train.images.shape == (digits.TRAIN_SIZE - 5000, 784)
    assert mnist.test.labels.shape == (digits.TEST_SIZE, 10)
    counts = mnist.train.labels.sum(0)
    assert counts.min() > 0.08 * len(mnist.train.labels)  # every digit is there
    # the same seed gives the same images; digits differ: the nearest class mean is right
    # most of the time (about as often as on MNIST), but far from always
    images, labels = digits.make(1000, seed=5)
    again, _ = digits.make(1000, seed=5)
    np.testing.assert_array_equal(images, again)
    means = np.stack([images[labels == d].mean(0) for d in range(10)]).reshape(10, -1)
    test_images, test_labels = digits.make(300, seed=6)
    flat = test_images.reshape(300, -1).astype(np.float64)
    nearest = ((flat[:, None, :] - means[None]) ** 2).sum(-1).argmin(1)
    assert 0.6 < (nearest == test_labels).mean() < 0.99


def test_softmax_regression_learns_the_builtin_digits(tmp_path: Path) -> None:
    """TensorFlow's MNIST-for-beginners lesson on the built-in set: accuracy well above chance."""
    mnist = input_data.read_data_sets(str(tmp_path), one_hot=True, source_url="builtin")
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 784])
        y_ = tf.placeholder(tf.float32, [None, 10])
        W = tf.Variable(tf.zeros([784, 10]))  # the lesson's name
        b = tf.Variable(tf.zeros([10]))
        y = tf.matmul(x, W) + b
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=y))
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        correct = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(300):
                xs, ys = mnist.train.next_batch(100)
                sess.run(train, {x: xs, y_: ys})
            acc = sess.run(accuracy, {x: mnist.test.images, y_: mnist.test.labels})
    assert acc > 0.7
