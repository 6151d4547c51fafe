"""Convolution and pooling against real TensorFlow: values, tf.gradients (and the op names they
build), static shapes, construction errors, run-time errors and a small convnet training."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

from .conftest import compare, construction_error, oracle_runs_portable_kernels, run_program

pytestmark = pytest.mark.compat

RNG = np.random.default_rng(7)

# (input NHWC, filter HWIO, strides, dilations, padding): odd sizes, stride 2 with SAME's
# uneven pads (more at the end), dilations, explicit pads
CONV_CASES: list[tuple[Any, ...]] = [
    ((2, 7, 6, 3), (3, 2, 3, 4), 1, 1, "SAME"),
    ((2, 7, 6, 3), (3, 3, 3, 4), 2, 1, "SAME"),
    ((1, 8, 9, 2), (4, 4, 2, 3), 2, 1, "SAME"),
    ((2, 8, 8, 2), (2, 2, 2, 3), [2, 3], 1, "VALID"),
    ((1, 9, 7, 1), (3, 3, 1, 2), 3, 1, "VALID"),
    ((1, 6, 6, 2), (3, 3, 2, 2), 1, 1, [[0, 0], [1, 2], [0, 1], [0, 0]]),
]
DILATED: list[tuple[Any, ...]] = [
    ((2, 9, 7, 2), (3, 3, 2, 2), 1, 2, "SAME"),
    ((1, 9, 8, 2), (3, 2, 2, 3), [1, 2], [2, 1], "VALID"),
]
POOL_CASES = [
    ((2, 7, 6, 3), 2, 2, "SAME"),
    ((2, 7, 6, 3), 3, 2, "SAME"),
    ((1, 5, 5, 2), [3, 2], [2, 1], "VALID"),
    ((1, 8, 8, 1), 2, 2, "VALID"),
    ((2, 5, 7, 2), 4, 3, "SAME"),
]


def _conv_program(case: tuple[Any, ...], dtype: Any) -> Callable[[Any], list[Any]]:
    xs, fs, strides, dil, pad = case
    x0 = RNG.normal(size=xs).astype(dtype)
    f0 = RNG.normal(size=fs).astype(dtype)
    w0 = RNG.normal(size=(xs[0], 1, 1, fs[3])).astype(dtype)

    def build(tf: Any) -> list[Any]:
        x, f = tf.constant(x0, name="x"), tf.constant(f0, name="f")
        y = tf.nn.conv2d(x, f, strides, pad, dilations=dil)
        if dil != 1:
            return [y]
        loss = tf.reduce_sum(y * tf.constant(w0)) + tf.reduce_sum(y * y)
        return [y, *tf.gradients(loss, [x, f])]

    return build


@pytest.mark.parametrize("case", CONV_CASES + DILATED, ids=lambda c: f"{c[0]}-{c[2]}-{c[4]}")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv2d_values_and_gradients(tf1: Any, case: tuple, dtype: Any) -> None:
    # float32 sums of ~50 terms: 1e-5 relative to the largest entries, not to near-zero ones
    atol = 1e-4 if dtype == np.float32 else 1e-9
    tf_res, _ = compare(tf1, _conv_program(case, dtype), atol=atol)
    assert np.any(tf_res[0])


def test_conv2d_float16_and_int32(tf1: Any) -> None:
    x = RNG.normal(size=(1, 5, 5, 2))
    f = RNG.normal(size=(3, 3, 2, 2))

    def build(tf: Any) -> list[Any]:
        half = tf.nn.conv2d(x.astype(np.float16), f.astype(np.float16), 2, "SAME")
        ints = tf.nn.conv2d((x * 4).astype(np.int32), (f * 4).astype(np.int32), 1, "VALID")
        return [half, ints]

    compare(tf1, build, rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pools_values_and_gradients(tf1: Any, case: tuple, dtype: Any) -> None:
    shape, k, s, pad = case
    x0 = RNG.normal(size=shape).astype(dtype)

    def build(tf: Any) -> list[Any]:
        x = tf.constant(x0, name="x")
        mp, ap = tf.nn.max_pool(x, k, s, pad), tf.nn.avg_pool(x, k, s, pad)
        m2, a2 = tf.nn.max_pool2d(x, k, s, pad), tf.nn.avg_pool2d(x, k, s, pad, name="a2")
        loss = tf.reduce_sum(mp * mp) + tf.reduce_sum(ap * ap * ap) + tf.reduce_sum(m2 + a2)
        return [mp, ap, m2, a2, *tf.gradients(loss, [x])]

    compare(tf1, build, atol=1e-5 if dtype == np.float32 else 1e-9)


def test_pools_on_float16_and_ints(tf1: Any) -> None:
    x = RNG.normal(size=(1, 5, 5, 2))

    def build(tf: Any) -> list[Any]:
        out = [tf.nn.max_pool(x.astype(np.float16), 2, 2, "SAME")]
        out += [tf.nn.avg_pool(x.astype(np.float16), 3, 1, "SAME")]
        out += [tf.nn.max_pool((x * 9).astype(np.int32), 2, 1, "VALID")]
        return out

    compare(tf1, build, rtol=2e-3, atol=2e-3)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum(tf1: Any) -> None:
    x0 = np.array([1, 3, 3, 0, 2, 3, 3, 1, 5, 5, 5, 5, 0, 0, 1, 1], np.float32).reshape(1, 4, 4, 1)

    def build(tf: Any) -> list[Any]:
        x = tf.constant(x0)
        return tf.gradients(tf.nn.max_pool(x, 2, 1, "SAME"), [x])

    compare(tf1, build)


def test_max_pool_with_explicit_padding(tf1: Any) -> None:
    x0 = -np.abs(RNG.normal(size=(1, 5, 4, 2))).astype(np.float32)  # all negative: pads never win

    def build(tf: Any) -> list[Any]:
        x = tf.constant(x0)
        y = tf.nn.max_pool(x, 2, 2, [[0, 0], [1, 1], [0, 1], [0, 0]])
        return [y, *tf.gradients(tf.reduce_sum(y * y), [x])]

    compare(tf1, build)


def test_backprops_transpose_and_second_order_gradients(tf1: Any) -> None:
    x0 = RNG.normal(size=(2, 5, 5, 3)).astype(np.float64)
    f0 = RNG.normal(size=(3, 3, 3, 4)).astype(np.float64)
    dy0 = RNG.normal(size=(2, 3, 3, 4)).astype(np.float64)

    def build(tf: Any) -> list[Any]:
        x, f, dy = tf.constant(x0), tf.constant(f0), tf.constant(dy0)
        bi = tf.nn.conv2d_backprop_input([2, 5, 5, 3], f, dy, [1, 2, 2, 1], "SAME")
        bf = tf.nn.conv2d_backprop_filter(x, [3, 3, 3, 4], dy, [1, 2, 2, 1], "SAME")
        ct = tf.nn.conv2d_transpose(dy, f, [2, 5, 5, 3], 2)
        out = [bi, bf, ct, *tf.gradients(tf.reduce_sum(bi * bi) + tf.reduce_sum(bf * bf), [f, dy])]
        # gradients of gradients: MaxPoolGrad -> MaxPoolGradGrad, AvgPoolGrad -> AvgPool
        (gx,) = tf.gradients(tf.reduce_sum(tf.nn.max_pool(x * x, 2, 2, "SAME") ** 2), [x])
        (ga,) = tf.gradients(tf.reduce_sum(tf.nn.avg_pool(x * x, 2, 2, "SAME") ** 2), [x])
        return out + tf.gradients(tf.reduce_sum(gx * gx) + tf.reduce_sum(ga * ga), [x])

    compare(tf1, build)


def _op_facts(lib: Any, build: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
    """Name, type, inputs and attrs of the convolution and pooling ops (and their ShapeN)."""
    keys = (
        "T strides ksize padding data_format dilations explicit_paddings use_cudnn_on_gpu".split()
    )
    with lib.Graph().as_default() as g:
        build(lib)
        facts = []
        for op in g.get_operations():
            if "Pool" in op.type or "Conv" in op.type or op.type == "ShapeN":
                attrs = {k: op.get_attr(k) for k in keys if k in op.node_def.attr}
                attrs = {k: getattr(v, "name", v) for k, v in attrs.items()}  # DType -> name
                facts.append((op.name, op.type, [t.name for t in op.inputs], attrs))
        return sorted(facts, key=lambda f: f[0])


def test_gradient_graphs_have_tensorflows_ops_names_and_attrs(tf1: Any) -> None:
    def build(tf: Any) -> None:
        x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
        w = tf.Variable(tf.ones([3, 3, 1, 4]), name="w")
        h = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")
        p = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
        a = tf.nn.avg_pool(p, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
        tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(a) + tf.reduce_sum(p))

    assert _op_facts(teachflow, build) == _op_facts(tf1, build)


def test_static_shapes_with_unknown_dimensions(tf1: Any) -> None:
    def build(tf: Any) -> list[Any]:
        x = tf.placeholder(tf.float32, [None, 7, None, 3])
        u = tf.placeholder(tf.float32)
        out = [tf.nn.conv2d(x, tf.ones([3, 3, 3, 5]), 2, "VALID"), tf.nn.max_pool(x, 2, 2, "SAME")]
        out += [tf.nn.conv2d(u, tf.ones([3, 3, 3, 5]), 1, "SAME"), tf.nn.avg_pool(u, 2, 2, "SAME")]
        out += [
            tf.nn.conv2d(
                tf.zeros([1, 3, 6, 6]), tf.ones([3, 3, 3, 4]), 2, "VALID", data_format="NCHW"
            )
        ]
        sizes = tf.placeholder(tf.int32, [4])
        out += [
            tf.nn.conv2d_backprop_input(
                sizes, tf.ones([3, 3, 3, 4]), tf.ones([2, 3, 3, 4]), [1, 1, 1, 1], "SAME"
            )
        ]
        return [str(t.shape) for t in out]

    with tf1.Graph().as_default():
        want = build(tf1)
    with teachflow.Graph().as_default():
        assert build(teachflow) == want


def _x(tf: Any, shape: Any = (1, 5, 5, 3), dtype: Any = None) -> Any:
    return tf.zeros(shape, dtype or tf.float32)


def _f(tf: Any, shape: Any = (3, 3, 3, 4), dtype: Any = None) -> Any:
    return tf.zeros(shape, dtype or tf.float32)


def _conv(tf: Any, *args: Any, **kwargs: Any) -> Any:
    """conv2d of a [1, 5, 5, 3] input with a [3, 3, 3, 4] filter."""
    return tf.nn.conv2d(_x(tf), _f(tf), *args, **kwargs)


PAD_BATCH = [[1, 0], [1, 2], [0, 1], [0, 0]]
PAD_NEGATIVE = [[0, 0], [-1, 2], [0, 1], [0, 0]]
PAD_TOO_BIG = [[0, 0], [2, 1], [0, 1], [0, 0]]
PAD_OK = [[0, 0], [1, 1], [0, 1], [0, 0]]

CONSTRUCTION_ERRORS = {
    "input rank": lambda tf: tf.nn.conv2d(_x(tf, [5, 5, 3]), _f(tf), 1, "SAME"),
    "filter rank": lambda tf: tf.nn.conv2d(_x(tf), _f(tf, [3, 3, 4]), 1, "SAME"),
    "depth": lambda tf: tf.nn.conv2d(_x(tf), _f(tf, [3, 3, 2, 4]), 1, "SAME"),
    "too small": lambda tf: tf.nn.conv2d(_x(tf, [1, 2, 5, 3]), _f(tf), 1, "VALID"),
    "padding": lambda tf: _conv(tf, 1, "same"),
    "no padding": lambda tf: _conv(tf, 1),
    "format": lambda tf: _conv(tf, 1, "SAME", data_format="HWNC"),
    "stride 0": lambda tf: _conv(tf, [1, 0, 1, 1], "SAME"),
    "strides length": lambda tf: _conv(tf, [1, 2, 2], "SAME"),
    "dilation 0": lambda tf: _conv(tf, 1, "SAME", dilations=0),
    "dtype": lambda tf: tf.nn.conv2d(_x(tf, dtype=tf.int64), _f(tf, dtype=tf.int64), 1, "SAME"),
    "mixed": lambda tf: tf.nn.conv2d(_x(tf), _f(tf, dtype=tf.float64), 1, "SAME"),
    "both filters": lambda tf: _conv(tf, 1, "SAME", filters=_f(tf)),
    "explicit batch": lambda tf: _conv(tf, 1, PAD_BATCH),
    "explicit negative": lambda tf: _conv(tf, 1, PAD_NEGATIVE),
    "EXPLICIT string": lambda tf: _conv(tf, 1, "EXPLICIT"),
    "pool rank": lambda tf: tf.nn.max_pool(_x(tf, [5, 5, 3]), 2, 2, "SAME"),
    "avg pool rank": lambda tf: tf.nn.avg_pool(_x(tf, [5, 5, 3]), 2, 2, "SAME"),
    "pool too small": lambda tf: tf.nn.avg_pool(_x(tf), 6, 1, "VALID"),
    "ksize 0": lambda tf: tf.nn.max_pool(_x(tf), 0, 2, "SAME"),
    "ksize length": lambda tf: tf.nn.max_pool(_x(tf), [2, 2, 2], 1, "SAME"),
    "pool stride 0": lambda tf: tf.nn.max_pool(_x(tf), 2, 0, "SAME"),
    "avg padding": lambda tf: tf.nn.avg_pool(_x(tf), 2, 2, "same"),
    "avg explicit": lambda tf: tf.nn.avg_pool(_x(tf), 2, 2, PAD_OK),
    "avg int": lambda tf: tf.nn.avg_pool(_x(tf, dtype=tf.int32), 2, 2, "SAME"),
    "max string": lambda tf: tf.nn.max_pool(tf.constant("a", shape=[1, 2, 2, 1]), 2, 2, "SAME"),
    "backprop depth": lambda tf: tf.nn.conv2d_backprop_input(
        [1, 5, 5, 3], _f(tf), _x(tf, [1, 3, 3, 5]), [1, 2, 2, 1], "SAME"
    ),
    "input_sizes length": lambda tf: tf.nn.conv2d_backprop_input(
        [1, 5, 5], _f(tf), _x(tf, [1, 3, 3, 4]), [1, 2, 2, 1], "SAME"
    ),
}


def _first_clause(e: BaseException) -> str:
    """The part of TensorFlow's message before the node text (its format differs in TF 2)."""
    return str(e).split(" for '")[0].split("\n")[0]


@pytest.mark.parametrize("name", list(CONSTRUCTION_ERRORS))
def test_construction_errors(tf1: Any, name: str) -> None:
    tf_err, tt_err = construction_error(tf1, CONSTRUCTION_ERRORS[name])
    assert _first_clause(tt_err) == _first_clause(tf_err)


def _fed(tf: Any, shape: tuple[int, ...]) -> Any:
    """A tensor whose shape is known only when the graph runs."""
    return tf.placeholder_with_default(np.ones(shape, np.float32), [None] * len(shape))


def _dilated_gradient(tf: Any) -> Any:
    x = tf.constant(np.ones((1, 5, 5, 1), np.float32))
    return tf.gradients(tf.nn.conv2d(x, tf.ones([2, 2, 1, 1]), 1, "SAME", dilations=2), x)


RUN_TIME_ERRORS = {
    "NCHW conv": lambda tf: tf.nn.conv2d(
        _x(tf, [1, 3, 5, 5]), _f(tf), 1, "SAME", data_format="NCHW"
    ),
    "NCHW max pool": lambda tf: tf.nn.max_pool(_x(tf, [1, 3, 5, 5]), 2, 2, "SAME", "NCHW"),
    "NCHW avg pool": lambda tf: tf.nn.avg_pool(_x(tf, [1, 3, 5, 5]), 2, 2, "SAME", "NCHW"),
    "batch stride": lambda tf: _conv(tf, [2, 1, 1, 1], "SAME"),
    "batch dilation": lambda tf: _conv(tf, 1, "SAME", dilations=[2, 1, 1, 1]),
    "pool batch": lambda tf: tf.nn.max_pool(_x(tf), [2, 1, 1, 1], 1, "SAME"),
    "depth": lambda tf: tf.nn.conv2d(_fed(tf, (1, 5, 5, 3)), _f(tf, [3, 3, 2, 4]), 1, "SAME"),
    "negative size": lambda tf: tf.nn.conv2d(_fed(tf, (1, 1, 5, 3)), _f(tf), 1, "VALID"),
    "pool negative size": lambda tf: tf.nn.max_pool(_fed(tf, (1, 1, 5, 3)), 3, 1, "VALID"),
    "backprop dilation": _dilated_gradient,
    "out_backprop size": lambda tf: tf.nn.conv2d_backprop_input(
        [1, 5, 5, 3], _f(tf), _fed(tf, (1, 2, 3, 4)), [1, 2, 2, 1], "SAME"
    ),
    "explicit pad too big": lambda tf: tf.nn.max_pool(_x(tf), 2, 2, PAD_TOO_BIG),
    "avg ksize 0": lambda tf: tf.nn.avg_pool(_x(tf), 0, 1, "VALID"),
}


# Where TensorFlow's answer depends on the machine: with its oneDNN kernels (on by default on
# x86 CPUs with AVX-512, or with TF_ENABLE_ONEDNN_OPTS=1) TensorFlow computes NCHW convolution
# and pooling and dilated conv gradients, words other errors differently, and fails
# ("AbortedError: could not create a primitive descriptor") where its portable kernels name the
# bad size. teachflow follows the portable CPU kernels (tensorflow/core/kernels/conv_ops.cc,
# pooling_ops_common.cc, avgpooling_op.cc, conv_grad_input_ops.cc), the same on every x86-64
# and ARM CPU: their answers are recorded here (error class, TensorFlow's last message line) and
# checked against the live TensorFlow whenever it runs those kernels.
PORTABLE_CPU_ERRORS = {
    "NCHW conv": (
        "UnimplementedError",
        "The Conv2D op currently only supports the NHWC tensor format on the CPU. The op was "
        "given the format: NCHW",
    ),
    "NCHW max pool": (
        "InvalidArgumentError",
        "Default MaxPoolingOp only supports NHWC on device type CPU",
    ),
    "NCHW avg pool": (
        "InvalidArgumentError",
        "Default AvgPoolingOp only supports NHWC on device type CPU",
    ),
    "batch dilation": (
        "UnimplementedError",
        "Current implementation does not yet support dilations in the batch and depth dimensions.",
    ),
    "backprop dilation": (
        "InvalidArgumentError",
        "Current CPU implementations do not yet support dilation rates larger than 1.",
    ),
    "out_backprop size": (
        "InvalidArgumentError",
        "Conv2DCustomBackpropInput: Size of out_backprop doesn't match computed: actual = 2, "
        "computed = 3 spatial_dim: 1 input: 5 filter: 3 output: 2 stride: 2 dilation: 1",
    ),
    "avg ksize 0": ("InvalidArgumentError", "ksize must be a positive int32 value, got:0"),
}


def _tf_last_line(e: Any) -> str:
    return [ln for ln in e.message.splitlines() if ln.strip()][-2].strip()


@pytest.mark.parametrize("name", list(RUN_TIME_ERRORS))
def test_run_time_errors(tf1: Any, name: str) -> None:
    if name in PORTABLE_CPU_ERRORS and not oracle_runs_portable_kernels():
        _, tt_err = run_program(teachflow, RUN_TIME_ERRORS[name])
        tf_class, tf_line = PORTABLE_CPU_ERRORS[name]
        assert type(tt_err).__name__ == tf_class, tt_err
    else:
        tf_err, tt_err = compare(tf1, RUN_TIME_ERRORS[name])
        tf_line = _tf_last_line(tf_err)
        if name in PORTABLE_CPU_ERRORS:  # the record is what TensorFlow says
            assert (type(tf_err).__name__, tf_line) == PORTABLE_CPU_ERRORS[name]
    assert isinstance(tt_err, teachflow.errors.OpError)
    assert tf_line in tt_err.message
    assert "Hint:" in str(tt_err)


# What TensorFlow's portable CPU kernels give for windows larger than the input (empty
# outputs): its oneDNN conv instead returns the input's shape, [1, 2, 5, 3], for the first.
PORTABLE_CPU_EMPTY_SHAPES = [(1, 0, 3, 4), (1, 0, 3, 3), (1, 0, 3, 3), (0, 1, 1, 2)]


def test_runs_with_empty_outputs_like_tensorflow(tf1: Any) -> None:
    def build(tf: Any) -> list[Any]:
        x = _fed(tf, (1, 2, 5, 3))
        out = [tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, "VALID")]
        out += [tf.nn.max_pool(x, 3, 1, "VALID"), tf.nn.avg_pool(x, 3, 1, "VALID")]
        return out + [tf.nn.conv2d(tf.zeros([0, 4, 4, 3]), tf.ones([3, 3, 3, 2]), 2, "VALID")]

    if oracle_runs_portable_kernels():
        tf_res, tt_res = compare(tf1, build)
        assert [np.shape(r) for r in tf_res] == PORTABLE_CPU_EMPTY_SHAPES
    else:
        _, tt_res = run_program(teachflow, build)
    assert [(np.shape(r), r.dtype) for r in tt_res] == [
        (s, np.float32) for s in PORTABLE_CPU_EMPTY_SHAPES
    ]


def test_unsupported_features_say_so() -> None:
    with teachflow.Graph().as_default():
        with pytest.raises(NotImplementedError, match="grouped convolution"):
            teachflow.nn.conv2d(
                teachflow.zeros([1, 5, 5, 4]), teachflow.zeros([3, 3, 2, 4]), 1, "SAME"
            )
        with pytest.raises(NotImplementedError, match="across channels"):
            teachflow.nn.max_pool(
                teachflow.zeros([1, 5, 5, 4]), [1, 1, 1, 2], [1, 1, 1, 2], "VALID"
            )


@pytest.mark.parametrize("optimizer", ["GradientDescentOptimizer", "AdamOptimizer"])
def test_small_convnet_trains_like_tensorflow(tf1: Any, optimizer: str) -> None:
    """A 2-layer convnet (Deep MNIST for experts, in small) on random 8x8 images."""
    rng = np.random.default_rng(3)
    images = rng.normal(size=(16, 8, 8, 1)).astype(np.float32)
    labels = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)]
    init = {
        "w1": rng.normal(scale=0.3, size=(3, 3, 1, 4)),
        "b1": np.full(4, 0.1),
        "w2": rng.normal(scale=0.3, size=(3, 3, 4, 6)),
        "b2": np.full(6, 0.1),
        "wf": rng.normal(scale=0.3, size=(2 * 2 * 6, 3)),
        "bf": np.full(3, 0.1),
    }

    def losses(tf: Any) -> list[float]:
        with tf.Graph().as_default():
            x = tf.placeholder(tf.float32, [None, 8, 8, 1])
            y_ = tf.placeholder(tf.float32, [None, 3])
            v = {k: tf.Variable(a.astype(np.float32), name=k) for k, a in init.items()}
            h = tf.nn.relu(tf.nn.conv2d(x, v["w1"], [1, 1, 1, 1], "SAME") + v["b1"])
            h = tf.nn.max_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
            h = tf.nn.relu(tf.nn.conv2d(h, v["w2"], [1, 1, 1, 1], "SAME") + v["b2"])
            h = tf.nn.avg_pool(h, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")
            logits = tf.matmul(tf.reshape(h, [-1, 2 * 2 * 6]), v["wf"]) + v["bf"]
            loss = tf.reduce_mean(
                tf.nn.softmax_cross_entropy_with_logits_v2(labels=y_, logits=logits)
            )
            step = getattr(tf.train, optimizer)(0.05).minimize(loss)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                out = []
                for _ in range(5):
                    out.append(float(sess.run([loss, step], {x: images, y_: labels})[0]))
                return out

    want, got = losses(tf1), losses(teachflow)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert want[-1] < want[0]
