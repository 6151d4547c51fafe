"""teachflow.blas: how many BLAS threads teachflow's products use, and that the user's own
setting is left as it was."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController, threadpool_limits

import teachflow as tf
from teachflow import blas

CONTROLLER = ThreadpoolController()
HAVE_BLAS = bool(CONTROLLER.select(user_api="blas").lib_controllers)
needs_blas = pytest.mark.skipif(not HAVE_BLAS, reason="numpy's BLAS is not controllable here")


def blas_threads() -> int:
    return int(CONTROLLER.select(user_api="blas").lib_controllers[0].get_num_threads())


@pytest.fixture(autouse=True)
def policy() -> Iterator[None]:
    saved = blas.get_threads()
    blas.set_threads(None)
    yield
    blas.set_threads(saved)


def threads_seen(macs: int) -> int:
    """The BLAS thread count while teachflow runs a product of ``macs`` multiply-adds."""
    return int(blas.call(macs, blas_threads))


@needs_blas
def test_a_small_product_runs_on_one_thread_and_the_setting_comes_back() -> None:
    with threadpool_limits(2, user_api="blas"):
        assert threads_seen(1000) == 1
        assert blas_threads() == 2


@needs_blas
def test_a_large_product_never_takes_more_threads_than_the_user_allows() -> None:
    with threadpool_limits(1, user_api="blas"):
        assert threads_seen(blas.SMALL_PRODUCT * 100) == 1
        assert blas_threads() == 1
    with threadpool_limits(2, user_api="blas"):
        assert 1 <= threads_seen(blas.SMALL_PRODUCT * 100) <= min(2, blas.physical_cores())
        assert blas_threads() == 2


@needs_blas
def test_a_session_run_leaves_the_users_setting_alone_even_when_a_kernel_fails() -> None:
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [None, None])
        prod = tf.matmul(a, a)
        sess = tf.Session()
        with threadpool_limits(2, user_api="blas"):
            for _ in range(3):
                sess.run(prod, {a: np.ones((4, 4), np.float32)})
            assert blas_threads() == 2
            with pytest.raises(tf.errors.InvalidArgumentError):
                sess.run(prod, {a: np.ones((4, 3), np.float32)})
            assert blas_threads() == 2


@needs_blas
def test_set_threads_overrides_the_policy_and_zero_leaves_blas_alone() -> None:
    with threadpool_limits(2, user_api="blas"):
        blas.set_threads(2)
        assert threads_seen(1000) == 2
        blas.set_threads(1)
        assert threads_seen(blas.SMALL_PRODUCT * 100) == 1
        blas.set_threads(0)
        assert threads_seen(1000) == 2
        assert blas_threads() == 2
    with threadpool_limits(1, user_api="blas"):
        blas.set_threads(2)  # asked for explicitly: more than the library's setting
        assert threads_seen(1000) == 2
        assert blas_threads() == 1


def test_set_threads_refuses_what_is_not_a_count() -> None:
    for bad in (-1, 1.5, "2"):
        with pytest.raises(ValueError, match="set_threads takes None or a whole number"):
            blas.set_threads(bad)  # type: ignore[arg-type]


def test_the_environment_variable_sets_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEACHFLOW_BLAS_THREADS", "3")
    assert blas._parse_env() == 3
    monkeypatch.setenv("TEACHFLOW_BLAS_THREADS", "")
    assert blas._parse_env() is None
    monkeypatch.setenv("TEACHFLOW_BLAS_THREADS", "many")
    with pytest.warns(UserWarning, match="TEACHFLOW_BLAS_THREADS must be a whole number"):
        assert blas._parse_env() is None


@pytest.mark.parametrize(
    "shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((1, 3, 4), (6, 4, 2))]
)
def test_matmul_equals_numpy(shapes: tuple[Any, Any]) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    np.testing.assert_array_equal(blas.matmul(a, b), a @ b)


def test_physical_cores_is_at_least_one() -> None:
    assert 1 <= blas.physical_cores() <= (__import__("os").cpu_count() or 1)
