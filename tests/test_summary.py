"""Summary ops: names and tags, the bytes they produce, and their errors."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tensorboard.compat.proto.summary_pb2 import Summary

import teachflow as tf
from teachflow.summary.ops import default_bucket_limits

pytestmark = pytest.mark.usefixtures("fresh_graph")


def run(t: tf.Tensor, feed: dict | None = None) -> Summary:
    with tf.Session(graph=t.graph) as sess:
        data = sess.run(t, feed)
    assert isinstance(data, bytes)
    return Summary.FromString(data)


def pixels(value: Summary.Value) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(value.image.encoded_image_string)))


# -- scalar -----------------------------------------------------------------------------------


def test_scalar_tags_are_scoped_unique_op_names() -> None:
    x = tf.constant(1.5)
    a = tf.summary.scalar("loss", x)
    b = tf.summary.scalar("loss", x)
    with tf.name_scope("layer1"):
        c = tf.summary.scalar("acc bad!", x)
    d = tf.summary.scalar("loss", x, family="train")
    assert [t.op.name for t in (a, b, c, d)] == ["loss", "loss_1", "layer1/acc_bad_", "train/loss"]
    assert [run(t).value[0].tag for t in (a, b, c, d)] == [
        "loss",
        "loss_1",
        "layer1/acc_bad_",
        "train/train/loss",
    ]
    assert a.op.type == "ScalarSummary" and a.dtype == tf.string and a.shape.ndims == 0
    assert [op.name for op in a.op.inputs[0].op.graph.get_operations()][:3] == [
        "Const",
        "loss/tags",
        "loss",
    ]


def test_scalar_value_and_collections() -> None:
    x = tf.placeholder(tf.int32)
    s = tf.summary.scalar("count", x)
    hidden = tf.summary.scalar("hidden", x, collections=["mine"])
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [s]
    assert tf.get_collection("mine") == [hidden]
    value = run(s, {x: 7}).value[0]
    assert (value.tag, value.simple_value) == ("count", 7.0)


def test_scalar_of_a_vector_fails_at_run_time_like_tensorflow() -> None:
    s = tf.summary.scalar("vec2", tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        run(s)
    assert "tags and values not the same shape: [] != [2] (tag 'vec2')" in str(e.value)
    assert e.value.op is s.op


def test_scalar_of_strings_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="parameter 'values' has DataType string"):
        tf.summary.scalar("s", tf.constant("text"))


def test_scalar_summary_0x_uses_tags_verbatim() -> None:
    with pytest.warns(DeprecationWarning, match="summary.scalar"):
        s = tf.scalar_summary(["a b", "c"], tf.constant([1.0, 2.0]))
    assert s.op.name == "ScalarSummary"
    assert s.op.inputs[0].op.name == "ScalarSummary/tags"
    assert [(v.tag, v.simple_value) for v in run(s).value] == [("a b", 1.0), ("c", 2.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        bad = tf.scalar_summary(["a", "b"], tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        run(bad)
    assert "tags and values not the same shape: [2] != [1]\n" in str(e.value)


# -- histogram ----------------------------------------------------------------------------------


def test_histogram_statistics_and_buckets() -> None:
    data = np.random.default_rng(1).normal(size=(40, 25)).astype(np.float32)
    h = run(tf.summary.histogram("weights", tf.constant(data))).value[0]
    assert h.tag == "weights"
    x = data.astype(np.float64).reshape(-1)
    histo = h.histo
    assert (histo.min, histo.max, histo.num) == (x.min(), x.max(), x.size)
    assert histo.sum == pytest.approx(x.sum(), rel=1e-12)
    assert histo.sum_squares == pytest.approx((x * x).sum(), rel=1e-12)
    limits, counts = np.array(histo.bucket_limit), np.array(histo.bucket)
    assert counts.sum() == x.size
    assert np.all(np.diff(limits) > 0)
    # each value lies in the first bucket whose limit is above it
    idx = np.searchsorted(limits, x, side="right")
    np.testing.assert_array_equal(np.bincount(idx, minlength=limits.size), counts)
    assert set(limits) <= set(default_bucket_limits())


def test_default_buckets_are_tensorflows() -> None:
    limits = default_bucket_limits()
    pos = limits[limits > 0]
    assert limits[0] == -np.finfo(np.float64).max and limits[-1] == np.finfo(np.float64).max
    assert 0.0 in limits and pos[0] == 1e-12
    np.testing.assert_allclose(pos[1:-1] / pos[:-2], 1.1)
    np.testing.assert_array_equal(limits[: pos.size], -pos[::-1])


def test_empty_histogram() -> None:
    histo = run(tf.summary.histogram("empty", tf.zeros([0]))).value[0].histo
    big = np.finfo(np.float64).max
    assert (histo.num, histo.min, histo.max) == (0, big, -big)
    assert list(histo.bucket_limit) == [big] and list(histo.bucket) == [0]


@pytest.mark.parametrize("bad, word", [(np.nan, "Nan"), (-np.inf, "Infinity")])
def test_histogram_of_non_finite_values_fails(bad: float, word: str) -> None:
    h = tf.summary.histogram("h", tf.constant([1.0, bad, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=f"{word} in summary histogram for: h"):
        run(h)


def test_histogram_of_ten_million_values() -> None:
    x = tf.placeholder(tf.float32, [None])
    data = np.random.default_rng(2).uniform(-3, 3, size=10**7).astype(np.float32)
    histo = run(tf.summary.histogram("big", x), {x: data}).value[0].histo
    assert histo.num == 10**7 and sum(histo.bucket) == 10**7
    assert histo.min == data.min() and histo.max == data.max()
    assert histo.sum == pytest.approx(data.astype(np.float64).sum(), rel=1e-9)


def test_histogram_summary_0x() -> None:
    with pytest.warns(DeprecationWarning):
        h = tf.histogram_summary("w b", tf.constant([1, 2, 3]))
    assert h.op.name == "HistogramSummary" and run(h).value[0].tag == "w b"


# -- image ----------------------------------------------------------------------------------


def test_image_float_scaling_rules() -> None:
    pos = np.array([0.5, 0.25, 0.0, 1.0], np.float32).reshape(1, 2, 2, 1)
    neg = np.array([-1.0, 0.0, 1.0, 3.0], np.float32).reshape(1, 2, 2, 1)
    images = tf.constant(np.concatenate([pos, neg]))
    s = run(tf.summary.image("im", images))
    assert [v.tag for v in s.value] == ["im/image/0", "im/image/1"]
    assert pixels(s.value[0]).reshape(-1).tolist() == [127, 63, 0, 255]
    assert pixels(s.value[1]).reshape(-1).tolist() == [85, 128, 170, 255]
    v = s.value[0].image
    assert (v.height, v.width, v.colorspace) == (2, 2, 1)


def test_image_tags_max_outputs_and_uint8() -> None:
    data = np.random.default_rng(3).integers(0, 256, (5, 3, 4, 3)).astype(np.uint8)
    one = run(tf.summary.image("one", tf.constant(data), max_outputs=1))
    assert [v.tag for v in one.value] == ["one/image"]
    two = run(tf.summary.image("two", tf.constant(data), max_outputs=2))
    assert [v.tag for v in two.value] == ["two/image/0", "two/image/1"]
    np.testing.assert_array_equal(pixels(two.value[1]), data[1])
    with pytest.warns(DeprecationWarning):
        old = tf.image_summary("digits", tf.constant(data[:2]), max_images=4)
    assert [v.tag for v in run(old).value] == ["digits/image/0", "digits/image/1"]


def test_image_non_finite_pixels_get_bad_color() -> None:
    data = np.ones((1, 2, 2, 3), np.float32)
    data[0, 0, 1, 2] = np.nan
    out = pixels(run(tf.summary.image("im", tf.constant(data))).value[0])
    assert out[0, 1].tolist() == [255, 0, 0]
    assert out[1, 1].tolist() == [255, 255, 255]


def test_image_rgba_and_grey_decode() -> None:
    data = np.random.default_rng(4).uniform(0, 1, (1, 6, 7, 4))
    v = run(tf.summary.image("rgba", tf.constant(data))).value[0]
    img = Image.open(io.BytesIO(v.image.encoded_image_string))
    assert img.mode == "RGBA" and img.size == (7, 6)


def test_large_image() -> None:
    x = tf.placeholder(tf.float32, [1, 4096, 4096, 3])
    ramp = np.linspace(-1.0, 2.0, 4096, dtype=np.float32)
    data = np.empty((1, 4096, 4096, 3), np.float32)
    data[0, :, :, 0], data[0, :, :, 1], data[0, :, :, 2] = ramp[None, :], ramp[:, None], 0.5
    v = run(tf.summary.image("big", x), {x: data}).value[0]
    assert (v.image.height, v.image.width) == (4096, 4096)
    out = pixels(v)
    assert out.shape == (4096, 4096, 3)
    # symmetric range around 0: 128 + 127 * x / max|x|, truncated
    scale = np.float32(127) / np.abs(data).max()
    expected = (data[0, :2, :2] * scale + np.float32(128)).astype(np.uint8)
    np.testing.assert_array_equal(out[:2, :2], expected)
    assert out[0, -1].tolist() == [255, 64, 159]  # 128 + 63.5 * (2, -1, 0.5)


def test_image_errors() -> None:
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        tf.summary.image("im", tf.zeros([1, 2, 2, 1], tf.int32))
    with pytest.raises(ValueError, match="max_images"):
        tf.summary.image("im", tf.zeros([1, 2, 2, 1]), max_outputs=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"not \[2,2,2\]"):
        run(tf.summary.image("im", tf.zeros([2, 2, 2])))
    with pytest.raises(tf.errors.InvalidArgumentError, match="non-zero dims"):
        run(tf.summary.image("im", tf.zeros([1, 0, 2, 1])))


# -- text, merge -------------------------------------------------------------------------------


def test_text_summary() -> None:
    t = tf.summary.text("notes", tf.constant("**hello**"))
    assert t.op.type == "TensorSummaryV2"
    v = run(t).value[0]
    assert v.tag == "notes" and v.metadata.plugin_data.plugin_name == "text"
    assert list(v.tensor.string_val) == [b"**hello**"]
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("bad", tf.constant(1))


def test_merge_and_merge_all() -> None:
    assert tf.summary.merge_all() is None
    a = tf.summary.scalar("a", 1.0)
    h = tf.summary.histogram("h", [1.0, 2.0])
    merged = tf.summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary" and merged.op.type == "MergeSummary"
    assert [v.tag for v in run(merged).value] == ["a", "h"]
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a, h]
    named = tf.summary.merge([a], name="m")
    assert named.op.name == "m/m"


def test_merge_duplicate_tags_fail() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        d1 = tf.scalar_summary("dup", 1.0)
        d2 = tf.scalar_summary("dup", 2.0)
        merged = tf.merge_summary([d1, d2])
    assert merged.op.name == "MergeSummary/MergeSummary"
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag dup found"):
        run(merged)


def test_merge_all_summaries_0x_and_type_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert tf.merge_all_summaries() is None
        tf.scalar_summary("x", 1.0)
        merged = tf.merge_all_summaries()
    assert [v.tag for v in run(merged).value] == ["x"]
    with pytest.raises(TypeError, match="do not match expected type string"):
        tf.summary.merge([tf.constant(1.0)])
    with pytest.raises(ValueError, match="shorter than minimum length 1"):
        tf.summary.merge([])


def test_summary_of_a_variable_after_training_steps() -> None:
    v = tf.Variable(0.0, name="w")
    step = tf.assign_add(v, 1.0)
    s = tf.summary.scalar("w", v)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = []
        for _ in range(3):
            sess.run(step)
            values.append(Summary.FromString(sess.run(s)).value[0].simple_value)
    assert values == [1.0, 2.0, 3.0]


def test_building_summaries_needs_no_tensorboard() -> None:
    script = (
        "import sys, teachflow as tf\n"
        "x = tf.constant([[[[1.0]]]])\n"
        "tf.summary.scalar('a', 1.0); tf.summary.histogram('h', x); tf.summary.image('i', x)\n"
        "tf.summary.merge_all()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorboard', 'PIL', 'google'}))"
    )
    root = Path(__file__).parent.parent
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr
