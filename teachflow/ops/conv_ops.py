"""Convolution on NHWC images: conv2d and its two backprops (conv2d_transpose is the input
one), and the window geometry that pooling (``pool_ops``) shares.

Each kernel is one large matrix product (GEMM) on BLAS's threads (:mod:`teachflow.blas`):
the padded input's windows (a strided view, no copy) are laid out, a few images at a time,
as a patch matrix of shape (N*OH*OW, KH*KW*C) (im2col), which the forward multiplies by the
filter (KH*KW*C, O) and the filter's gradient multiplies, transposed, by the output gradient
(N*OH*OW, O). The input's gradient is the transposed convolution: the output gradient,
spread out by the strides and padded, correlated with the filter turned 180 degrees, through
the same GEMM; or, when the filter has many more output than input channels (a first layer),
the windows' gradients from one GEMM, summed back by one reduction over a strided view.

>>> import teachflow as tf
>>> x = tf.ones([1, 4, 4, 1])
>>> y = tf.nn.max_pool(tf.nn.conv2d(x, tf.ones([3, 3, 1, 2]), 1, "SAME"), 2, 2, "VALID")
>>> print(y)
Tensor("MaxPool:0", shape=(1, 2, 2, 2), dtype=float32)
>>> tf.Session().run(y)[0, :, :, 0].tolist()
[[9.0, 9.0], [9.0, 9.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from teachflow import blas, dtypes, errors
from teachflow.graph import Operation, Tensor
from teachflow.ops import array_ops, registry
from teachflow.ops.constant_op import convert_to_tensor, is_tensor
from teachflow.ops.nn_ops import OutSpec, rank_is, work_dtype
from teachflow.ops.op_args import graph_of
from teachflow.ops.shape_inference import partial_shape
from teachflow.tensor_shape import TensorShape

_CONV_TYPES = "float16, bfloat16, float32, float64, int32"
_MAX_POOL_TYPES = (
    "float16, bfloat16, float32, float64, int32, int64, uint8, int16, int8, uint16, qint8"
)
_FLOAT_TYPES = "float16, bfloat16, float32, float64"

# -- arguments: TensorFlow's Python wrappers --------------------------------------------------


def _sequence(value: Any, channel_index: int, name: str) -> list[int]:
    """An int or list of length 1, 2 or 4 as the 4 values of an NHWC/NCHW attr."""
    if value is None:
        return [1, 1, 1, 1]
    seq = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    if len(seq) == 4:
        return [int(v) for v in seq]
    if len(seq) == 1:
        seq = seq * 2
    elif len(seq) != 2:
        raise ValueError(
            f"{name} should be of length 1, 2 or 4. Received: {name}={seq} of length {len(seq)}"
            f"\n  Hint: {name}=2 or [2, 2] means 2 along height and width."
        )
    spatial = [int(v) for v in seq]
    return [1, 1, *spatial] if channel_index == 1 else [1, *spatial, 1]


def _channel_index(data_format: Any) -> int:
    if data_format is not None and not isinstance(data_format, str):
        raise TypeError(
            f"Expected string for argument 'data_format' not {data_format!r}.\n  Hint: "
            "data_format is 'NHWC' (or 'NCHW')."
        )
    return 1 if (data_format or "NHWC").startswith("NC") else 3


def _string_attr(value: Any, attr: str, op_type: str, allowed: Sequence[str]) -> str:
    if not isinstance(value, str):
        raise TypeError(
            f"Expected string for argument '{attr}' not {value!r}.\n  Hint: {attr} is one of "
            f"{', '.join(repr(a) for a in allowed)}."
        )
    if value not in allowed:
        listed = ", ".join(f'"{a}"' for a in allowed)
        raise ValueError(
            f"Attr '{attr}' of '{op_type}' Op passed string '{value}' not in: {listed}.\n  Hint: "
            "the value is case-sensitive."
        )
    return value


def _padding(padding: Any, op_type: str, explicit: bool = True) -> tuple[str, list[int]]:
    """TensorFlow's ``convert_padding``: "SAME", "VALID" or [[top, bottom]...] per dimension."""
    if padding == "EXPLICIT":
        raise ValueError(
            "'EXPLICIT' is not a valid value for `padding`. To use explicit padding, `padding` "
            "must be a list.\n  Hint: e.g. [[0, 0], [1, 1], [2, 2], [0, 0]] for NHWC."
        )
    if explicit and isinstance(padding, (list, tuple)):
        pads: list[int] = []
        for i, pair in enumerate(padding):
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise ValueError(
                    "When `padding` is a list, each element of `padding` must be a list/tuple of "
                    f"size 2. Received: padding={padding} with element at index {i}"
                )
            pads.extend(int(p) for p in pair)
        if len(padding) != 4:
            raise ValueError(
                f"When padding is a list, it must be of size 4. Received: padding={padding} of "
                f"size {len(padding)}"
            )
        return "EXPLICIT", pads
    allowed = ("SAME", "VALID", "EXPLICIT") if explicit else ("SAME", "VALID")
    return _string_attr(padding, "padding", op_type, allowed), []


def _data_format(value: Any, op_type: str, allowed: Sequence[str] = ("NHWC", "NCHW")) -> str:
    return _string_attr("NHWC" if value is None else value, "data_format", op_type, allowed)


def _one_of(a: Any, a_name: str, b: Any, b_name: str) -> Any:
    """TensorFlow's deprecated_argument_lookup: ``a`` is the new name of ``b``."""
    if a is not None and b is not None:
        raise ValueError(f"Cannot specify both '{b_name}' and '{a_name}'.")
    return a if a is not None else b


# -- geometry: output sizes and pads -------------------------------------------------------


def _spatial(fmt: str) -> tuple[int, int]:
    return (2, 3) if fmt == "NCHW" else (1, 2)


def _static_out(
    op: Operation, size: int | None, k: int | None, s: int, d: int, padding: str, pads: list[int]
) -> int | None:
    """One output dimension as TensorFlow's shape function computes it (None if unknown)."""
    if size is None:
        return None
    if padding == "SAME":
        return -(-size // s)
    if k is None:
        return None
    eff = (k - 1) * d + 1
    total = size + sum(pads)
    if total < eff:
        raise registry.shape_error(
            op,
            f"Negative dimension size caused by subtracting {eff} from {total}",
            "with padding='VALID' the window (filter or ksize) must fit inside the input; "
            "use padding='SAME' or a smaller window.",
        )
    return (total - eff) // s + 1


def _window(size: int, k: int, s: int, d: int, padding: str, pads: Sequence[int]) -> list[int]:
    """[output size, pad before, pad after] of one spatial dimension at run time."""
    eff = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-size // s)
        total = max((out - 1) * s + eff - size, 0)
        return [out, total // 2, total - total // 2]  # the odd pad goes at the end
    before, after = (pads[0], pads[1]) if padding == "EXPLICIT" else (0, 0)
    n = size + before + after - eff + s
    out = abs(n) // s * (1 if n >= 0 else -1)  # C++ division truncates toward zero
    if out < 0:
        raise ValueError(
            f"Computed output size would be negative: {out} [input_size: {size}, "
            f"effective_filter_size: {eff}, stride: {s}]"
        )
    return [out, before, after]


def _windows(
    xp: np.ndarray, k: Sequence[int], s: Sequence[int], d: Sequence[int], out: Sequence[int]
) -> np.ndarray:
    """The windows of padded NHWC ``xp``, (N, OH, OW, C, KH, KW), a view."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = k, s, d, out
    v = sliding_window_view(xp, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(1, 2))
    return v[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw, :, ::dh, ::dw]


def _patch_matrix(
    xp: np.ndarray, k: Sequence[int], s: Sequence[int], d: Sequence[int], out: Sequence[int]
) -> np.ndarray:
    """im2col: the windows of padded ``xp`` as rows, (N*OH*OW, KH*KW*C), in one copy of a
    strided view (channels innermost, so the copy moves whole runs of C values)."""
    n, c = xp.shape[0], xp.shape[3]
    rows, cols = n * out[0] * out[1], k[0] * k[1] * c
    if k[0] == k[1] == 1 and tuple(s) == (1, 1) and xp.flags.c_contiguous:
        return xp.reshape(rows, cols)  # a 1x1 convolution's patches are its input
    # the patch matrix is KH*KW times its input: refuse it before it takes all the memory
    registry.check_alloc([rows, cols], xp.dtype)
    patches = np.empty((n, out[0], out[1], k[0], k[1], c), dtype=xp.dtype)
    np.copyto(patches, _windows(xp, k, s, d, out).transpose(0, 1, 2, 4, 5, 3))
    return patches.reshape(rows, cols)


def _gemm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return blas.matmul(a, b)


# images per patch-matrix chunk: about this many bytes, so that each chunk is still in the
# CPU's cache when its GEMM reads it, and a batch never needs its whole patch matrix at once
CHUNK_BYTES = 1 << 22


def _chunks(xp: np.ndarray, k: Sequence[int], out: Sequence[int]) -> list[tuple[int, int]]:
    """[first, end) image ranges whose patch matrices hold about :data:`CHUNK_BYTES`."""
    per_image = out[0] * out[1] * k[0] * k[1] * xp.shape[3] * xp.itemsize
    step = max(1, CHUNK_BYTES // max(per_image, 1))
    n = xp.shape[0]
    return [(i, min(i + step, n)) for i in range(0, n, step)]


def _correlate(
    xp: np.ndarray,
    k: Sequence[int],
    s: Sequence[int],
    d: Sequence[int],
    out: Sequence[int],
    f2d: np.ndarray,
) -> np.ndarray:
    """patches(xp) @ f2d, (N, OH, OW, f2d's columns), a chunk of images at a time."""
    n, rows = xp.shape[0], out[0] * out[1]
    y = np.empty((n * rows, f2d.shape[1]), dtype=np.result_type(xp, f2d))
    for a, b in _chunks(xp, k, out):
        blas.matmul(_patch_matrix(xp[a:b], k, s, d, out), f2d, out=y[a * rows : b * rows])
    return y.reshape(n, out[0], out[1], f2d.shape[1])


def _correlate_filter(
    xp: np.ndarray,
    k: Sequence[int],
    s: Sequence[int],
    d: Sequence[int],
    out: Sequence[int],
    dy2d: np.ndarray,
) -> np.ndarray:
    """patches(xp)^T @ dy2d, (KH*KW*C, O), summed over chunks of images."""
    rows = out[0] * out[1]
    df: np.ndarray | None = None
    for a, b in _chunks(xp, k, out):
        part = _gemm(_patch_matrix(xp[a:b], k, s, d, out).T, dy2d[a * rows : b * rows])
        if df is None:
            df = part
        else:
            df += part
    if df is None:  # no images: nothing to sum
        return np.zeros((k[0] * k[1] * xp.shape[3], dy2d.shape[1]), np.result_type(xp, dy2d))
    return df


class _Geometry:
    """Where the windows of one op's run lie: output size and pads along height and width."""

    def __init__(self, attrs: dict[str, Any], h: int, w: int, kh: int, kw: int) -> None:
        self.s = attrs["strides"][1:3]
        self.d = attrs.get("dilations", [1, 1, 1, 1])[1:3]
        self.k = [kh, kw]
        pads = attrs.get("explicit_paddings") or [0] * 8
        rows = _window(h, kh, self.s[0], self.d[0], attrs["padding"], pads[2:4])
        cols = _window(w, kw, self.s[1], self.d[1], attrs["padding"], pads[4:6])
        self.out = [rows[0], cols[0]]
        self.pads = [(0, 0), (rows[1], rows[2]), (cols[1], cols[2]), (0, 0)]

    def pad(self, x: np.ndarray, value: Any = 0) -> np.ndarray:
        if not any(p for pair in self.pads for p in pair):
            return x
        return np.pad(x, self.pads, constant_values=value)

    def windows(self, xp: np.ndarray) -> np.ndarray:
        """The windows of padded ``xp``, (N, OH, OW, C, KH, KW), a view."""
        return _windows(xp, self.k, self.s, self.d, self.out)

    def taps(self, xp: np.ndarray) -> list[np.ndarray]:
        """For each window position (a, b) in row-major order, the (N, OH, OW, C) view of
        padded ``xp`` that the windows hold there: pooling's loops run over these, the few
        window positions, never over the elements."""
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = self.k, self.s, self.d, self.out
        return [
            xp[
                :,
                a * dh : a * dh + (oh - 1) * sh + 1 : sh,
                b * dw : b * dw + (ow - 1) * sw + 1 : sw,
            ]
            for a in range(kh)
            for b in range(kw)
        ]

    def empty(self) -> bool:
        return 0 in self.out


def _unimplemented(message: str, hint: str) -> errors.UnimplementedError:
    return errors.UnimplementedError(None, None, message, hint)


def _check_conv_run(attrs: dict[str, Any], op_type: str) -> None:
    """What TensorFlow's CPU convolution kernels refuse at run time."""
    if attrs["data_format"] != "NHWC":
        raise _unimplemented(
            f"The {op_type} op currently only supports the NHWC tensor format on the CPU. The op "
            f"was given the format: {attrs['data_format']}",
            "use NHWC images ([batch, height, width, channels]); tf.transpose(x, [0, 2, 3, 1]) "
            "turns NCHW into NHWC.",
        )
    if op_type != "Conv2D" and any(d != 1 for d in attrs["dilations"]):
        # NOTE: TensorFlow's CPU backprops refuse dilations (only its forward kernel has them)
        raise ValueError(
            "Current CPU implementations do not yet support dilation rates larger than 1."
        )
    for attr in ("strides", "dilations"):
        v = attrs[attr]
        if v[0] != 1 or v[3] != 1:
            raise _unimplemented(
                f"Current implementation does not yet support {attr} in the batch and depth "
                "dimensions.",
                f"{attr} must be [1, h, w, 1].",
            )


def _check_rank(x: np.ndarray, what: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{what} must be 4-dimensional: [{','.join(str(d) for d in x.shape)}]")


def _check_depth(in_depth: int, filter_depth: int) -> None:
    if filter_depth == 0 or in_depth % filter_depth:
        raise ValueError(
            f"input depth must be evenly divisible by filter depth: {in_depth} vs {filter_depth}"
        )
    if in_depth != filter_depth:
        raise _unimplemented(
            "teachflow does not implement grouped convolution (input depth "
            f"{in_depth} is a multiple of the filter's input depth {filter_depth}).",
            "the filter's third dimension must equal the input's channels.",
        )


def _check_out_backprop(
    op_type: str, geo: _Geometry, sizes: Sequence[int], k: Sequence[int], dy: np.ndarray
) -> None:
    for i in range(2):
        if dy.shape[1 + i] != geo.out[i]:
            raise ValueError(
                f"{op_type}: Size of out_backprop doesn't match computed: actual = "
                f"{dy.shape[1 + i]}, computed = {geo.out[i]} spatial_dim: {1 + i} input: "
                f"{sizes[i]} filter: {k[i]} output: {dy.shape[1 + i]} stride: {geo.s[i]} "
                f"dilation: {geo.d[i]}"
            )


# -- static shapes --------------------------------------------------------------------------


def _check_type(op: Operation, i: int, param: str, allowed: str) -> dtypes.DType:
    dt = op.inputs[i].dtype.base_dtype
    if dt.name not in allowed.split(", "):
        raise TypeError(
            f"Value passed to parameter '{param}' has DataType {dt.name} not in list of allowed "
            f"values: {allowed}\n  Hint: tf.cast the input first, e.g. tf.cast(x, tf.float32)."
        )
    return dt


def _check_window_attrs(op: Operation, attrs: dict[str, Any], with_dilations: bool) -> None:
    fmt = attrs["data_format"]
    if len(attrs["strides"]) != 4:
        raise registry.shape_error(
            op,
            f"{op.type} on data format {fmt} requires the stride attribute to contain 4 values, "
            f"but got: {len(attrs['strides'])}",
        )
    if "ksize" in attrs and len(attrs["ksize"]) != 4:
        raise ValueError(
            f"Attr 'ksize' of '{op.type}' Op passed list of length {len(attrs['ksize'])} less "
            "than minimum 4."
        )
    if with_dilations and len(attrs["dilations"]) != 4:
        raise registry.shape_error(
            op,
            f"{op.type} requires the dilation attribute to contain 4 values, but got: "
            f"{len(attrs['dilations'])}",
        )
    for s in attrs["strides"]:
        if s <= 0:
            raise registry.shape_error(op, f"Stride must be > 0, but got {s}")
    for d in attrs.get("dilations", [1]):
        if d < 1:
            raise registry.shape_error(op, f"Dilation rate must be >= 1, but got {d}")
    pads = attrs.get("explicit_paddings") or []
    if attrs["padding"] == "EXPLICIT":
        if len(pads) != 8 or any(p < 0 for p in pads):
            raise registry.shape_error(op, "All elements of explicit_paddings must be nonnegative")
        axes = (0, 1) if fmt == "NCHW" else (0, 3)
        if any(pads[2 * a] or pads[2 * a + 1] for a in axes):
            raise registry.shape_error(
                op, "Nonzero explicit padding in the batch or depth dimensions is not supported"
            )
    elif pads:
        raise registry.shape_error(op, "explicit_paddings must be empty unless padding is EXPLICIT")


def _windowed_shape(
    op: Operation, x: TensorShape, k: Sequence[int | None], depth: int | None
) -> TensorShape:
    """The output shape of a window op on ``x`` (rank 4) with window sizes ``k`` (h, w)."""
    attrs = op.attrs
    fmt = attrs["data_format"]
    hs, ws = _spatial(fmt)
    dims = x.as_list()
    strides, dil = attrs["strides"], attrs.get("dilations", [1, 1, 1, 1])
    pads = attrs.get("explicit_paddings") or [0] * 8
    out = [dims[0], None, None, None]
    for ax, kk in zip((hs, ws), k):
        pair = pads[2 * ax : 2 * ax + 2] if attrs["padding"] == "EXPLICIT" else [0, 0]
        out[ax] = _static_out(op, dims[ax], kk, strides[ax], dil[ax], attrs["padding"], pair)
    out[1 if fmt == "NCHW" else 3] = depth
    return TensorShape(out)


def _conv_depths(op: Operation, x: TensorShape, f: TensorShape) -> None:
    fmt = op.attrs["data_format"]
    in_depth = x[1 if fmt == "NCHW" else 3].value
    f_depth = f[2].value
    if in_depth is None or f_depth is None:
        return
    if f_depth == 0:
        raise registry.shape_error(op, "Depth of filter must not be 0")
    if in_depth % f_depth:
        raise registry.shape_error(
            op,
            f"Depth of input ({in_depth}) is not a multiple of input depth of filter ({f_depth})",
            "the filter is [height, width, in_channels, out_channels]: in_channels must be the "
            "input's last dimension.",
        )
    if in_depth != f_depth:
        raise NotImplementedError(
            f"teachflow does not implement grouped convolution: the input has {in_depth} "
            f"channels, the filter takes {f_depth}. Make the filter's third dimension "
            f"{in_depth}."
        )


def _same_type(op: Operation, i: int, param: str, of: str) -> None:
    a, b = op.inputs[0 if of != "filter" else 1].dtype.base_dtype, op.inputs[i].dtype.base_dtype
    if a != b:
        raise TypeError(
            f"Input '{param}' of '{op.type}' Op has type {b.name} that does not match type "
            f"{a.name} of argument '{of}'."
        )


def _conv2d_infer(op: Operation) -> OutSpec:
    dt = _check_type(op, 0, "input", _CONV_TYPES)
    _same_type(op, 1, "filter", "input")
    x, f = rank_is(op, 0, 4), rank_is(op, 1, 4)
    _check_window_attrs(op, op.attrs, True)
    _conv_depths(op, x, f)
    return [(dt, _windowed_shape(op, x, [f[0].value, f[1].value], f[3].value))]


def _sizes(t: Tensor, op: Operation, n: int = 4) -> list[int | None] | None:
    known = partial_shape(t)
    if known is not None and len(known) not in (n, 2):
        raise registry.shape_error(
            op,
            f"{op.type} requires {t.op.name.split('/')[-1]} to contain 4 values or 2 values, but "
            f"got: {len(known)}",
        )
    return known


def _backprop_input_infer(op: Operation) -> OutSpec:
    dt = _check_type(op, 1, "filter", _CONV_TYPES)
    _same_type(op, 2, "out_backprop", "filter")
    f, dy = rank_is(op, 1, 4), rank_is(op, 2, 4)
    _check_window_attrs(op, op.attrs, True)
    fmt = op.attrs["data_format"]
    c = 1 if fmt == "NCHW" else 3
    a, b = dy[c].value, f[3].value
    if a is not None and b is not None and a != b:
        raise registry.shape_error(op, f"Dimensions must be equal, but are {a} and {b}")
    known = _sizes(op.inputs[0], op)
    if known is not None and len(known) == 4:
        return [(dt, TensorShape(known))]
    out: list[int | None] = [dy[0].value, None, None, None]
    if known is not None:
        hs, ws = _spatial(fmt)
        out[hs], out[ws], out[c] = known[0], known[1], f[2].value
    return [(dt, TensorShape(out))]


def _backprop_filter_infer(op: Operation) -> OutSpec:
    dt = _check_type(op, 0, "input", _CONV_TYPES)
    _same_type(op, 2, "out_backprop", "input")
    rank_is(op, 0, 4), rank_is(op, 2, 4)
    _check_window_attrs(op, op.attrs, True)
    known = partial_shape(op.inputs[1])
    if known is not None and len(known) != 4:
        raise registry.shape_error(op, f"Shape must be rank 4 but is rank {len(known)}")
    return [(dt, TensorShape(known if known is not None else [None] * 4))]


def _conv_attrs(op: Operation) -> dict[str, Any]:
    keys = ("strides", "padding", "explicit_paddings", "data_format", "dilations")
    return {k: op.attrs[k] for k in keys} | {"use_cudnn_on_gpu": op.attrs["use_cudnn_on_gpu"]}


def _conv2d_grad(op: Operation, grad: Tensor) -> list[Tensor]:
    x, f = op.inputs
    s0, s1 = array_ops.shape_n([x, f])
    attrs = _conv_attrs(op)
    return [
        _make("Conv2DBackpropInput", [s0, f, grad], "Conv2DBackpropInput", attrs),
        _make("Conv2DBackpropFilter", [x, s1, grad], "Conv2DBackpropFilter", attrs),
    ]


def _backprop_input_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    _, f, dy = op.inputs
    attrs = _conv_attrs(op)
    return [
        None,
        _make(
            "Conv2DBackpropFilter", [grad, array_ops.shape(f), dy], "Conv2DBackpropFilter", attrs
        ),
        _make("Conv2D", [grad, f], "Conv2D", attrs),
    ]


def _backprop_filter_grad(op: Operation, grad: Tensor) -> list[Tensor | None]:
    x, _, dy = op.inputs
    attrs = _conv_attrs(op)
    return [
        _make("Conv2DBackpropInput", [array_ops.shape(x), grad, dy], "Conv2DBackpropInput", attrs),
        None,
        _make("Conv2D", [x, grad], "Conv2D", attrs),
    ]


_T_FROM = {"Conv2DBackpropInput": 1, "AvgPoolGrad": 1}  # the other ops: their first input


def _make(type: str, inputs: list[Tensor], name: str, attrs: dict[str, Any]) -> Tensor:
    t = inputs[_T_FROM.get(type, 0)].dtype.base_dtype
    return registry.make1(type, inputs, {"T": t, **attrs}, name)


def _int_list(value: Any, attr: str, op_type: str) -> list[int]:
    if not isinstance(value, (list, tuple, np.ndarray)):
        raise TypeError(
            f"Expected list for '{attr}' argument to '{op_type}' Op, not {value!r}.\n  Hint: "
            f"{attr} is [1, h, w, 1] here."
        )
    return [int(v) for v in value]


# -- convolution kernels ----------------------------------------------------------------------


def _conv(attrs: dict[str, Any], x: np.ndarray, f: np.ndarray) -> np.ndarray:
    geo = _Geometry(attrs, x.shape[1], x.shape[2], f.shape[0], f.shape[1])
    if geo.empty():
        return np.zeros((x.shape[0], *geo.out, f.shape[3]), dtype=x.dtype)
    o = f.shape[3]
    y = _correlate(
        geo.pad(work_dtype(x)), geo.k, geo.s, geo.d, geo.out, work_dtype(f).reshape(-1, o)
    )
    return y.astype(x.dtype, copy=False)


@registry.define("Conv2D", infer=_conv2d_infer, grad=_conv2d_grad, ctx=True)
def _conv2d_kernel(ctx: registry.KernelContext, x: np.ndarray, f: np.ndarray) -> np.ndarray:
    """y[n, i, j, o] = sum_{a, b, c} pad(x)[n, s*i + d*a, s*j + d*b, c] * f[a, b, c, o]"""
    _check_conv_run(ctx.attrs, "Conv2D")
    _check_rank(x, "convolution input")
    _check_rank(f, "convolution filter")
    _check_depth(x.shape[3], f.shape[2])
    return _conv(ctx.attrs, x, f)


def _input_sizes(sizes: np.ndarray, dy: np.ndarray, f: np.ndarray) -> list[int]:
    s = [int(v) for v in np.ravel(sizes)]
    if len(s) == 2:
        return [dy.shape[0], s[0], s[1], f.shape[2]]
    if len(s) != 4:
        raise ValueError(
            f"Conv2DBackpropInput requires input_sizes to contain 4 values or 2 values, but got: "
            f"{len(s)}"
        )
    return s


@registry.define(
    "Conv2DBackpropInput", infer=_backprop_input_infer, grad=_backprop_input_grad, ctx=True
)
def _backprop_input_kernel(
    ctx: registry.KernelContext, sizes: np.ndarray, f: np.ndarray, dy: np.ndarray
) -> np.ndarray:
    """dx = the adjoint of conv2d(., f) applied to dy: every window gets dy @ f^T back"""
    _check_conv_run(ctx.attrs, "Conv2DBackpropInput")
    _check_rank(f, "filter")
    _check_rank(dy, "out_backprop")
    n, h, w, c = _input_sizes(sizes, dy, f)
    _check_depth(c, f.shape[2])
    if dy.shape[3] != f.shape[3] or dy.shape[0] != n:
        raise ValueError(
            f"Conv2DCustomBackpropInput: out_backprop [{','.join(map(str, dy.shape))}] does not "
            f"match the batch {n} and the filter's out_depth {f.shape[3]}"
        )
    geo = _Geometry(ctx.attrs, h, w, f.shape[0], f.shape[1])
    _check_out_backprop("Conv2DCustomBackpropInput", geo, (h, w), f.shape[:2], dy)
    d, w_ = work_dtype(dy), work_dtype(f)
    if d.size == 0 or 0 in (h, w):
        return np.zeros((n, h, w, c), dtype=f.dtype)
    # the cheaper of two single-GEMM forms: the transposed convolution's patch matrix has
    # KH*KW*O columns, the windows' gradients (for col2im) KH*KW*C
    if f.shape[3] <= 4 * c:
        dx = _transposed_conv(geo, d, w_, (h, w))
    else:
        dx = _col2im(geo, _gemm(d.reshape(-1, f.shape[3]), w_.reshape(-1, f.shape[3]).T), (h, w))
    return dx.astype(f.dtype, copy=False)


def _col2im(geo: _Geometry, cols: np.ndarray, size: Sequence[int]) -> np.ndarray:
    """The adjoint of the patch matrix: ``cols`` (N*OH*OW, KH*KW*C), each window's gradient,
    summed back into an input of ``size`` (H, W) in one reduction over a strided view.

    With g the windows' gradients spread ``s`` apart and padded by (K-1)*d in front,
    pad(dx)[p] = sum_a g[p - d*a, a]: a view whose window axis steps back d rows per tap.
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = geo.k, geo.s, geo.d, geo.out
    n, c = cols.shape[0] // (oh * ow), cols.shape[1] // (kh * kw)
    (t, b), (left, r) = geo.pads[1], geo.pads[2]
    hp, wp = size[0] + t + b, size[1] + left + r
    fh, fw = (kh - 1) * dh, (kw - 1) * dw
    shape = [n, hp + fh, wp + fw, kh, kw, c]
    registry.check_alloc(shape, cols.dtype)
    g = np.zeros(shape, dtype=cols.dtype)
    g[:, fh : fh + (oh - 1) * sh + 1 : sh, fw : fw + (ow - 1) * sw + 1 : sw] = cols.reshape(
        n, oh, ow, kh, kw, c
    )
    st = g.strides
    taps = as_strided(
        g[:, fh:, fw:],
        (n, hp, wp, kh, kw, c),
        (st[0], st[1], st[2], st[3] - dh * st[1], st[4] - dw * st[2], st[5]),
        writeable=False,
    )
    dxp = np.einsum("nhwabc->nhwc", taps)
    return dxp[:, t : t + size[0], left : left + size[1]]


def _transposed_conv(
    geo: _Geometry, dy: np.ndarray, f: np.ndarray, size: Sequence[int]
) -> np.ndarray:
    """The adjoint of conv2d(., f) with ``geo``'s windows, applied to ``dy``: a stride-1
    correlation of ``dy`` (spread ``s`` apart, padded) with ``f`` turned 180 degrees.

    From y[i] = sum_a pad(x)[s*i + d*a] f[a] (pad ``t`` before):
    dx[p] = sum_a spread(dy)[p + t - d*a] f[a] = sum_a' e[p + d*a'] f[K-1-a'],
    with e = spread(dy) padded by (K-1)*d - t in front (cropped if that is negative).
    """
    n, oh, ow, o = dy.shape
    c = f.shape[2]
    if dy.size == 0 or 0 in size:
        return np.zeros((n, *size, c), dtype=np.result_type(dy, f))
    shape, place, crop = [n, 0, 0, o], [], []
    for ax in range(2):
        k, s, d, t = geo.k[ax], geo.s[ax], geo.d[ax], geo.pads[1 + ax][0]
        span = (dy.shape[1 + ax] - 1) * s + 1  # dy spread s apart
        lead = (k - 1) * d - t
        need = size[ax] + (k - 1) * d  # e's length: size outputs of a window (k-1)*d+1 long
        tail = need - lead - span
        shape[1 + ax] = max(lead, 0) + span + max(tail, 0)
        place.append(slice(max(lead, 0), max(lead, 0) + span, s))
        crop.append(slice(max(-lead, 0), max(-lead, 0) + need))
    registry.check_alloc(shape, dy.dtype)
    e = np.zeros(shape, dtype=dy.dtype)
    e[:, place[0], place[1], :] = dy
    e = e[:, crop[0], crop[1], :]
    flipped = np.ascontiguousarray(f[::-1, ::-1].transpose(0, 1, 3, 2)).reshape(-1, c)
    return _correlate(e, geo.k, (1, 1), geo.d, size, flipped)


@registry.define(
    "Conv2DBackpropFilter", infer=_backprop_filter_infer, grad=_backprop_filter_grad, ctx=True
)
def _backprop_filter_kernel(
    ctx: registry.KernelContext, x: np.ndarray, sizes: np.ndarray, dy: np.ndarray
) -> np.ndarray:
    """df[a, b, c, o] = sum_{n, i, j} pad(x)[n, s*i + d*a, s*j + d*b, c] * dy[n, i, j, o]"""
    _check_conv_run(ctx.attrs, "Conv2DBackpropFilter")
    _check_rank(x, "input")
    _check_rank(dy, "out_backprop")
    s = [int(v) for v in np.ravel(sizes)]
    if len(s) != 4:
        raise ValueError(f"filter_sizes must be 4-dimensional: {len(s)}")
    kh, kw, c, o = s
    _check_depth(x.shape[3], c)
    if dy.shape[3] != o or dy.shape[0] != x.shape[0]:
        raise ValueError(
            f"Conv2DCustomBackpropFilter: out_backprop [{','.join(map(str, dy.shape))}] does not "
            f"match the batch {x.shape[0]} and the filter's out_depth {o}"
        )
    geo = _Geometry(ctx.attrs, x.shape[1], x.shape[2], kh, kw)
    _check_out_backprop("Conv2DCustomBackpropFilter", geo, x.shape[1:3], (kh, kw), dy)
    if geo.empty():
        return np.zeros(s, dtype=x.dtype)
    xp, d2 = geo.pad(work_dtype(x)), work_dtype(dy).reshape(-1, o)
    df = _correlate_filter(xp, geo.k, geo.s, geo.d, geo.out, d2)  # KH*KW*C, O
    return df.reshape(s).astype(x.dtype, copy=False)


# -- public API ---------------------------------------------------------------------------


def _same_dtype(args: list[tuple[str, Any]]) -> list[Tensor]:
    """Inputs sharing attr T: Python values take the first input's dtype; a tensor of another
    dtype is left for the op's shape rule, which raises TensorFlow's "Input ... of ..." error."""
    first = convert_to_tensor(args[0][1], name=args[0][0])
    out = [first]
    for arg, v in args[1:]:
        dt = None if is_tensor(v) else first.dtype.base_dtype
        out.append(convert_to_tensor(v, dtype=dt, name=arg))
    return out


def _conv_op(
    op_type: str,
    scope: str,
    inputs: list[Tensor],
    strides: Any,
    padding: Any,
    use_cudnn_on_gpu: bool,
    data_format: Any,
    dilations: Any,
) -> Tensor:
    fmt = _data_format(data_format, op_type)
    pad, explicit = _padding(padding, op_type)
    if not isinstance(use_cudnn_on_gpu, (bool, np.bool_)):
        raise TypeError(
            f"Expected bool for argument 'use_cudnn_on_gpu' not {use_cudnn_on_gpu!r}.\n  Hint: "
            "pass data_format by name: conv2d(x, f, strides, padding, data_format='NHWC')."
        )
    attrs = {
        "strides": _int_list(strides, "strides", op_type),
        "use_cudnn_on_gpu": bool(use_cudnn_on_gpu),
        "padding": pad,
        "explicit_paddings": explicit,
        "data_format": fmt,
        "dilations": _int_list(dilations, "dilations", op_type),
    }
    return _make(op_type, inputs, scope, attrs)


def conv2d(
    input: Any,
    filter: Any = None,
    strides: Any = None,
    padding: Any = None,
    use_cudnn_on_gpu: bool = True,
    data_format: str = "NHWC",
    dilations: Any = (1, 1, 1, 1),
    name: str | None = None,
    filters: Any = None,
) -> Tensor:
    """2-D convolution of NHWC ``input`` with an HWIO ``filter``:
    y[n, i, j, o] = sum_{a, b, c} x[n, s*i + a, s*j + b, c] * filter[a, b, c, o].

    ``strides`` and ``dilations``: an int, [h, w] or [1, h, w, 1]; ``padding``: "SAME" (output
    size ceil(in / stride), the odd padding at the end), "VALID" or explicit [[0, 0], [top,
    bottom], [left, right], [0, 0]].

    >>> import teachflow as tf
    >>> y = tf.nn.conv2d(tf.ones([1, 3, 3, 1]), tf.ones([2, 2, 1, 1]), [1, 1, 1, 1], "VALID")
    >>> tf.Session().run(y)[0, :, :, 0].tolist()
    [[4.0, 4.0], [4.0, 4.0]]
    """
    f = _one_of(filters, "filters", filter, "filter")
    ci = _channel_index(data_format)
    g = graph_of(input, f)
    with g.as_default(), g.name_scope(name or "Conv2D") as scope:
        x, w = _same_dtype([("input", input), ("filter", f)])
        if x.shape.ndims is not None and x.shape.ndims > 4:
            raise NotImplementedError(
                "teachflow's conv2d takes 4-D input [batch, height, width, channels]; reshape "
                "extra batch dimensions into the first one."
            )
        return _conv_op(
            "Conv2D",
            scope,
            [x, w],
            _sequence(strides, ci, "strides"),
            padding,
            use_cudnn_on_gpu,
            data_format,
            _sequence(dilations, ci, "dilations"),
        )


def conv2d_backprop_input(
    input_sizes: Any,
    filter: Any = None,
    out_backprop: Any = None,
    strides: Any = None,
    padding: Any = None,
    use_cudnn_on_gpu: bool = True,
    data_format: str = "NHWC",
    dilations: Any = (1, 1, 1, 1),
    name: str | None = None,
    filters: Any = None,
) -> Tensor:
    """The gradient of conv2d with respect to its input (of shape ``input_sizes``).

    >>> import teachflow as tf
    >>> dx = tf.nn.conv2d_backprop_input(
    ...     [1, 2, 2, 1], tf.ones([2, 2, 1, 1]), tf.ones([1, 1, 1, 1]), [1, 1, 1, 1], "VALID")
    >>> tf.Session().run(dx)[0, :, :, 0].tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    f = _one_of(filters, "filters", filter, "filter")
    g = graph_of(input_sizes, f, out_backprop)
    with g.as_default(), g.name_scope(name or "Conv2DBackpropInput") as scope:
        return _backprop_input(
            scope,
            input_sizes,
            f,
            out_backprop,
            strides,
            padding,
            use_cudnn_on_gpu,
            data_format,
            dilations,
        )


def _backprop_input(
    scope: str,
    input_sizes: Any,
    f: Any,
    out_backprop: Any,
    strides: Any,
    padding: Any,
    use_cudnn_on_gpu: bool,
    data_format: Any,
    dilations: Any,
) -> Tensor:
    sizes = convert_to_tensor(input_sizes, dtype=dtypes.int32, name="input_sizes")
    w, dy = _same_dtype([("filter", f), ("out_backprop", out_backprop)])
    return _conv_op(
        "Conv2DBackpropInput",
        scope,
        [sizes, w, dy],
        strides,
        padding,
        use_cudnn_on_gpu,
        data_format,
        dilations,
    )


def conv2d_backprop_filter(
    input: Any,
    filter_sizes: Any,
    out_backprop: Any,
    strides: Any,
    padding: Any,
    use_cudnn_on_gpu: bool = True,
    data_format: str = "NHWC",
    dilations: Any = (1, 1, 1, 1),
    name: str | None = None,
) -> Tensor:
    """The gradient of conv2d with respect to its filter (of shape ``filter_sizes``).

    >>> import teachflow as tf
    >>> df = tf.nn.conv2d_backprop_filter(
    ...     tf.ones([1, 2, 2, 1]), [1, 1, 1, 1], tf.ones([1, 2, 2, 1]), [1, 1, 1, 1], "VALID")
    >>> tf.Session().run(df).ravel().tolist()
    [4.0]
    """
    g = graph_of(input, filter_sizes, out_backprop)
    with g.as_default(), g.name_scope(name or "Conv2DBackpropFilter") as scope:
        x, dy = _same_dtype([("input", input), ("out_backprop", out_backprop)])
        sizes = convert_to_tensor(filter_sizes, dtype=dtypes.int32, name="filter_sizes")
        return _conv_op(
            "Conv2DBackpropFilter",
            scope,
            [x, sizes, dy],
            strides,
            padding,
            use_cudnn_on_gpu,
            data_format,
            dilations,
        )


def conv2d_transpose(
    value: Any = None,
    filter: Any = None,
    output_shape: Any = None,
    strides: Any = None,
    padding: str = "SAME",
    data_format: str = "NHWC",
    name: str | None = None,
    input: Any = None,
    filters: Any = None,
    dilations: Any = None,
) -> Tensor:
    """The transpose of conv2d ("deconvolution"): ``value`` [N, h, w, out_channels] grows to
    ``output_shape`` through a [height, width, output_channels, in_channels] ``filter``.

    >>> import teachflow as tf
    >>> y = tf.nn.conv2d_transpose(tf.ones([1, 2, 2, 1]), tf.ones([2, 2, 1, 1]), [1, 4, 4, 1], 2)
    >>> tf.Session().run(y)[0, :, :, 0].tolist()[0]
    [1.0, 1.0, 1.0, 1.0]
    """
    v = _one_of(input, "input", value, "value")
    f = _one_of(filters, "filters", filter, "filter")
    ci = _channel_index(data_format)
    g = graph_of(v, f, output_shape)
    with g.as_default(), g.name_scope(name or "conv2d_transpose") as scope:
        return _backprop_input(
            scope,
            output_shape,
            f,
            v,
            _sequence(strides, ci, "strides"),
            padding,
            True,
            data_format,
            _sequence(dilations, ci, "dilations"),
        )
