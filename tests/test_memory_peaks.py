"""Every kernel's peak memory (output plus temporaries) is bounded before it allocates: the
memory limit (``registry.MAX_TENSOR_BYTES``, half the machine) refuses with TensorFlow's
ResourceExhaustedError and a hint, and kernels do not hold several copies of their data."""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pytest

import teachflow as tf
from teachflow.ops import registry

pytestmark = pytest.mark.usefixtures("fresh_graph")


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Lowers the memory limit, as if the machine had less memory."""

    def set_limit(nbytes: int) -> None:
        monkeypatch.setattr(registry, "MAX_TENSOR_BYTES", nbytes)

    return set_limit


def peak_of(sess: Any, fetch: Any, feed: Any = None, warm: bool = True) -> int:
    """The most bytes held at once by one run (numpy arrays included), after a warm-up run."""
    if warm:
        sess.run(fetch, feed)
    tracemalloc.start()
    try:
        sess.run(fetch, feed)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_range_peaks_at_its_output() -> None:
    n = 10_000_000
    r = tf.range(n)
    sess = tf.Session()
    assert peak_of(sess, r, warm=False) < 1.1 * n * 4  # the kernel: one run, not compiled
    assert sess.run(tf.range(2, 11, 3)).tolist() == [2, 5, 8]
    assert sess.run(tf.range(1.5, 0.0, -0.5)).tolist() == [1.5, 1.0, 0.5]


def test_range_larger_than_the_limit_is_refused_before_it_runs(limit: Any) -> None:
    limit(10 * 2**20)
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.ResourceExhaustedError) as info:
        tf.Session().run(tf.range(n), {n: 2**31 - 1})
    assert str(info.value).startswith(
        "OOM when allocating tensor with shape[2147483647] and type int32"
    )
    assert "Hint:" in str(info.value)


def test_histogram_summary_needs_no_copies_of_its_input() -> None:
    x = tf.placeholder(tf.float32, [None])
    h = tf.summary.histogram("h", x)
    values = np.random.default_rng(0).normal(size=4_000_000).astype(np.float32)
    assert peak_of(tf.Session(), h, {x: values}) < 0.5 * values.nbytes


def test_broadcasting_a_column_and_a_row_is_checked_before_allocating(limit: Any) -> None:
    limit(10 * 2**20)
    col = tf.placeholder(tf.float32, [None, 1])
    row = tf.placeholder(tf.float32, [1, None])
    sess = tf.Session()
    small = {col: np.ones((10, 1)), row: np.ones((1, 10))}
    outer = col * row
    assert sess.run(outer, small).shape == (10, 10)
    with pytest.raises(tf.errors.ResourceExhaustedError) as info:
        sess.run(outer, {col: np.ones((2000, 1)), row: np.ones((1, 2000))})
    assert str(info.value).startswith(
        "OOM when allocating tensor with shape[2000,2000] and type float"
    )
    assert "[[{{node mul}}]]" in str(info.value)


def test_kernel_temporaries_count_against_the_limit(limit: Any) -> None:
    """Softmax cross entropy's output is small, its scratch arrays are not."""
    logits = tf.zeros([1000, 1000])  # 3.8 MiB; the kernel holds about 3 of them at once
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=logits, logits=logits)
    limit(8 * 2**20)
    with pytest.raises(tf.errors.ResourceExhaustedError) as info:
        tf.Session().run(loss)
    assert "OOM when allocating the temporaries of 'softmax_cross_entropy_with_logits" in str(
        info.value
    )
    assert "its output plus temporaries" in str(info.value)
    limit(16 * 2**20)
    assert tf.Session().run(loss).shape == (1000,)


def test_check_peak_is_what_kernels_call_before_allocating(limit: Any) -> None:
    limit(2**20)
    registry.check_peak(2**20, "tensor with shape[262144] and type float")
    with pytest.raises(tf.errors.ResourceExhaustedError, match="patch matrix"):
        registry.check_peak(2**20 + 1, "the patch matrix")
    with pytest.raises(tf.errors.ResourceExhaustedError, match="shape.100,100,100. and type"):
        registry.check_alloc([100, 100, 100], tf.float32)
    with pytest.raises(tf.errors.ResourceExhaustedError, match="scratch"):
        registry.check_alloc(2**21, "scratch")


def test_matmul_of_a_column_and_a_row_is_checked_before_allocating(limit: Any) -> None:
    limit(10 * 2**20)
    col = tf.placeholder(tf.float32, [None, None])
    row = tf.placeholder(tf.float32, [None, None])
    outer = tf.matmul(col, row)
    sess = tf.Session()
    assert sess.run(outer, {col: np.ones((3, 1)), row: np.ones((1, 4))}).shape == (3, 4)
    with pytest.raises(tf.errors.ResourceExhaustedError) as info:
        sess.run(outer, {col: np.ones((2000, 1)), row: np.ones((1, 2000))})
    assert str(info.value).startswith(
        "OOM when allocating tensor with shape[2000,2000] and type float"
    )
