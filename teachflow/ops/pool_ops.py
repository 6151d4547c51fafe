"""Pooling on NHWC images: max_pool and avg_pool, and the ops their gradients build
(MaxPoolGrad, MaxPoolGradGrad, AvgPoolGrad). The window geometry is convolution's
(``conv_ops``): a pool is a convolution whose filter is a max or a mean.

>>> import teachflow as tf
>>> y = tf.nn.max_pool(tf.ones([1, 4, 4, 2]), 2, 2, "VALID")
>>> print(y)
Tensor("MaxPool:0", shape=(1, 2, 2, 2), dtype=float32)
>>> tf.Session().run(tf.nn.avg_pool(tf.ones([1, 2, 2, 1]), 2, 1, "SAME"))[0, :, :, 0].tolist()
[[1.0, 1.0], [1.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import array_ops, fill_ops, registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.ops.conv_ops import (
    _FLOAT_TYPES,
    _MAX_POOL_TYPES,
    _channel_index,
    _check_type,
    _check_window_attrs,
    _data_format,
    _Geometry,
    _make,
    _one_of,
    _padding,
    _same_type,
    _sequence,
    _spatial,
    _string_attr,
    _unimplemented,
    _windowed_shape,
)
from teachflow.ops.nn_ops import OutSpec, rank_is, work_dtype
from teachflow.ops.op_args import graph_of
from teachflow.ops.shape_inference import partial_shape
from teachflow.tensor_shape import TensorShape

# -- kernels ----------------------------------------------------------------------------------


def _pool_infer(allowed: str, param: str) -> registry.Infer:
    def infer(op: Operation) -> OutSpec:
        dt = _check_type(op, 0, param, allowed)
        x = rank_is(op, 0, 4)
        _check_window_attrs(op, op.attrs, False)
        hs, ws = _spatial(op.attrs["data_format"])
        k = op.attrs["ksize"]
        depth = x[1 if op.attrs["data_format"] == "NCHW" else 3].value
        return [(dt, _windowed_shape(op, x, [k[hs], k[ws]], depth))]

    return infer


def _check_pool_run(attrs: dict[str, Any], op_type: str, x: np.ndarray) -> _Geometry:
    name = "MaxPooling" if op_type.startswith("Max") else "AvgPooling"
    if attrs["data_format"] != "NHWC":
        raise ValueError(f"Default {name}Op only supports NHWC on device type CPU")
    k, s = attrs["ksize"], attrs["strides"]
    if x.ndim != 4:
        raise ValueError(f"tensor_in_shape must have 2 spatial dimensions. {x.ndim} 0")
    for v in k:
        if v <= 0:
            raise ValueError(f"ksize must be a positive int32 value, got:{v}")
    if k[0] != 1 or s[0] != 1:
        raise _unimplemented(
            "Pooling is not yet supported on the batch dimension.",
            "ksize and strides must be [1, h, w, 1].",
        )
    if k[3] != 1 or s[3] != 1:
        raise _unimplemented(
            "teachflow does not implement pooling across the depth dimension.",
            "ksize and strides must be [1, h, w, 1].",
        )
    pads = attrs.get("explicit_paddings") or []
    if attrs["padding"] == "EXPLICIT":
        sides = ("Top", "Bottom", "Left", "Right")
        for side, p, kk in zip(sides, pads[2:6], (k[1], k[1], k[2], k[2])):
            if p >= kk:
                raise ValueError(
                    f"{side} padding {p} needs to be smaller than the window size {kk}"
                )
    return _Geometry(attrs, x.shape[1], x.shape[2], k[1], k[2])


def _lowest(dtype: np.dtype) -> Any:
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _pool_grad_attrs(op: Operation) -> dict[str, Any]:
    keys = ("ksize", "strides", "padding", "data_format")
    return {k: op.attrs[k] for k in keys}


def _max_pool_grad(op: Operation, grad: Tensor) -> Tensor:
    attrs = _pool_grad_attrs(op) | {"explicit_paddings": op.attrs["explicit_paddings"]}
    return _make("MaxPoolGrad", [op.inputs[0], op.outputs[0], grad], "MaxPoolGrad", attrs)


@registry.define(
    "MaxPool", infer=_pool_infer(_MAX_POOL_TYPES, "input"), grad=_max_pool_grad, ctx=True
)
def _max_pool_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """y[n, i, j, c] = max over the window at (s*i, s*j) of x[n, ., ., c] (padding ignored)"""
    geo = _check_pool_run(ctx.attrs, "MaxPool", x)
    if geo.empty():
        return np.zeros((x.shape[0], *geo.out, x.shape[3]), dtype=x.dtype)
    return _window_max(geo.taps(geo.pad(x, _lowest(x.dtype))))


def _window_max(taps: list[np.ndarray]) -> np.ndarray:
    """The elementwise maximum of the window positions' views (NaN wins, as in np.max)."""
    if len(taps) == 1:
        return np.array(taps[0])
    out = np.maximum(taps[0], taps[1])
    for t in taps[2:]:
        np.maximum(out, t, out=out)
    return out


def _max_pool_grad_infer(op: Operation) -> OutSpec:
    dt = _check_type(op, 0, "orig_input", _MAX_POOL_TYPES)
    _same_type(op, 1, "orig_output", "orig_input")
    _same_type(op, 2, "grad", "orig_input")
    _check_window_attrs(op, op.attrs, False)
    return [(dt, rank_is(op, 0, 4))]


def _max_pool_grad_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    x, y, _ = op.inputs
    out = _make("MaxPoolGradGrad", [x, y, grad], "MaxPoolGradGrad", _pool_grad_attrs(op))
    return [fill_ops.zeros_like(x), fill_ops.zeros_like(y), out]


def _check_pool_grad(geo: _Geometry, x: np.ndarray, y: np.ndarray, g: np.ndarray, what: str):
    want = (x.shape[0], *geo.out, x.shape[3])
    for name, v in (("orig_output", y), (what, g)):
        if v.shape != want:
            raise ValueError(
                f"Expected {name} shape to be [{','.join(map(str, want))}], but got "
                f"[{','.join(map(str, v.shape))}]"
            )


@registry.define("MaxPoolGrad", infer=_max_pool_grad_infer, grad=_max_pool_grad_grad, ctx=True)
def _max_pool_grad_kernel(
    ctx: registry.KernelContext, x: np.ndarray, y: np.ndarray, dy: np.ndarray
) -> np.ndarray:
    """dx = dy routed to where each window's maximum is in x"""
    geo = _check_pool_run(ctx.attrs, "MaxPoolGrad", x)
    _check_pool_grad(geo, x, y, dy, "grad")
    if geo.empty():
        return np.zeros_like(x)
    d = work_dtype(dy)
    dxp = np.zeros(_padded_shape(geo, x.shape), d.dtype)
    finite = bool(np.isfinite(d).all()) if d.dtype.kind == "f" else True
    # windows that do not overlap write their share straight into place
    apart = all(s >= k for s, k in zip(geo.s, geo.k))
    part = None if apart else np.empty_like(d)
    for hit, tap in zip(_first_max(geo, x), geo.taps(dxp)):
        if part is None:
            _masked(d, hit, finite, tap)
        else:
            tap += _masked(d, hit, finite, part)
    return _unpad(geo, dxp).astype(x.dtype, copy=False)


def _masked(values: np.ndarray, hit: np.ndarray, finite: bool, out: np.ndarray) -> np.ndarray:
    """``values`` where ``hit``, else 0. A product when the values are finite: masked
    assignment branches on every element and is several times slower on random masks."""
    if finite:
        return np.multiply(values, hit, out=out)
    np.copyto(out, 0)
    np.copyto(out, values, where=hit)  # inf * 0 would be NaN
    return out


def _padded_shape(geo: _Geometry, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(v) + sum(p) for v, p in zip(shape, geo.pads))


def _unpad(geo: _Geometry, xp: np.ndarray) -> np.ndarray:
    (t, b), (left, r) = geo.pads[1], geo.pads[2]
    return xp[:, t : xp.shape[1] - b, left : xp.shape[2] - r, :]


def _first_max(geo: _Geometry, x: np.ndarray) -> Iterator[np.ndarray]:
    """For each window position in row-major order, a (N, OH, OW, C) mask of the windows
    whose maximum is first found there (TensorFlow's CPU kernel routes the gradient to the
    first maximum); NaN counts as the maximum, as in np.argmax."""
    taps = geo.taps(geo.pad(x, _lowest(x.dtype)))
    top = _window_max(taps)
    nan = bool((top != top).any())
    free = np.empty(top.shape, dtype=bool)  # windows whose maximum is not found yet
    hit = np.empty(top.shape, dtype=bool)
    last = len(taps) - 1
    for i, t in enumerate(taps):
        np.equal(t, top, out=hit)
        if nan:
            hit |= t != t
        if i == 0:
            np.logical_not(hit, out=free)
        else:
            hit &= free
            if i < last:
                free ^= hit
        yield hit


def _max_pool_grad_grad_infer(op: Operation) -> OutSpec:
    dt = _check_type(op, 0, "orig_input", _MAX_POOL_TYPES)
    _same_type(op, 1, "orig_output", "orig_input")
    _same_type(op, 2, "grad", "orig_input")
    _check_window_attrs(op, op.attrs, False)
    rank_is(op, 0, 4)
    return [(dt, rank_is(op, 1, 4))]


def _max_pool_grad_grad_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    x, y, _ = op.inputs
    attrs = _pool_grad_attrs(op) | {"explicit_paddings": []}
    out = _make("MaxPoolGrad", [x, y, grad], "MaxPoolGrad", attrs)
    return [fill_ops.zeros_like(x), fill_ops.zeros_like(y), out]


@registry.define(
    "MaxPoolGradGrad", infer=_max_pool_grad_grad_infer, grad=_max_pool_grad_grad_grad, ctx=True
)
def _max_pool_grad_grad_kernel(
    ctx: registry.KernelContext, x: np.ndarray, y: np.ndarray, g: np.ndarray
) -> np.ndarray:
    """out[n, i, j, c] = g at the position of window (i, j)'s maximum in x"""
    geo = _check_pool_run(ctx.attrs, "MaxPoolGradGrad", x)
    if g.shape != x.shape:
        raise ValueError(
            f"Expected grad shape to be [{','.join(map(str, x.shape))}], but got "
            f"[{','.join(map(str, g.shape))}]"
        )
    _check_pool_grad(geo, x, y, y, "orig_output")
    if geo.empty():
        return np.zeros_like(y)
    out = np.zeros(y.shape, dtype=g.dtype)
    finite = bool(np.isfinite(g).all()) if g.dtype.kind == "f" else True
    part = np.empty_like(out)
    for hit, tap in zip(_first_max(geo, x), geo.taps(geo.pad(g))):
        out += _masked(tap, hit, finite, part)
    return out


def _avg_counts(geo: _Geometry, h: int, w: int) -> np.ndarray:
    """How many real (not padding) elements each window holds, (OH, OW)."""
    ones = geo.pad(np.ones((1, h, w, 1), np.float64))
    return geo.windows(ones).sum(axis=(4, 5))[0, :, :, 0]  # type: ignore[no-any-return]


def _avg_pool_grad(op: Operation, grad: Tensor) -> Tensor:
    shape = array_ops.shape(op.inputs[0], out_type=dtypes.int32)
    return _make("AvgPoolGrad", [shape, grad], "AvgPoolGrad", _pool_grad_attrs(op))


@registry.define("AvgPool", infer=_pool_infer(_FLOAT_TYPES, "value"), grad=_avg_pool_grad, ctx=True)
def _avg_pool_kernel(ctx: registry.KernelContext, x: np.ndarray) -> np.ndarray:
    """y[n, i, j, c] = mean over the window at (s*i, s*j) of x[n, ., ., c] (padding not counted)"""
    geo = _check_pool_run(ctx.attrs, "AvgPool", x)
    if geo.empty():
        return np.zeros((x.shape[0], *geo.out, x.shape[3]), dtype=x.dtype)
    taps = geo.taps(geo.pad(work_dtype(x)))
    sums = np.array(taps[0])
    for t in taps[1:]:
        sums += t
    counts = _avg_counts(geo, x.shape[1], x.shape[2])[None, :, :, None]
    return (sums / counts.astype(sums.dtype)).astype(x.dtype, copy=False)  # type: ignore[no-any-return]


def _avg_pool_grad_infer(op: Operation) -> OutSpec:
    dt = _check_type(op, 1, "grad", _FLOAT_TYPES)
    rank_is(op, 1, 4)
    _check_window_attrs(op, op.attrs, False)
    known = partial_shape(op.inputs[0])
    if known is not None and len(known) != 4:
        raise registry.shape_error(op, f"Shape must be rank 4 but is rank {len(known)}")
    return [(dt, TensorShape(known if known is not None else [None] * 4))]


def _avg_pool_grad_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    return [None, _make("AvgPool", [grad], "AvgPool", _pool_grad_attrs(op))]


@registry.define("AvgPoolGrad", infer=_avg_pool_grad_infer, grad=_avg_pool_grad_grad, ctx=True)
def _avg_pool_grad_kernel(
    ctx: registry.KernelContext, shape: np.ndarray, dy: np.ndarray
) -> np.ndarray:
    """dx = each window's dy / (its number of real elements), spread over the window"""
    sizes = [int(v) for v in np.ravel(shape)]
    if len(sizes) != 4:
        raise ValueError(f"orig_input_shape must be 1-dimensional and 4 elements, got {sizes}")
    x = np.broadcast_to(np.zeros((), dy.dtype), sizes)  # only its shape is read
    geo = _check_pool_run(ctx.attrs, "AvgPoolGrad", x)
    _check_pool_grad(geo, x, dy, dy, "grad")
    if geo.empty():
        return np.zeros(sizes, dtype=dy.dtype)
    d = work_dtype(dy)
    share = d / _avg_counts(geo, sizes[1], sizes[2])[None, :, :, None].astype(d.dtype)
    dxp = np.zeros(_padded_shape(geo, tuple(sizes)), dtype=share.dtype)
    for tap in geo.taps(dxp):
        tap += share
    return _unpad(geo, dxp).astype(dy.dtype, copy=False)


# -- public API ---------------------------------------------------------------------------


def _pool(
    op_type: str,
    scope: str,
    x: Tensor,
    ksize: Any,
    strides: Any,
    padding: Any,
    data_format: Any,
) -> Tensor:
    is_max = op_type == "MaxPool"
    formats = ("NHWC", "NCHW", "NCHW_VECT_C") if is_max else ("NHWC", "NCHW")
    fmt = _data_format(data_format, op_type, formats)
    if fmt == "NCHW_VECT_C":
        raise NotImplementedError("teachflow does not implement the NCHW_VECT_C data format.")
    ci = _channel_index(fmt)
    k, s = _sequence(ksize, ci, "ksize"), _sequence(strides, ci, "strides")
    if k[ci] != 1 or s[ci] != 1:
        raise NotImplementedError(
            f"teachflow does not implement pooling across channels (ksize={k}, strides={s}); "
            "pool over height and width only: [1, h, w, 1]."
        )
    if not is_max and isinstance(padding, (list, tuple)):
        _string_attr(padding, "padding", op_type, ("SAME", "VALID"))
    pad, explicit = _padding(padding, op_type, explicit=is_max)
    attrs: dict[str, Any] = {"ksize": k, "strides": s, "padding": pad}
    if is_max:
        attrs["explicit_paddings"] = explicit
    attrs["data_format"] = fmt
    return _make(op_type, [x], scope, attrs)


def max_pool(
    value: Any,
    ksize: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    name: str | None = None,
    input: Any = None,
) -> Tensor:
    """The maximum of each ``ksize`` window, windows ``strides`` apart (padding never wins).

    >>> import teachflow as tf
    >>> x = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
    >>> tf.Session().run(tf.nn.max_pool(x, 2, 2, "VALID"))[0, :, :, 0].tolist()
    [[5.0, 7.0], [13.0, 15.0]]
    """
    v = _one_of(input, "input", value, "value")
    g = graph_of(v)
    with g.as_default(), g.name_scope(name or "MaxPool") as scope:
        k = _sequence(ksize, _channel_index(data_format), "ksize")
        if any(d == 0 for d in k):
            raise ValueError(f"`ksize` cannot be zero. Received: ksize={k}")
        x = convert_to_tensor(v, name="input")
        return _pool("MaxPool", scope, x, ksize, strides, padding, data_format)


def max_pool2d(
    input: Any,
    ksize: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    name: str | None = None,
) -> Tensor:
    """``max_pool`` under the name ``MaxPool2d``.

    >>> import teachflow as tf
    >>> print(tf.nn.max_pool2d(tf.zeros([1, 4, 4, 1]), 2, 2, "SAME"))
    Tensor("MaxPool2d:0", shape=(1, 2, 2, 1), dtype=float32)
    """
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "MaxPool2d") as scope:
        x = convert_to_tensor(input, name="input")
        return _pool("MaxPool", scope, x, ksize, strides, padding, data_format)


def avg_pool(
    value: Any,
    ksize: Any,
    strides: Any,
    padding: Any,
    data_format: str = "NHWC",
    name: str | None = None,
    input: Any = None,
) -> Tensor:
    """The mean of each ``ksize`` window (with "SAME", padding is not counted).

    >>> import teachflow as tf
    >>> x = tf.reshape(tf.range(16.0), [1, 4, 4, 1])
    >>> tf.Session().run(tf.nn.avg_pool(x, 2, 2, "VALID"))[0, :, :, 0].tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    v = _one_of(input, "input", value, "value")
    g = graph_of(v)
    with g.as_default(), g.name_scope(name or "AvgPool") as scope:
        x = convert_to_tensor(v, name="value")
        return _pool("AvgPool", scope, x, ksize, strides, padding, data_format)


avg_pool2d = avg_pool  # TensorFlow 1.x: the same function
