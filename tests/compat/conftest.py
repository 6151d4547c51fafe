"""The compat suite: the same program on real TensorFlow (1.x mode) and on teachflow.

``compare(build)`` runs ``build(tf)`` in a fresh graph with each library, runs the returned
fetches in a session and checks that values, dtypes, static shapes and op names agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# TensorFlow picks its oneDNN kernels on CPUs with AVX-512 and its own kernels elsewhere; the
# two differ (NCHW convolution, some error texts). The oracle is the portable CPU kernels, on
# every machine: set before TensorFlow is first imported.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def oracle_runs_portable_kernels() -> bool:
    """Whether the TensorFlow under test runs its portable CPU kernels (not oneDNN's).

    ``TF_ENABLE_ONEDNN_OPTS=1`` set by hand (or TensorFlow built without the switch) turns
    oneDNN on despite the default above: tests whose TensorFlow answer depends on the kernels
    then check teachflow against the portable kernels' recorded answer instead.
    """
    import tensorflow  # noqa: F401 - the switch is read when TensorFlow loads

    try:
        from tensorflow.python.util import _pywrap_util_port

        return not _pywrap_util_port.IsMklEnabled()
    except (ImportError, AttributeError):  # pragma: no cover - other TensorFlow builds
        return os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0"


@pytest.fixture(scope="session")
def tf1() -> Any:
    """``tensorflow.compat.v1`` with v2 behaviour disabled (ref variables, graphs, sessions)."""
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    tf.logging.set_verbosity(tf.logging.ERROR)
    return tf


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flatten(x[k])]
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flatten(item)]
    return [x]


def run_program(
    lib: Any, build: Callable[[Any], Any], feed: Callable[[Any, Any], Any] | None = None
) -> tuple[Any, Any]:
    """Builds in a fresh graph and runs; returns (fetches, results) or (fetches, exception)."""
    g = lib.Graph()
    with g.as_default():
        built = build(lib)
        fetches, feed_dict = (
            built
            if isinstance(built, tuple) and len(built) == 2 and isinstance(built[1], dict)
            else (built, None)
        )
        with lib.Session(graph=g) as sess:
            sess.run(lib.global_variables_initializer())
            try:
                result = sess.run(fetches, feed_dict=feed_dict)
            except Exception as e:  # compared by class
                result = e
            if lib is teachflow:
                assert_same_when_repeated(sess, fetches, feed_dict, result)
            return fetches, result


def assert_same_when_repeated(sess: Any, fetches: Any, feed_dict: Any, first: Any) -> None:
    """A repeated run gives the first run's result: the 2nd run compiles the plan
    (teachflow.compiled), the 3rd reuses remembered shape values. Plans with stateful ops
    (updates, random numbers) are skipped: their results are meant to change."""
    try:
        steps = sess.stepper(fetches, feed_dict).plan.steps
    except Exception:  # no plan (bad fetches or feeds): nothing to compile
        return
    if any(s.op.opdef.stateful and s.op.type != "VariableV2" for s in steps):
        return
    for _ in range(2):
        try:
            again = sess.run(fetches, feed_dict=feed_dict)
        except Exception as e:  # compared by class and text
            again = e
        if isinstance(first, Exception) or isinstance(again, Exception):
            assert type(again) is type(first) and str(again) == str(first), (first, again)
            continue
        for a, b in zip(_flatten(first), _flatten(again), strict=True):
            assert type(a) is type(b)
            if isinstance(a, np.ndarray | np.generic):
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_array_equal(a, b)
            else:
                assert a == b


def assert_same_value(
    tf_val: Any, tt_val: Any, rtol: float = 1e-5, atol: float = 1e-6, what: str = ""
) -> None:
    tfa, tta = np.asarray(tf_val), np.asarray(tt_val)
    assert (
        type(tt_val).__name__ == type(tf_val).__name__
        or (isinstance(tt_val, np.generic) and isinstance(tf_val, np.generic))
        or isinstance(tf_val, (list, tuple, dict))
        or tt_val is None
        and tf_val is None
    ), f"{what}: result type {type(tt_val)} != TensorFlow's {type(tf_val)}"
    assert tta.dtype == tfa.dtype, f"{what}: dtype {tta.dtype} != TensorFlow's {tfa.dtype}"
    assert tta.shape == tfa.shape, f"{what}: shape {tta.shape} != TensorFlow's {tfa.shape}"
    if tfa.dtype.kind in "fc":
        np.testing.assert_allclose(tta, tfa, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(tta, tfa, err_msg=what)


def compare(
    tf1: Any,
    build: Callable[[Any], Any],
    rtol: float = 1e-5,
    atol: float = 1e-6,
    names: bool = True,
) -> tuple[Any, Any]:
    """Runs ``build`` on both libraries; asserts values, dtypes, shapes and names agree."""
    tf_fetch, tf_res = run_program(tf1, build)
    tt_fetch, tt_res = run_program(teachflow, build)
    if isinstance(tf_res, Exception) or isinstance(tt_res, Exception):
        assert isinstance(tf_res, Exception) and isinstance(tt_res, Exception), (
            f"TensorFlow gave {tf_res!r}, teachflow gave {tt_res!r}"
        )
        assert type(tt_res).__name__ == type(tf_res).__name__, (tt_res, tf_res)
        return tf_res, tt_res
    for i, (a, b, fa, fb) in enumerate(
        zip(_flatten(tf_res), _flatten(tt_res), _flatten(tf_fetch), _flatten(tt_fetch))
    ):
        what = f"fetch {i} ({getattr(fa, 'name', fa)})"
        assert_same_value(a, b, rtol, atol, what)
        if names and hasattr(fa, "name") and not isinstance(fa, str):
            assert fb.name == fa.name, f"{what}: name {fb.name!r} != TensorFlow's {fa.name!r}"
        if hasattr(fa, "shape") and hasattr(fa, "dtype") and not isinstance(fa, str):
            assert str(fb.shape) == str(_tf_shape(fa.shape)), (
                f"{what}: static shape {fb.shape} != {fa.shape}"
            )
            assert fb.dtype.name == fa.dtype.name, f"{what}: dtype {fb.dtype} != {fa.dtype}"
    return tf_res, tt_res


def _tf_shape(shape: Any) -> str:
    if shape.dims is None:
        return "<unknown>"
    dims = ["?" if d is None else str(d) for d in shape.as_list()]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def construction_error(
    tf1: Any, build: Callable[[Any], Any]
) -> tuple[BaseException, BaseException]:
    """Both libraries must raise while building; returns (tf_error, teachflow_error)."""
    errs = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            try:
                build(lib)
            except Exception as e:  # compared by class
                errs.append(e)
                continue
            errs.append(None)
    tf_err, tt_err = errs
    assert tf_err is not None, "TensorFlow accepted the program"
    assert tt_err is not None, f"teachflow accepted what TensorFlow rejects with {tf_err!r}"
    assert isinstance(tt_err, type(tf_err)) or type(tf_err).__name__ in {
        c.__name__ for c in type(tt_err).__mro__
    }, f"teachflow raised {tt_err!r}, TensorFlow {tf_err!r}"
    return tf_err, tt_err
