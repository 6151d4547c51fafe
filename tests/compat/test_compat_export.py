"""GraphDef export against real TensorFlow: a catalogue of small programs that together use
every op type in teachflow's registry. Each program is built and run in teachflow, exported
with ``as_graph_def()`` (or frozen with ``convert_variables_to_constants``), imported into
TensorFlow with ``import_graph_def`` and run there by tensor name: the values must agree.

``test_catalogue_covers_every_registered_op`` fails when an op is added to the registry without
a program here that uses it: add one (a few lines) next to the others.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from tensorboard.compat.proto.summary_pb2 import Summary

import teachflow
from teachflow.ops import registry

pytestmark = pytest.mark.compat

# Op types TensorFlow cannot import, with why. teachflow-only ops (InitializedValue,
# ReportUninitializedVariables, ReducedShape) are exported as the TensorFlow subgraphs that
# compute the same thing, so none is excluded today.
NOT_IMPORTABLE: dict[str, str] = {
    # tf.data ops with a function attr: the function's body is not exported (only its name)
    "MapDataset": "its map function is exported by name only",
    "FilterDataset": "its predicate is exported by name only",
    "OneShotIterator": "its dataset factory is exported by name only",
}

CKPT = "<checkpoint path>"  # replaced by a fresh path for each library


@dataclass
class Run:
    """One ``sess.run``: what to fetch and feed; ``compare=False`` when values differ by design."""

    fetches: list[Any]
    feed: dict[Any, Any] = field(default_factory=dict)
    compare: bool = True


@dataclass
class Program:
    """A small teachflow program: ``build(tf)`` returns the runs to make, in order.

    ``freeze``: the graph is frozen after all but the last run (made in teachflow only); only the
    last run is made in TensorFlow. ``exact=False``: compared by dtype and shape only.
    """

    name: str
    build: Callable[[Any], list[Run]]
    freeze: bool = False
    exact: bool = True


X = np.array([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]], np.float32)
POS = np.abs(X) + 0.5
IMAGES = np.random.default_rng(0).normal(size=(2, 3, 4, 3)).astype(np.float32)


def _elementwise(tf: Any) -> list[Run]:
    x, p = tf.constant(X, name="x"), tf.constant(POS, name="p")
    unary = [tf.abs, tf.negative, tf.square, tf.sin, tf.cos, tf.tan, tf.tanh, tf.sigmoid]
    unary += [tf.sign, tf.floor, tf.ceil, tf.round, tf.reciprocal, tf.exp]
    on_pos = [tf.sqrt, tf.rsqrt, tf.log, tf.log1p]
    binary = [tf.add, tf.subtract, tf.multiply, tf.truediv, tf.floordiv, tf.floormod, tf.pow]
    binary += [tf.maximum, tf.minimum, tf.squared_difference]
    compare = [tf.equal, tf.not_equal, tf.less, tf.less_equal, tf.greater, tf.greater_equal]
    a, b = x > 0, p > 1.0
    out = [f(x) for f in unary] + [f(p) for f in on_pos] + [f(x, p) for f in binary]
    out += [f(x, p) for f in compare] + [tf.is_nan(x), tf.is_inf(x), tf.is_finite(x)]
    out += [tf.logical_and(a, b), tf.logical_or(a, b), tf.logical_not(a), tf.logical_xor(a, b)]
    out += [tf.add_n([x, p, x]), tf.cast(x, tf.int32), tf.add(tf.constant("ab"), "cd")]
    # no public name makes "Div" (TensorFlow's Python 2 division): build it as a raw op
    out.append(registry.make1("Div", [x, p], {"T": tf.float32}, "Div"))
    return [Run(out)]


def _arrays(tf: Any) -> list[Run]:
    x = tf.constant(X, name="x")
    m = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4), name="m")
    out = [tf.matmul(x, m), tf.matmul(m, x, transpose_a=True, transpose_b=True)]
    out += [tf.shape(x), tf.size(x), tf.rank(x), tf.reshape(x, [3, -1])]
    out += [tf.fill([2, 2], 7), tf.zeros_like(x), tf.ones_like(x), tf.identity(x)]
    out += [tf.stack([x, x], axis=1), *tf.unstack(x), tf.expand_dims(x, 1)]
    out += [tf.squeeze(tf.reshape(x, [1, 2, 1, 3])), tf.transpose(x), tf.tile(x, [2, 1])]
    out += [tf.invert_permutation([2, 0, 1]), tf.reverse(x, [1]), tf.concat([x, x], 0)]
    out += [*tf.split(m, 2, axis=1), *tf.split(m, [1, 3], axis=1), tf.slice(m, [1, 1], [2, 2])]
    out += [m[1:, ::-2], m[:, 1], tf.pad(x, [[1, 0], [0, 2]])]
    out += [tf.pad(x, [[1, 1], [0, 0]], constant_values=9.0)]
    out += [tf.gather(m, [2, 0]), tf.gather_nd(m, [[0, 1], [2, 3]]), tf.one_hot([0, 2], 3)]
    out += [tf.range(2, 11, 3), tf.lin_space(0.0, 1.0, 5), tf.where(x > 0)]
    out += [tf.where(x > 0, x, -x), tf.scatter_nd([[1], [3]], [5.0, 6.0], [5])]
    out += [tf.cumsum(x, axis=1), tf.cumprod(x, exclusive=True), tf.argmax(x, 1)]
    out += [tf.argmin(m, 0), tf.stop_gradient(x)]
    return [Run(out)]


def _reductions(tf: Any) -> list[Run]:
    x = tf.constant(X, name="x")
    out = [tf.reduce_sum(x), tf.reduce_mean(x, 0), tf.reduce_max(x, 1, keepdims=True)]
    out += [tf.reduce_min(x), tf.reduce_prod(x, [0, 1]), tf.reduce_all(x > -2.0)]
    out += [tf.reduce_any(x > 2.5, axis=0)]
    return [Run(out)]


def _placeholders(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    d = tf.placeholder_with_default(tf.constant([1.0, 2.0]), [2], name="d")
    y = x * 2.0 + tf.reduce_sum(d)
    group = tf.group(y, name="all")
    like = [tf.zeros_like(x), tf.ones_like(x, dtype=tf.int32)]  # shapes known only at run time
    # tf.ones_like builds Fill (as TensorFlow's does); the OnesLike op itself is a raw op
    like.append(registry.make1("OnesLike", [x], {"T": tf.float32}, "OnesLike"))
    like.append(tf.size(x))  # a Size op: the static shape is not fully known
    return [Run([y, d, group, *like], {x: X}), Run([d], {d: [5.0, 6.0]})]


def _numerics(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    checked = tf.check_numerics(x * 2.0, "doubled x")
    (grad,) = tf.gradients(tf.reduce_sum(checked), x)  # the gradient is checked too
    return [Run([checked, grad], {x: X})]


def _nn(tf: Any) -> list[Run]:
    x = tf.constant(X, name="x")
    out = [tf.nn.relu(x), tf.nn.relu6(x * 4.0), tf.nn.elu(x), tf.nn.leaky_relu(x, 0.1)]
    out += [tf.nn.softmax(x), tf.nn.log_softmax(x), tf.nn.softplus(x), tf.nn.softsign(x)]
    out += [tf.nn.l2_loss(x), tf.nn.bias_add(x, [1.0, 2.0, 3.0])]
    labels = tf.constant([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])
    out += [tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=x)]
    out += [tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 2], logits=x)]
    return [Run(out)]


def _gradients(tf: Any) -> list[Run]:
    # unknown static shapes make the gradients compute shapes at run time
    x = tf.placeholder(tf.float32, None, name="x")
    b = tf.placeholder(tf.float32, [None], name="b")
    h = tf.nn.relu(x) + tf.nn.relu6(x) + tf.nn.elu(x) + tf.nn.leaky_relu(x, 0.2)
    h = tf.nn.bias_add(h, b) * x
    loss = tf.reduce_sum(h[:, 1:], axis=1) + tf.reduce_mean(h, axis=-1)
    # TanhGrad, SigmoidGrad, SqrtGrad, RsqrtGrad and ReciprocalGrad come from these
    pos = tf.abs(x) + 1.0
    smooth = tf.tanh(x) + tf.sigmoid(x) + tf.sqrt(pos) + tf.rsqrt(pos) + tf.reciprocal(pos)
    loss += tf.reduce_sum(smooth, axis=1)
    grads = tf.gradients(tf.reduce_sum(loss), [x, b])
    return [Run(grads, {x: X * 3.0, b: [1.0, -1.0, 0.5]})]


def _variables(tf: Any) -> list[Run]:
    v = tf.Variable([1.0, 2.0], name="v")
    n = tf.Variable(5, name="n")
    init = tf.global_variables_initializer()
    report = tf.report_uninitialized_variables()
    early = [report, tf.is_variable_initialized(v), v.initialized_value()]
    updates = [tf.assign(v, [3.0, 4.0]), tf.assign_add(n, 2), tf.assign_sub(v, [1.0, 1.0])]
    # after the updates, v's value differs from its initial value
    return [Run(early), Run([init]), *[Run([u]) for u in updates], Run([*early, v, n])]


def _frozen_model(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.linspace(-1, 1, 6).reshape(3, 2).astype(np.float32), name="w")
    bias = tf.Variable([0.5, -0.5], name="bias")
    y = tf.nn.softmax(tf.matmul(x, w) + bias, name="y")
    ready = tf.report_uninitialized_variables(name="ready")
    step = tf.assign_add(bias, [1.0, 1.0])
    init = tf.global_variables_initializer()
    return [Run([init]), Run([step]), Run([y, w.initialized_value(), ready], {x: X})]


def _training(tf: Any) -> list[Run]:
    x = tf.constant(X, name="x")
    out, trains = [], []
    optimizers = [
        tf.train.GradientDescentOptimizer(0.1),
        tf.train.MomentumOptimizer(0.1, 0.9),
        tf.train.AdagradOptimizer(0.1),
        tf.train.AdamOptimizer(0.1),
        tf.train.RMSPropOptimizer(0.1),
        tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True),
    ]
    step = tf.Variable(0, name="global_step", trainable=False)
    for i, opt in enumerate(optimizers):
        w = tf.Variable(np.full((3, 1), 0.5, np.float32), name=f"w{i}")
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
        trains.append(opt.minimize(loss, global_step=step if i == 0 else None))
        out.append(w)
    init = tf.global_variables_initializer()
    return [Run([init]), *[Run(trains) for _ in range(3)], Run([*out, step])]


def _saver(tf: Any) -> list[Run]:
    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver()
    init = tf.global_variables_initializer()
    change = tf.assign(v, [9.0, 9.0])
    save, restore = saver.saver_def.save_tensor_name, saver.saver_def.restore_op_name
    g = tf.get_default_graph()
    save_t, restore_op = g.get_tensor_by_name(save), g.get_operation_by_name(restore)
    filename = g.get_tensor_by_name(saver.saver_def.filename_tensor_name)
    return [
        Run([init]),
        Run([save_t], {filename: CKPT}, compare=False),
        Run([change]),
        Run([restore_op], {filename: CKPT}),
        Run([v]),
    ]


def _more_math(tf: Any) -> list[Run]:
    x = tf.constant([[0.5, 0.25], [0.75, 0.1]], name="x")
    y = tf.constant([[1.5, -2.0], [3.0, 0.5]], name="y")
    out = [tf.asin(x), tf.acos(x), tf.atan(x), tf.sinh(x), tf.cosh(x), tf.asinh(x)]
    out += [tf.acosh(x + 1.0), tf.atanh(x), tf.erf(x), tf.erfc(x), tf.expm1(x), tf.rint(y)]
    out += [tf.lgamma(y), tf.digamma(y), tf.atan2(x, y), tf.div_no_nan(x, y - y)]
    i, j = tf.constant([7, -7, 9]), tf.constant([2, 2, -4])
    out += [tf.truncatediv(i, j), tf.truncatemod(i, j), tf.saturate_cast(y * 100.0, tf.int8)]
    out += [tf.matmul(tf.reshape(tf.range(12.0), [3, 2, 2]), tf.ones([1, 2, 3]))]
    out += list(tf.shape_n([x, y[0]]))
    return [Run(out)]


def _cond(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [2], name="x")
    v = tf.Variable(0, name="v")
    init = tf.global_variables_initializer()
    big = tf.reduce_sum(x) > 0
    r = tf.cond(big, lambda: x * 2.0, lambda: tf.square(x))
    step = tf.cond(big, lambda: tf.assign_add(v, 1), lambda: tf.assign_sub(v, 10))
    grad = tf.gradients(r, x)
    a, b = np.array([1.0, 2.0], np.float32), np.array([-1.0, -2.0], np.float32)
    return [Run([init]), Run([r, *grad, step], {x: a}), Run([r, *grad, step], {x: b}), Run([v])]


def _select_v2(tf: Any) -> list[Run]:
    x = tf.constant([[1.0, 5.0, 3.0], [2.0, 0.0, 7.0]], name="x")
    c = tf.constant([True, False, True])
    out = [tf.where_v2(c, x, 0.5), tf.where_v2(x > 2.0)]
    out += tf.gradients(tf.reduce_sum(tf.maximum(x, 2.0) * x), [x])
    return [Run(out)]


def _more_nn(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [2, 3], name="x")
    padded = tf.pad(x, [[1, 1], [2, 2]], mode="REFLECT")
    loss = tf.reduce_sum(tf.nn.selu(x) + tf.nn.softsign(x)) + tf.reduce_sum(padded * padded)
    top = tf.nn.top_k(x, k=2)
    out = [*tf.gradients(loss, [x]), top.values, top.indices]
    out += [tf.nn.in_top_k(x, [0, 2], 2)]
    return [Run(out, {x: X})]


def _variable_updates(tf: Any) -> list[Run]:
    v = tf.Variable([1.0, 2.0, 3.0, 4.0], name="v")
    n = tf.Variable(0, name="n")
    init = tf.global_variables_initializer()
    idx, val = [0, 2], [2.0, 5.0]
    updates = [tf.scatter_update(v, idx, val), tf.scatter_add(v, idx, val)]
    updates += [tf.scatter_sub(v, [1], [0.5]), tf.scatter_mul(v, idx, val)]
    updates += [tf.scatter_div(v, idx, val), tf.scatter_max(v, [3], [9.0])]
    updates += [tf.scatter_min(v, [3], [6.0]), tf.count_up_to(n, 10)]
    return [Run([init]), *[Run([u]) for u in updates], Run([v, n])]


def _random(tf: Any) -> list[Run]:
    out = [tf.random_normal([3, 2], seed=1), tf.random_uniform([4], seed=2)]
    out += [tf.multinomial(tf.log([[0.5, 0.5], [0.1, 0.9]]), 3, seed=6)]
    out += [tf.random_uniform([5], 0, 10, dtype=tf.int32, seed=3)]
    out += [tf.truncated_normal([2, 2], seed=4), tf.random_shuffle(tf.range(6), seed=5)]
    return [Run(out)]


def _random_gamma(tf: Any) -> list[Run]:
    # BroadcastArgs and BroadcastTo spread alpha over beta's shape
    return [Run([tf.random_gamma([4], [[0.5], [2.0]], beta=[1.0, 3.0], seed=7)])]


def _orthogonal(tf: Any) -> list[Run]:
    # Qr and DiagPart: the Q of a random normal matrix, its columns' signs made unique
    init = tf.orthogonal_initializer(seed=8)
    return [Run([init([4, 3]), init([2, 5])])]


def _summaries(tf: Any) -> list[Run]:
    x = tf.constant(X, name="x")
    s = [tf.summary.scalar("mean", tf.reduce_mean(x)), tf.summary.histogram("x", x)]
    s += [tf.summary.image("im", tf.constant(IMAGES)), tf.summary.text("t", tf.constant("hi"))]
    return [Run([*s, tf.summary.merge_all()])]


def _integers(tf: Any) -> list[Run]:
    a, b = tf.constant([5, 3, -8], name="a"), tf.constant([3, 6, 2], name="b")
    bits = tf.bitwise
    out = [bits.bitwise_and(a, b), bits.bitwise_or(a, b), bits.bitwise_xor(a, b)]
    out += [bits.invert(a), bits.left_shift(a, b), bits.right_shift(a, b)]
    values, idx = tf.unique(tf.constant([4, 1, 4, 2, 1]))
    seg = tf.unsorted_segment_sum(tf.constant(X), tf.constant([1, 0]), num_segments=3)
    return [Run([*out, values, idx, seg])]


def _convnet(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [None, 6, 5, 2], name="x")
    # positive values: no float32 cancellation, so the exact comparison's tolerance holds
    w = tf.Variable(np.linspace(0.1, 1, 36).reshape(3, 3, 2, 2).astype(np.float32), name="w")
    h = tf.nn.relu(tf.nn.conv2d(x, w, [1, 2, 1, 1], "SAME"))
    p = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    a = tf.nn.avg_pool(h, [1, 3, 2, 1], [1, 1, 1, 1], "VALID")
    loss = tf.reduce_sum(p * p) + tf.reduce_sum(a * a)
    # MaxPoolGrad, AvgPoolGrad and both conv backprops, then their own gradients
    gx, gw = tf.gradients(loss, [x, w])
    second = tf.gradients(tf.reduce_sum(gx * gx) + tf.reduce_sum(gw * gw), [x, w])
    init = tf.global_variables_initializer()
    images = np.random.default_rng(1).uniform(0.1, 1, size=(2, 6, 5, 2)).astype(np.float32)
    return [Run([init]), Run([h, p, a, gx, gw, *second], {x: images})]


def _datasets(tf: Any) -> list[Run]:
    xs = tf.placeholder(tf.float32, [None, 2], name="xs")
    a = tf.data.Dataset.from_tensor_slices((xs, tf.range(4))).skip(1).take(2)
    b = tf.data.Dataset.zip((tf.data.Dataset.range(3), tf.data.Dataset.from_tensors(X).repeat()))
    it = a.cache().repeat(2).batch(2).prefetch(1).make_initializable_iterator()
    shuffled = tf.data.Dataset.range(6).shuffle(6, seed=1).batch(6).make_initializable_iterator()
    nb = b.make_initializable_iterator()
    feed = {xs: X[:, :2].repeat(2, axis=0)}
    # an iterator picked by its string handle (here computed in the graph, usually fed); it
    # reads its own dataset: two get_next of one iterator in one run have no fixed order
    hb = tf.data.Dataset.range(10, 20).make_initializable_iterator()
    by_handle = tf.data.Iterator.from_string_handle(hb.string_handle(), tf.int64)
    gets = [*it.get_next(), *nb.get_next(), by_handle.get_next()]
    return [
        Run([it.initializer, nb.initializer, hb.initializer, shuffled.initializer], feed),
        Run(gets),
        Run(gets),
        Run([tf.shape(shuffled.get_next())]),
    ]


def _while_loop(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [], name="x")
    w = tf.Variable(np.array([[0.5, -0.25], [0.75, 0.5]], np.float32), name="w")

    def body(i: Any, h: Any) -> Any:
        inner = tf.while_loop(lambda j, a: j < i, lambda j, a: (j + 1, a * 0.5), [0, h])[1]
        return i + 1, tf.cond(i > 1, lambda: tf.tanh(tf.matmul(inner, w)), lambda: inner + x)

    loop = tf.while_loop(lambda i, h: i < 4, body, [0, tf.ones([1, 2])])
    rows = tf.constant(X)
    mapped = tf.map_fn(lambda r: r * x, rows)
    scanned = tf.scan(lambda a, r: a + r, rows, reverse=True)
    folded = tf.foldl(lambda a, r: a * 0.5 + r, rows)
    ta = tf.TensorArray(tf.float32, size=2).write(0, x).write(1, x * 2.0)
    parts = [mapped, scanned, folded, ta.stack(), ta.size()]
    return [Run([w.initializer]), Run(list(loop), {x: 1.5}), Run(parts, {x: 2.0})]


def _loop_gradients(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [3], name="x")
    _, power = tf.while_loop(lambda i, p: i < 3, lambda i, p: (i + 1, p * x), [0, tf.ones([3])])
    products = tf.scan(lambda a, v: a * v, x)
    squares = tf.map_fn(lambda v: v * v, x)
    grads = tf.gradients([power, products, squares], x)  # StackV2..., TensorArrayGradV3
    return [Run([power, products, squares, *grads], {x: [1.5, -2.0, 0.5]})]


def _batch_norm(tf: Any) -> list[Run]:
    x = tf.placeholder(tf.float32, [None, 3, 3, 2], name="x")
    scale = tf.Variable([1.0, 0.5], name="scale")
    offset = tf.Variable([0.1, -0.2], name="offset")
    y, mean, var = tf.nn.fused_batch_norm(x, scale, offset)
    y_inf, _, _ = tf.nn.fused_batch_norm(x, scale, offset, mean, var, is_training=False)
    loss = tf.reduce_sum(y * y * [1.0, 2.0]) + tf.reduce_sum(y_inf * x)
    grads = tf.gradients(loss, [x, scale, offset])  # FusedBatchNormGradV3, both modes
    init = tf.global_variables_initializer()
    images = np.random.default_rng(2).normal(size=(2, 3, 3, 2)).astype(np.float32)
    return [Run([init]), Run([y, mean, var, y_inf, *grads], {x: images})]


CATALOGUE = [
    Program("elementwise", _elementwise),
    Program("arrays", _arrays),
    Program("reductions", _reductions),
    Program("placeholders", _placeholders),
    Program("numerics", _numerics),
    Program("nn", _nn),
    Program("gradients", _gradients),
    Program("variables", _variables),
    Program("frozen_model", _frozen_model, freeze=True),
    Program("training", _training),
    Program("saver", _saver),
    Program("more_math", _more_math),
    Program("more_nn", _more_nn),
    Program("select_v2", _select_v2),
    Program("cond", _cond),
    Program("variable_updates", _variable_updates),
    Program("random", _random),  # TensorFlow draws the same numbers
    Program("random gamma", _random_gamma),
    Program("orthogonal initializer", _orthogonal),
    Program("summaries", _summaries),
    Program("integers", _integers),
    Program("convnet", _convnet),
    Program("batch_norm", _batch_norm),
    Program("datasets", _datasets),
    Program("while_loop", _while_loop),
    Program("loop_gradients", _loop_gradients),
]


# -- running a program in both libraries -------------------------------------------------------


def _name(x: Any) -> str:
    if hasattr(x, "_as_graph_element"):
        x = x._as_graph_element()
    return str(x.name)


def _feed(run: Run, ckpt: str) -> dict[str, Any]:
    return {
        _name(k): (ckpt if isinstance(v, str) and v == CKPT else v) for k, v in run.feed.items()
    }


def _build(program: Program) -> tuple[teachflow.Graph, list[Run]]:
    g = teachflow.Graph()
    with g.as_default(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return g, program.build(teachflow)


def _pixels_and_rest(data: bytes) -> tuple[Summary, list[np.ndarray]]:
    s = Summary.FromString(data)
    pixels = []
    for v in s.value:
        if v.HasField("image"):
            pixels.append(np.array(Image.open(io.BytesIO(v.image.encoded_image_string))))
            v.image.encoded_image_string = b""
    return s, pixels


def _assert_same(tf_val: Any, tt_val: Any, exact: bool, what: str) -> None:
    if tf_val is None or tt_val is None:
        assert tf_val is None and tt_val is None, what
        return
    if isinstance(tf_val, bytes) and tf_val[:1] == b"\n" and isinstance(tt_val, bytes):
        (a, pa), (b, pb) = _pixels_and_rest(tf_val), _pixels_and_rest(tt_val)
        assert b == a, what
        for x, y in zip(pa, pb):
            np.testing.assert_array_equal(y, x, err_msg=what)
        return
    a, b = np.asarray(tf_val), np.asarray(tt_val)
    assert (b.dtype, b.shape) == (a.dtype, a.shape), what
    if not exact:
        return
    if a.dtype.kind in "fc":
        np.testing.assert_allclose(b, a, rtol=2e-5, atol=1e-6, err_msg=what)
    else:
        np.testing.assert_array_equal(b, a, err_msg=what)


def _run_all(sess: Any, runs: list[Run], ckpt: str) -> list[list[Any]]:
    Path(ckpt).parent.mkdir(parents=True, exist_ok=True)
    return [sess.run([_name(f) for f in r.fetches], _feed(r, ckpt)) for r in runs]


@pytest.mark.parametrize("program", CATALOGUE, ids=[p.name for p in CATALOGUE])
def test_exported_graph_runs_the_same_in_tensorflow(
    tf1: Any, program: Program, tmp_path: Path
) -> None:
    g, runs = _build(program)
    with teachflow.Session(graph=g) as sess:
        tt_results = _run_all(sess, runs, str(tmp_path / "teachflow" / "model"))
        if program.freeze:
            outputs = [_name(f).split(":")[0] for f in runs[-1].fetches]
            graph_def = teachflow.graph_util.convert_variables_to_constants(
                sess, g.as_graph_def(), outputs
            )
            assert not {n.op for n in graph_def.node} & {"VariableV2", "Assign", "AssignAdd"}
            runs, tt_results = runs[-1:], tt_results[-1:]
        else:
            graph_def = g.as_graph_def(add_shapes=True)
    with tf1.Graph().as_default() as tg:
        tf1.import_graph_def(tf1.GraphDef.FromString(graph_def.SerializeToString()), name="")
        with tf1.Session(graph=tg) as tsess:
            tf_results = _run_all(tsess, runs, str(tmp_path / "tensorflow" / "model"))
    for i, (run, tf_res, tt_res) in enumerate(zip(runs, tf_results, tt_results)):
        if not run.compare:
            continue
        for f, a, b in zip(run.fetches, tf_res, tt_res):
            _assert_same(a, b, program.exact, f"{program.name}: run {i}, {_name(f)}")


def test_random_ops_keep_their_ranges(tf1: Any) -> None:
    g, runs = _build(Program("random", _random))
    with tf1.Graph().as_default() as tg:
        gd = g.as_graph_def()
        tf1.import_graph_def(tf1.GraphDef.FromString(gd.SerializeToString()), name="")
        normal, uniform, draws, ints, truncated, shuffled = tf1.Session(graph=tg).run(
            [_name(f) for f in runs[0].fetches]
        )
    assert np.all((uniform >= 0) & (uniform < 1)) and np.all((ints >= 0) & (ints < 10))
    assert np.all(np.abs(truncated) <= 2.0) and sorted(shuffled) == list(range(6))
    assert normal.shape == (3, 2) and draws.shape == (2, 3) and set(draws.ravel()) <= {0, 1}


def test_catalogue_covers_every_registered_op() -> None:
    used: set[str] = set()
    for program in CATALOGUE:
        g, _ = _build(program)
        used |= {op.type for op in g.get_operations()}
    missing = sorted(set(registry.REGISTRY) - used - set(NOT_IMPORTABLE))
    assert not missing, (
        f"no program in tests/compat/test_compat_export.py uses {missing}: add one to CATALOGUE "
        "(or, if TensorFlow cannot import the op, list it in NOT_IMPORTABLE with the reason)"
    )
