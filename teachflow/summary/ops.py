"""Summary ops: graph nodes whose value is a serialized ``Summary`` protobuf.

``tf.summary.scalar("loss", loss)`` adds a ``ScalarSummary`` op; running it gives the bytes a
:class:`~teachflow.summary.FileWriter` stores and TensorBoard draws. The 1.x names tag each
summary with its scoped, uniquified op name; the 0.x names (``tf.scalar_summary``...) take the
tag verbatim. Kernels follow TensorFlow's own (histogram buckets, image scaling) so the bytes
parse to the same protos. The protobuf classes come from ``tensorboard``, imported when a
summary first runs.

>>> import teachflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     with tf.name_scope("layer1"):
...         s = tf.summary.scalar("loss", tf.constant(0.5))
...     data = tf.Session().run(s)
>>> s.op.name, type(data).__name__
('layer1/loss', 'bytes')
>>> from tensorboard.compat.proto.summary_pb2 import Summary
>>> Summary.FromString(data).value[0].tag, Summary.FromString(data).value[0].simple_value
('layer1/loss', 0.5)
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.gradients import not_differentiable
from teachflow.graph import Graph, GraphKeys, Operation, Tensor
from teachflow.ops import registry
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.op_args import int_arg
from teachflow.tensor_shape import TensorShape

_REAL = (
    "float32, float64, int32, uint8, int16, int8, int64, bfloat16, uint16, float16, uint32, uint64"
)
_IMAGE = "uint8, float32, float16, float64"
_DBL_MAX = float(np.finfo(np.float64).max)
_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w\.]")
_SUM_CHUNK = 1 << 20
_HIST_CHUNK = 1 << 16  # the histogram's scratch arrays: a few 512 KiB pieces at a time


def _protos() -> Any:
    from tensorboard.compat.proto import summary_pb2

    return summary_pb2


def _bytes_scalar(data: bytes) -> np.ndarray:
    return np.array(data, dtype=object)


def _text(tag: Any) -> str:
    return tag.decode("utf-8", "replace") if isinstance(tag, bytes) else str(tag)


def _debug_shape(shape: Sequence[int]) -> str:
    """TensorFlow's ``TensorShape::DebugString``: ``[2,3]``."""
    return "[" + ",".join(str(d) for d in shape) + "]"


# -- shape/dtype rules -----------------------------------------------------------------------


def _check_string(op: Operation, arg: str, t: Tensor) -> None:
    if t.dtype.base_dtype != dtypes.string:
        raise TypeError(
            f"Input '{arg}' of '{op.type}' Op has type {t.dtype.base_dtype.name} that does not "
            "match expected type of string."
        )


def _check_allowed(arg: str, t: Tensor, allowed: str) -> None:
    name = t.dtype.base_dtype.name
    if name not in allowed.split(", "):
        raise TypeError(
            f"Value passed to parameter '{arg}' has DataType {name} not in list of allowed "
            f"values: {allowed}"
        )


def _summary_infer(tag_arg: str, value_arg: str, allowed: str | None) -> registry.Infer:
    def infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
        _check_string(op, tag_arg, op.inputs[0])
        if allowed is not None:
            _check_allowed(value_arg, op.inputs[1], allowed)
        return [(dtypes.string, TensorShape([]))]

    return infer


def _merge_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    if any(t.dtype.base_dtype != dtypes.string for t in op.inputs):
        types = ", ".join(t.dtype.base_dtype.name for t in op.inputs)
        raise TypeError(
            f"Tensors in list passed to 'inputs' of 'MergeSummary' Op have types [{types}] that "
            "do not match expected type string."
        )
    return [(dtypes.string, TensorShape([]))]


# -- kernels ---------------------------------------------------------------------------------


@registry.define(
    "ScalarSummary", infer=_summary_infer("tags", "values", _REAL), grad=not_differentiable
)
def _scalar_summary_kernel(tags: Any, values: Any) -> np.ndarray:
    """f(tags, values) = Summary{tag_i: simple_value float(values_i)}"""
    tags, values = np.asarray(tags, dtype=object), np.asarray(values)
    if tags.shape != values.shape:
        single = f" (tag '{_text(tags[()])}')" if tags.ndim == 0 else ""
        raise errors.InvalidArgumentError(
            None,
            None,
            f"tags and values not the same shape: {_debug_shape(tags.shape)} != "
            f"{_debug_shape(values.shape)}{single}",
            "tf.summary.scalar records one number: reduce the tensor first (e.g. "
            "tf.reduce_mean(x)), or use tf.summary.histogram for many values.",
        )
    pb = _protos()
    s = pb.Summary()
    for tag, v in zip(tags.reshape(-1), values.reshape(-1).tolist()):
        s.value.add(tag=_text(tag), simple_value=float(v))
    return _bytes_scalar(s.SerializeToString())


@cache
def default_bucket_limits() -> np.ndarray:
    """TensorFlow's histogram buckets: +-1e-12 * 1.1^k up to 1e20, then +-DBL_MAX, and 0."""
    pos = []
    v = 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1  # the same double arithmetic as TensorFlow, so the limits are bit-identical
    pos.append(_DBL_MAX)
    limits = np.array([-x for x in reversed(pos)] + [0.0] + pos)
    limits.flags.writeable = False
    return limits


def _sequential_sum(x: np.ndarray, total: float = 0.0) -> float:
    """total + x[0] + x[1] + ... left to right, as TensorFlow's loop adds (numpy's sum is
    pairwise)."""
    buf = np.empty(min(x.size, _SUM_CHUNK) + 1)
    for start in range(0, x.size, _SUM_CHUNK):
        chunk = x[start : start + _SUM_CHUNK]
        part = buf[: chunk.size + 1]
        part[0] = total
        part[1:] = chunk
        total = float(np.add.accumulate(part)[-1])
    return total


def _chunks(x: np.ndarray) -> Any:
    """``x`` flattened, in float64 pieces of at most ``_HIST_CHUNK`` values: the histogram's
    temporaries stay a few MiB however large the input (not several copies of it)."""
    flat = x.reshape(-1)
    for start in range(0, flat.size, _HIST_CHUNK):
        yield flat[start : start + _HIST_CHUNK].astype(np.float64, copy=False)


def histogram_proto(values: Any) -> Any:
    """A ``HistogramProto`` of ``values`` exactly as TensorFlow's ``HistogramSummary`` makes it.

    >>> h = histogram_proto([0.0, 1.0, 1.0])
    >>> h.num, h.min, h.max, h.sum, list(h.bucket)[:3]
    (3.0, 0.0, 1.0, 2.0, [0.0, 1.0, 0.0])
    """
    x = np.asarray(values)
    limits = default_bucket_limits()
    counts = np.zeros(limits.size, np.int64)
    lo, hi, total, squares = _DBL_MAX, -_DBL_MAX, 0.0, 0.0
    for part in _chunks(x):
        bucket = np.searchsorted(limits, part, side="right")
        np.minimum(bucket, limits.size - 1, out=bucket)
        counts += np.bincount(bucket, minlength=limits.size)
        lo, hi = min(lo, float(part.min())), max(hi, float(part.max()))
        total = _sequential_sum(part, total)
        squares = _sequential_sum(part * part, squares)
    # a run of empty buckets is written as one bucket (ending where the run ends)
    empty = counts <= 0
    emit = ~empty | np.append(~empty[1:], True)
    h = _protos().HistogramProto(min=lo, max=hi, num=float(x.size), sum=total, sum_squares=squares)
    h.bucket_limit.extend(limits[emit].tolist())
    h.bucket.extend(counts[emit].astype(np.float64).tolist())
    return h


def _first_non_finite(x: np.ndarray) -> Any:
    """The first NaN or infinity in ``x`` (None if none), checked a chunk at a time."""
    if x.dtype.kind != "f":
        return None
    flat = x.reshape(-1)
    for start in range(0, flat.size, _HIST_CHUNK):
        finite = np.isfinite(flat[start : start + _HIST_CHUNK])
        if not finite.all():
            return flat[start + int(np.argmin(finite))]
    return None


@registry.define(
    "HistogramSummary",
    infer=_summary_infer("tag", "values", _REAL),
    grad=not_differentiable,
    ctx=True,
)
def _histogram_summary_kernel(ctx: registry.KernelContext, tag: Any, values: Any) -> np.ndarray:
    """f(tag, values) = Summary{tag: histogram of values (TensorFlow's exponential buckets)}"""
    tag = np.asarray(tag, dtype=object)
    if tag.ndim != 0:
        raise errors.InvalidArgumentError(None, None, "tags must be scalar", None)
    x = np.asarray(values)
    bad = _first_non_finite(x)
    if bad is not None:
        kind = "Nan" if np.isnan(bad) else "Infinity"
        raise errors.InvalidArgumentError(
            None,
            None,
            f"{kind} in summary histogram for: {ctx.op.name}",
            "the values became NaN or infinite (often a too-large learning rate or log(0)); "
            "check them before the summary, e.g. with tf.is_finite.",
        )
    s = _protos().Summary()
    s.value.add(tag=_text(tag[()]), histo=histogram_proto(x))
    return _bytes_scalar(s.SerializeToString())


def _scale_to_uint8(image: np.ndarray, bad_color: np.ndarray) -> np.ndarray:
    """One float image [h*w, depth] -> uint8, as TensorFlow's NormalizeFloatImage.

    Finite pixels set the range: min >= 0 scales by 255/max; otherwise by 127/max(|min|, |max|)
    around 128; the result is truncated. A pixel with any non-finite channel gets bad_color.
    """
    t = image.dtype.type
    # min/max propagate NaN and inf: finite extremes mean every pixel is finite (the common case)
    lo, hi = image.min(), image.max()
    all_finite = bool(np.isfinite(lo) and np.isfinite(hi))
    if not all_finite:
        finite = np.isfinite(image).all(axis=1)
        good = image[finite]
        lo, hi = (good.min(), good.max()) if good.size else (np.inf, -np.inf)
    # TensorFlow finds the range in float32, whatever the image dtype
    lo, hi = np.float32(lo), np.float32(hi)
    if lo < 0:
        max_val = max(abs(lo), abs(hi))
        scale = t(np.float32(0) if max_val < np.float32(1e-6) else np.float32(127) / max_val)
        offset = t(128)
    else:
        scale = t(np.float32(0) if hi < np.float32(1e-6) else np.float32(255) / hi)
        offset = t(0)
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = image * scale
        scaled += offset
        out = scaled.astype(np.uint8)
    if not all_finite:
        out[~finite] = bad_color[: image.shape[1]]
    return out


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG bytes of a uint8 [h, w, c] image (c = 1 grey, 3 RGB, 4 RGBA), via Pillow."""
    from PIL import Image

    h, w, c = pixels.shape
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[c]
    img = Image.fromarray(np.ascontiguousarray(pixels.reshape(h, w) if c == 1 else pixels), mode)
    buf = io.BytesIO()
    # NOTE: zlib level 1, not TensorFlow's default 6: 3x faster on big images, pixels identical
    # (the bytes differ from TensorFlow's anyway: another PNG encoder).
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


@registry.define(
    "ImageSummary",
    infer=_summary_infer("tag", "tensor", _IMAGE),
    grad=not_differentiable,
    ctx=True,
)
def _image_summary_kernel(ctx: registry.KernelContext, tag: Any, tensor: Any) -> np.ndarray:
    """f(tag, images) = Summary{tag/image/i: PNG of image i, floats scaled to [0, 255]}"""
    tag = np.asarray(tag, dtype=object)
    if tag.ndim != 0:
        raise errors.InvalidArgumentError(None, None, "Tags must be a scalar", None)
    x = np.asarray(tensor)
    if x.ndim != 4 or x.shape[3] not in (1, 3, 4):
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Tensor must be 4-D with last dim 1, 3, or 4, not {_debug_shape(x.shape)}",
            "images are [batch, height, width, channels] with 1 (grey), 3 (RGB) or 4 (RGBA) "
            "channels; add a batch dimension with tf.expand_dims(image, 0).",
        )
    batch, h, w, depth = x.shape
    if h * w == 0 or depth == 0:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"input tensor must have non-zero dims. Found: [{batch}, {h}, {w}, {depth}].",
            None,
        )
    max_images = ctx.attrs["max_images"]
    bad_color = np.asarray(ctx.attrs["bad_color"], dtype=np.uint8).reshape(-1)
    base = _text(tag[()])
    s = _protos().Summary()
    for i in range(min(max_images, batch)):
        img = x[i].reshape(h * w, depth)
        pixels = img if x.dtype == np.uint8 else _scale_to_uint8(img, bad_color)
        v = s.value.add(tag=f"{base}/image/{i}" if max_images > 1 else f"{base}/image")
        v.image.height, v.image.width, v.image.colorspace = h, w, depth
        v.image.encoded_image_string = encode_png(pixels.reshape(h, w, depth))
    return _bytes_scalar(s.SerializeToString())


def _tensor_summary_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    _check_string(op, "tag", op.inputs[0])
    _check_string(op, "serialized_summary_metadata", op.inputs[2])
    return [(dtypes.string, TensorShape([]))]


@registry.define("TensorSummaryV2", infer=_tensor_summary_infer, grad=not_differentiable, ctx=True)
def _tensor_summary_kernel(
    ctx: registry.KernelContext, tag: Any, tensor: Any, metadata: Any
) -> np.ndarray:
    """f(tag, x, metadata) = Summary{tag: TensorProto of x, with plugin metadata}"""
    from teachflow.tensor_util import make_tensor_proto

    pb = _protos()
    dt = ctx.op.inputs[1].dtype.base_dtype
    x = np.asarray(tensor, dtype=dt.np)
    s = pb.Summary()
    v = s.value.add(tag=_text(np.asarray(tag, dtype=object)[()]))
    if dt == dtypes.string:
        v.tensor.CopyFrom(make_tensor_proto(x, dt))
    else:  # numbers always travel as raw bytes here (TensorFlow's AsProtoTensorContent)
        v.tensor.dtype = dt.as_datatype_enum
        v.tensor.tensor_shape.SetInParent()
        for d in x.shape:
            v.tensor.tensor_shape.dim.add(size=int(d))
        v.tensor.tensor_content = np.ascontiguousarray(x, dtype=x.dtype.newbyteorder("<")).tobytes()
    raw = np.asarray(metadata, dtype=object)[()]
    v.metadata.ParseFromString(raw if isinstance(raw, bytes) else str(raw).encode())
    return _bytes_scalar(s.SerializeToString())


@registry.define("MergeSummary", infer=_merge_infer, grad=not_differentiable)
def _merge_summary_kernel(*inputs: Any) -> np.ndarray:
    """f(s1..sn) = Summary with the values of s1..sn (tags must differ)"""
    from google.protobuf.message import DecodeError

    pb = _protos()
    out = pb.Summary()
    seen: set[str] = set()
    for value in inputs:
        for raw in np.asarray(value, dtype=object).reshape(-1):
            part = pb.Summary()
            try:
                part.ParseFromString(raw if isinstance(raw, bytes) else str(raw).encode())
            except DecodeError:
                raise errors.InvalidArgumentError(
                    None,
                    None,
                    "Could not parse one of the summary inputs",
                    "merge only the outputs of summary ops (tf.summary.scalar, ...).",
                ) from None
            for v in part.value:
                if v.tag and v.tag in seen:
                    raise errors.InvalidArgumentError(
                        None,
                        None,
                        f"Duplicate tag {v.tag} found in summary inputs",
                        "give each summary its own tag (0.x tags are used verbatim; the 1.x "
                        "tf.summary.* names are made unique for you).",
                    )
                seen.add(v.tag)
            out.value.extend(part.value)
    return _bytes_scalar(out.SerializeToString())


# -- public API: 1.x -------------------------------------------------------------------------


def clean_tag(name: str | None) -> str | None:
    """A summary name with characters TensorFlow disallows replaced by ``_`` (and no leading /).

    >>> clean_tag("acc bad!")
    'acc_bad_'
    """
    if name is None:
        return None
    if not isinstance(name, str):
        raise TypeError(
            f"A summary name must be a string, got {name!r} of type {type(name).__name__}.\n"
            "  Hint: the name comes first, e.g. tf.summary.scalar('loss', loss)."
        )
    return _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")


@contextlib.contextmanager
def summary_scope(
    name: str | None,
    family: str | None = None,
    default_name: str | None = None,
    values: Sequence[Any] = (),
) -> Iterator[tuple[str, str, Graph]]:
    """Opens the summary's name scope; yields ``(tag, scope, graph)`` (tag = the scope name)."""
    name, family = clean_tag(name), clean_tag(family)
    if name is None and default_name is None:
        raise ValueError(
            f"At least one of name ({name}) and default_name ({default_name}) must be "
            "provided.\n  Hint: give the summary a name, e.g. tf.summary.scalar('loss', loss)."
        )
    base = name if family is None else f"{family}/{name}"
    g = registry.graph_for(list(values))
    with g.as_default(), g.name_scope(base or default_name) as scope:
        tag = scope.rstrip("/")
        yield (tag if family is None else f"{family}/{tag}"), scope, g


def _collect(g: Graph, value: Tensor, collections: Any, default: list[str]) -> None:
    for key in default if collections is None else collections:
        g.add_to_collection(key, value)


def scalar(name: str, tensor: Any, collections: Any = None, family: Any = None) -> Tensor:
    """A summary of one number; its tag is the scoped op name.

    Args:
      name: the op name, and the series name in TensorBoard.
      tensor: a real-valued scalar tensor.
      collections: graph collections to add the summary to (default ``[GraphKeys.SUMMARIES]``).
      family: optional tag prefix (the TensorBoard tab).

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.summary.scalar("loss", tf.constant(1.0)))
    Tensor("loss:0", shape=(), dtype=string)
    """
    with summary_scope(name, family, values=[tensor]) as (tag, scope, g):
        tags = constant(tag, name="tags")
        values = convert_to_tensor(tensor, name="values")
        val = registry.make1(
            "ScalarSummary", [tags, values], {"T": values.dtype.base_dtype}, scope, g
        )
    _collect(g, val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram(name: str, values: Any, collections: Any = None, family: Any = None) -> Tensor:
    """A summary of the distribution of ``values`` (TensorBoard's Histograms/Distributions tabs).

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.summary.histogram("weights", tf.zeros([3])).op.type)
    HistogramSummary
    """
    with summary_scope(name, family, "HistogramSummary", [values]) as (tag, scope, g):
        tag_t = constant(tag, name="tag")
        x = convert_to_tensor(values, name="values")
        val = registry.make1("HistogramSummary", [tag_t, x], {"T": x.dtype.base_dtype}, scope, g)
    _collect(g, val, collections, [GraphKeys.SUMMARIES])
    return val


def _image_op(tag: Any, tensor: Any, max_images: int, scope: str, g: Graph) -> Tensor:
    max_images = int_arg(max_images, "max_images")
    if max_images < 1:
        raise ValueError(
            f"Attr 'max_images' of 'ImageSummary' Op passed {max_images} less than minimum 1.\n"
            "  Hint: max_outputs is how many images of the batch to show."
        )
    tag_t = convert_to_tensor(tag, dtype=dtypes.string, name="tag")
    x = convert_to_tensor(tensor, name="tensor")
    attrs = {
        "max_images": max_images,
        "T": x.dtype.base_dtype,
        "bad_color": np.array([255, 0, 0, 255], dtype=np.uint8),
    }
    return registry.make1("ImageSummary", [tag_t, x], attrs, scope, g)


def image(
    name: str, tensor: Any, max_outputs: int = 3, collections: Any = None, family: Any = None
) -> Tensor:
    """A summary of up to ``max_outputs`` images from a [batch, height, width, channels] tensor.

    Tags are ``name/image/0``, ``name/image/1``... (``name/image`` when max_outputs is 1).
    uint8 images are kept; float images are scaled per image to [0, 255].

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.summary.image("digits", tf.zeros([2, 28, 28, 1])).op.get_attr("max_images"))
    3
    """
    with summary_scope(name, family, values=[tensor]) as (tag, scope, g):
        val = _image_op(tag, tensor, max_outputs, scope, g)
    _collect(g, val, collections, [GraphKeys.SUMMARIES])
    return val


def tensor_summary(
    name: str,
    tensor: Any,
    summary_description: str | None = None,
    collections: Any = None,
    summary_metadata: Any = None,
    family: Any = None,
    display_name: str | None = None,
) -> Tensor:
    """A summary holding a whole tensor (a ``TensorSummaryV2`` op), with plugin metadata."""
    pb = _protos()
    meta = pb.SummaryMetadata()
    if summary_metadata is not None:
        meta.CopyFrom(summary_metadata)
    if summary_description is not None:
        meta.summary_description = summary_description
    if display_name is not None:
        meta.display_name = display_name
    with summary_scope(name, family, values=[tensor]) as (tag, scope, g):
        tag_t = constant(tag, name="tag")
        x = convert_to_tensor(tensor)
        md = constant(meta.SerializeToString(), name="serialized_summary_metadata")
        val = registry.make1("TensorSummaryV2", [tag_t, x, md], {"T": x.dtype.base_dtype}, scope)
    _collect(g, val, collections, [GraphKeys.SUMMARIES])
    return val


def text(name: str, tensor: Any, collections: Any = None) -> Tensor:
    """A summary of a string tensor, shown (as Markdown) in TensorBoard's Text tab.

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.summary.text("notes", tf.constant("hello")).op.type)
    TensorSummaryV2
    """
    t = tensor if isinstance(tensor, Tensor) else convert_to_tensor(tensor)
    if t.dtype.base_dtype != dtypes.string:
        raise ValueError(f"Expected tensor {t.name} to have dtype string, got {t.dtype}")
    meta = _protos().SummaryMetadata()
    meta.plugin_data.plugin_name = "text"
    return tensor_summary(name, t, summary_metadata=meta, collections=collections)


def _merge_op(inputs: Any, op_name: str, g: Graph) -> Tensor:
    ts = [convert_to_tensor(x) for x in inputs]
    if not ts:
        raise ValueError(
            "List argument 'inputs' to 'MergeSummary' Op with length 0 shorter than minimum "
            "length 1."
        )
    return registry.make1("MergeSummary", ts, {"N": len(ts)}, op_name, g)


def merge(inputs: Any, collections: Any = None, name: str | None = None) -> Tensor:
    """One summary holding the values of all ``inputs`` (their tags must differ).

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     a = tf.summary.scalar("a", 1.0); b = tf.summary.scalar("b", 2.0)
    ...     print(tf.summary.merge([a, b]).op.name)
    Merge/MergeSummary
    """
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    name = clean_tag(name)
    g = registry.graph_for(list(inputs))
    with g.as_default(), g.name_scope(name or "Merge"):
        val = _merge_op(inputs, name or "MergeSummary", g)
    _collect(g, val, collections, [])
    return val


def merge_all(key: str = GraphKeys.SUMMARIES, scope: Any = None, name: str | None = None) -> Any:
    """Merges every summary in the default graph's ``key`` collection; None if there is none.

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.summary.merge_all())
    None
    """
    from teachflow.graph import get_default_graph

    summary_ops = get_default_graph().get_collection(key, scope)
    if not summary_ops:
        return None
    return merge(summary_ops, name=name)


# -- public API: 0.x -------------------------------------------------------------------------


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} (from tensorflow.python.ops.logging_ops) is deprecated and will be removed after "
        f"2016-11-30. Instructions for updating: Please switch to tf.{new}.",
        DeprecationWarning,
        stacklevel=3,
    )


def scalar_summary(tags: Any, values: Any, collections: Any = None, name: Any = None) -> Tensor:
    """0.x: a summary of scalars, one per tag; tags are used verbatim (``tf.summary.scalar``).

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     print(tf.scalar_summary("sparsity", tf.constant(0.25)).op.name)
    ScalarSummary
    """
    _deprecated("scalar_summary", "summary.scalar")
    g = registry.graph_for([tags, values])
    with g.as_default(), g.name_scope(name or "ScalarSummary") as scope:
        tags_t = convert_to_tensor(tags, dtype=dtypes.string, name="tags")
        x = convert_to_tensor(values, name="values")
        val = registry.make1("ScalarSummary", [tags_t, x], {"T": x.dtype.base_dtype}, scope, g)
    _collect(g, val, collections, [GraphKeys.SUMMARIES])
    return val


def histogram_summary(tag: Any, values: Any, collections: Any = None, name: Any = None) -> Tensor:
    """0.x: a histogram summary with a verbatim tag (``tf.summary.histogram``)."""
    _deprecated("histogram_summary", "summary.histogram")
    g = registry.graph_for([tag, values])
    with g.as_default(), g.name_scope(name or "HistogramSummary") as scope:
        tag_t = convert_to_tensor(tag, dtype=dtypes.string, name="tag")
        x = convert_to_tensor(values, name="values")
        val = registry.make1("HistogramSummary", [tag_t, x], {"T": x.dtype.base_dtype}, scope, g)
    _collect(g, val, collections, [GraphKeys.SUMMARIES])
    return val


def image_summary(
    tag: Any, tensor: Any, max_images: int = 3, collections: Any = None, name: Any = None
) -> Tensor:
    """0.x: an image summary with a verbatim tag (``tf.summary.image`` with ``max_outputs``)."""
    _deprecated("image_summary", "summary.image")
    g = registry.graph_for([tag, tensor])
    with g.as_default(), g.name_scope(name or "ImageSummary") as scope:
        val = _image_op(tag, tensor, max_images, scope, g)
    _collect(g, val, collections, [GraphKeys.SUMMARIES])
    return val


def merge_summary(inputs: Any, collections: Any = None, name: Any = None) -> Tensor:
    """0.x name of :func:`merge` (``tf.summary.merge``)."""
    _deprecated("merge_summary", "summary.merge")
    if not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    g = registry.graph_for(list(inputs))
    with g.as_default(), g.name_scope(name or "MergeSummary"):
        val = _merge_op(inputs, name or "MergeSummary", g)
    _collect(g, val, collections, [])
    return val


def merge_all_summaries(key: str = GraphKeys.SUMMARIES) -> Any:
    """0.x name of :func:`merge_all`: None when no summary was made.

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     tf.scalar_summary("x", 1.0) is not None and tf.merge_all_summaries().op.type
    'MergeSummary'
    """
    _deprecated("merge_all_summaries", "summary.merge_all")
    from teachflow.graph import get_default_graph

    summary_ops = get_default_graph().get_collection(key)
    if not summary_ops:
        return None
    g = get_default_graph()
    with g.name_scope("MergeSummary"):
        return _merge_op(summary_ops, "MergeSummary", g)
