"""Summary ops against real TensorFlow: the same programs give the same protos (parsed),
op names, tags and errors. PNG bytes come from different encoders, so images compare pixels."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image
from tensorboard.compat.proto.summary_pb2 import Summary

import teachflow

from .conftest import run_program

pytestmark = pytest.mark.compat

RNG = np.random.default_rng(42)


def _parse(results: Any) -> list[Summary]:
    items = results if isinstance(results, list) else [results]
    return [Summary.FromString(r) for r in items]


def _without_pngs(s: Summary) -> tuple[Summary, list[np.ndarray]]:
    """The summary with PNG bytes blanked, and the decoded pixels."""
    out = Summary()
    out.CopyFrom(s)
    images = []
    for v in out.value:
        if v.HasField("image"):
            images.append(np.array(Image.open(io.BytesIO(v.image.encoded_image_string))))
            v.image.encoded_image_string = b""
    return out, images


def same_summaries(tf1: Any, build: Callable[[Any], Any]) -> list[Summary]:
    """Runs ``build`` on both libraries; the parsed summaries, pixels and names must agree."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        tf_fetch, tf_res = run_program(tf1, build)
        tt_fetch, tt_res = run_program(teachflow, build)
    assert not isinstance(tf_res, Exception), tf_res
    assert not isinstance(tt_res, Exception), tt_res
    tf_list = tf_fetch if isinstance(tf_fetch, list) else [tf_fetch]
    tt_list = tt_fetch if isinstance(tt_fetch, list) else [tt_fetch]
    assert [t.name for t in tt_list] == [t.name for t in tf_list]
    assert [t.op.type for t in tt_list] == [t.op.type for t in tf_list]
    tf_s, tt_s = _parse(tf_res), _parse(tt_res)
    for a, b in zip(tf_s, tt_s):
        a_meta, a_pix = _without_pngs(a)
        b_meta, b_pix = _without_pngs(b)
        assert b_meta == a_meta
        assert len(a_pix) == len(b_pix)
        for pa, pb in zip(a_pix, b_pix):
            assert pa.shape == pb.shape and pa.dtype == pb.dtype
            np.testing.assert_array_equal(pb, pa)
    return tt_s


def same_run_error(tf1: Any, build: Callable[[Any], Any]) -> tuple[Exception, Exception]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        _, tf_res = run_program(tf1, build)
        _, tt_res = run_program(teachflow, build)
    assert isinstance(tf_res, Exception) and isinstance(tt_res, Exception), (tf_res, tt_res)
    assert type(tt_res).__name__ == type(tf_res).__name__
    return tf_res, tt_res


# -- scalars ------------------------------------------------------------------------------------


def test_scalar_names_tags_and_values(tf1: Any) -> None:
    def build(tf: Any) -> list[Any]:
        x = tf.constant(1.5)
        out = [tf.summary.scalar("loss", x), tf.summary.scalar("loss", x * 2.0)]
        with tf.name_scope("layer1"):
            out.append(tf.summary.scalar("acc bad!", tf.constant(3, tf.int64)))
        out.append(tf.summary.scalar("lr", tf.constant(0.1, tf.float64), family="train"))
        out.append(tf.summary.scalar("/lead", tf.constant(7, tf.uint8)))
        return out

    same_summaries(tf1, build)


def test_scalar_summary_0x(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        fn = tf.scalar_summary if tf is teachflow else _logging_ops().scalar_summary
        return [fn(["a b", "c"], tf.constant([1.0, 2.0])), fn("sparsity", 0.25)]

    same_summaries(tf1, build)


def test_scalar_shape_mismatch_is_invalid_argument(tf1: Any) -> None:
    tf_err, tt_err = same_run_error(
        tf1, lambda tf: tf.summary.scalar("vec2", tf.constant([1.0, 2.0]))
    )
    assert "[] != [2] (tag 'vec2')" in str(tf_err) and "[] != [2] (tag 'vec2')" in str(tt_err)


# -- histograms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        RNG.normal(size=1000).astype(np.float32),
        RNG.normal(size=(30, 30)) * 1e5,
        np.arange(-50, 50, dtype=np.int32),
        RNG.uniform(-1e-11, 1e-11, 100),
        np.zeros(5, np.float32),
        np.array([1.0, 2.5, -3.0], np.float16),
        np.array([], np.float32),
        RNG.integers(0, 255, 64).astype(np.uint8),
        np.array([np.finfo(np.float32).max, -np.finfo(np.float32).max, 1e-30], np.float32),
    ],
    ids=["normal", "wide", "ints", "tiny", "zeros", "half", "empty", "uint8", "extremes"],
)
def test_histogram_protos_equal(tf1: Any, data: np.ndarray) -> None:
    same_summaries(tf1, lambda tf: tf.summary.histogram("h", tf.constant(data)))


def test_histogram_fed_and_0x(tf1: Any) -> None:
    data = RNG.standard_cauchy(5000).astype(np.float32)

    def build(tf: Any) -> Any:
        x = tf.placeholder(tf.float32, [None], name="x")
        fn = tf.histogram_summary if tf is teachflow else _logging_ops().histogram_summary
        return [tf.summary.histogram("w", x), fn("old tag", x)], {x: data}

    same_summaries(tf1, build)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_histogram_non_finite(tf1: Any, bad: float) -> None:
    same_run_error(tf1, lambda tf: tf.summary.histogram("h", tf.constant([1.0, bad])))


# -- images -------------------------------------------------------------------------------------


def _noisy(shape: tuple[int, ...], dtype: Any, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    data = RNG.uniform(lo, hi, shape).astype(dtype)
    flat = data.reshape(-1)
    flat[3], flat[17] = np.nan, np.inf
    return data


@pytest.mark.parametrize(
    "data",
    [
        RNG.normal(size=(4, 8, 9, 3)).astype(np.float32),
        RNG.uniform(0, 7, size=(2, 5, 5, 1)),
        RNG.integers(0, 255, (2, 3, 3, 4)).astype(np.uint8),
        RNG.normal(size=(1, 20, 20, 3)).astype(np.float16),
        _noisy((2, 6, 6, 3), np.float32),
        _noisy((1, 6, 6, 4), np.float64, 0.0, 5.0),
        np.zeros((1, 3, 3, 1), np.float32),
        np.full((1, 2, 2, 1), 1e-7, np.float32),
        np.array([0.5, 0.25, 0.0, 1.0, -1.0, 0.0, 1.0, 3.0], np.float32).reshape(2, 2, 2, 1),
    ],
    ids=["normal", "positive", "uint8", "half", "nonfinite", "rgba64", "zeros", "tiny", "memo"],
)
@pytest.mark.parametrize("max_outputs", [1, 3])
def test_image_pixels_equal(tf1: Any, data: np.ndarray, max_outputs: int) -> None:
    same_summaries(tf1, lambda tf: tf.summary.image("im", tf.constant(data), max_outputs))


def test_image_summary_0x_and_bad_shape(tf1: Any) -> None:
    data = RNG.uniform(0, 1, (3, 4, 4, 1)).astype(np.float32)

    def build(tf: Any) -> Any:
        fn = tf.image_summary if tf is teachflow else _logging_ops().image_summary
        return fn("digits", tf.constant(data), max_images=2)

    same_summaries(tf1, build)
    same_run_error(tf1, lambda tf: tf.summary.image("im", tf.zeros([1, 2, 2, 2])))


# -- text and merging ---------------------------------------------------------------------------


def test_text_and_merge(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        t = tf.summary.text("notes", tf.constant("**bold** text"))
        table = tf.summary.text("table", tf.constant([["a", "b"], ["c", "d"]]))
        nums = tf.summary.tensor_summary("nums", tf.constant([[1.0, 2.0]]), display_name="N")
        s = tf.summary.scalar("s", tf.constant(2.0))
        return [t, table, nums, tf.summary.merge([t, s], name="both"), tf.summary.merge_all()]

    same_summaries(tf1, build)


def test_merge_duplicate_tags(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        fn = tf.scalar_summary if tf is teachflow else _logging_ops().scalar_summary
        return tf.summary.merge([fn("dup", 1.0), fn("dup", 2.0)])

    tf_err, tt_err = same_run_error(tf1, build)
    assert "Duplicate tag dup found in summary inputs" in str(tt_err)


def test_collections_match(tf1: Any) -> None:
    names = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default() as g:
            lib.summary.scalar("a", 1.0)
            lib.summary.histogram("b", [1.0], collections=["mine"])
            lib.summary.merge_all()
            names.append(
                ([t.name for t in g.get_collection("summaries")], g.get_collection("mine")[0].name)
            )
    assert names[0] == names[1]


def _logging_ops() -> Any:
    from tensorflow.python.ops import logging_ops

    return logging_ops
