"""``tf.map_fn``, ``tf.scan``, ``tf.foldl``, ``tf.foldr``: a function over the rows of a
tensor, as a :func:`~teachflow.ops.while_ops.while_loop` reading and writing TensorArrays (as
TensorFlow 1.x builds them; stepping shows each row's iteration).

>>> import teachflow as tf
>>> x = tf.constant([1.0, 2.0, 3.0])
>>> sess = tf.Session()
>>> sess.run(tf.map_fn(lambda v: v * v, x))
array([1., 4., 9.], dtype=float32)
>>> sess.run(tf.scan(lambda a, v: a + v, x))
array([1., 3., 6.], dtype=float32)
>>> float(sess.run(tf.foldl(lambda a, v: a * 10 + v, x)))
123.0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from teachflow import dtypes
from teachflow.graph import Tensor, get_default_graph
from teachflow.ops import array_ops
from teachflow.ops.constant_op import constant, convert_to_tensor
from teachflow.ops.control_flow_ops import _flatten, _pack_like
from teachflow.ops.tensor_array_ops import TensorArray
from teachflow.ops.while_ops import while_loop
from teachflow.tensor_shape import TensorShape


def _rows(elems: Any, what: str) -> tuple[list[Tensor], Any, list[TensorArray]]:
    """The elements as tensors, their row count (an int when known) and TensorArrays of rows."""
    flat = [convert_to_tensor(e, name="elem") for e in _flatten(elems)]
    if not flat:
        raise ValueError(f"{what}: elems must not be empty")
    for e in flat:
        if e.shape.ndims == 0:
            raise ValueError(
                "elems must be a 1+ dimensional Tensor, not a scalar\n  Hint: the function "
                "runs on each row (the first dimension) of elems."
            )
    first = flat[0].shape[0].value if flat[0].shape.ndims else None
    n: Any = first if first is not None else array_ops.shape(flat[0])[0]
    arrays = [TensorArray(e.dtype, size=n, dynamic_size=False, infer_shape=True) for e in flat]
    arrays = [ta.unstack(e) for ta, e in zip(arrays, flat)]
    return flat, n, arrays


def _with_rows(results: list[Tensor], n: Any) -> list[Tensor]:
    static = n if isinstance(n, int) else None
    for r in results:
        if r.shape.ndims is not None:
            r.set_shape(TensorShape([static]).concatenate(r.shape[1:]))
    return results


def map_fn(
    fn: Callable[[Any], Any],
    elems: Any,
    dtype: Any = None,
    parallel_iterations: Any = None,
    back_prop: bool = True,
    swap_memory: bool = False,
    infer_shape: bool = True,
    name: str | None = None,
) -> Any:
    """``fn`` applied to each row of ``elems`` (a tensor or a structure of them), results
    stacked; ``dtype`` gives the result's dtype (structure) when it differs from ``elems``'."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    g = get_default_graph()
    with g.name_scope(name or "map"):
        flat, n, elem_arrays = _rows(elems, "map_fn")
        out_structure = dtype if dtype is not None else elems
        out_dtypes = (
            [dtypes.as_dtype(d) for d in _flatten(dtype)]
            if dtype is not None
            else [e.dtype for e in flat]
        )
        accs = [
            TensorArray(d, size=n, dynamic_size=False, infer_shape=infer_shape) for d in out_dtypes
        ]

        def compute(i: Any, arrays: Any) -> Any:
            row = _pack_like(elems, [ta.read(i) for ta in elem_arrays])
            out = _flatten(fn(row))
            if len(out) != len(arrays):
                raise ValueError(
                    "The two structures don't have the same number of elements. First "
                    f"structure (dtype): {len(arrays)} values, second structure (fn's "
                    f"result): {len(out)} values."
                )
            return i + 1, [ta.write(i, v) for ta, v in zip(arrays, out)]

        i0 = constant(0)
        _, done = while_loop(
            lambda i, _: i < n,
            compute,
            (i0, accs),
            parallel_iterations=parallel_iterations or 10,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=n,
        )
        results = _with_rows([ta.stack() for ta in done], n)
        return _pack_like(out_structure, results) if _is_nested(out_structure) else results[0]


def scan(
    fn: Callable[[Any, Any], Any],
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    infer_shape: bool = True,
    reverse: bool = False,
    name: str | None = None,
) -> Any:
    """``a = fn(a, row)`` over the rows of ``elems`` (from the last with ``reverse``); every
    ``a`` stacked. Without ``initializer`` the first row is the first ``a``."""
    if not callable(fn):
        raise TypeError("fn must be callable.")
    g = get_default_graph()
    with g.name_scope(name or "scan"):
        flat, n, elem_arrays = _rows(elems, "scan")
        last = (n - 1) if reverse else 0
        if initializer is None:
            acc_structure = elems
            a_flat = [ta.read(last) for ta in elem_arrays]
            start = 1
        else:
            acc_structure = initializer
            a_flat = [convert_to_tensor(a) for a in _flatten(initializer)]
            start = 0
        accs = [
            TensorArray(
                a.dtype,
                size=n,
                element_shape=a.shape if infer_shape else None,
                dynamic_size=False,
                infer_shape=infer_shape,
            )
            for a in a_flat
        ]
        if initializer is None:
            accs = [ta.write(last, a) for ta, a in zip(accs, a_flat)]

        def compute(i: Any, a: Any, arrays: Any) -> Any:
            row = _pack_like(elems, [ta.read(i) for ta in elem_arrays])
            out = _flatten(fn(_pack_like(acc_structure, list(a)), row))
            nxt = i - 1 if reverse else i + 1
            return nxt, out, [ta.write(i, v) for ta, v in zip(arrays, out)]

        i0 = (n - 1 - start) if reverse else constant(start)
        if reverse:
            cond = lambda i, _a, _t: i >= 0  # noqa: E731 - as short as TensorFlow's
        else:
            cond = lambda i, _a, _t: i < n  # noqa: E731
        _, _, done = while_loop(
            cond,
            compute,
            (i0, a_flat, accs),
            parallel_iterations=parallel_iterations,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=n,
        )
        results = _with_rows([ta.stack() for ta in done], n)
        return _pack_like(acc_structure, results) if _is_nested(acc_structure) else results[0]


def _fold(
    fn: Callable[[Any, Any], Any],
    elems: Any,
    initializer: Any,
    reverse: bool,
    name: str,
    parallel_iterations: int,
    back_prop: bool,
    swap_memory: bool,
) -> Any:
    if not callable(fn):
        raise TypeError("fn must be callable.")
    g = get_default_graph()
    with g.name_scope(name):
        flat, n, elem_arrays = _rows(elems, name)
        if initializer is None:
            a = _pack_like(elems, [ta.read(n - 1 if reverse else 0) for ta in elem_arrays])
            start = 1
        else:
            a = initializer
            start = 0

        def compute(i: Any, acc: Any) -> Any:
            row = _pack_like(elems, [ta.read(i) for ta in elem_arrays])
            return [i - 1 if reverse else i + 1, fn(acc, row)]

        if reverse:
            i0: Any = n - 1 - start
            cond = lambda i, _a: i >= 0  # noqa: E731
        else:
            i0 = constant(start)
            cond = lambda i, _a: i < n  # noqa: E731
        _, result = while_loop(
            cond,
            compute,
            [i0, a],
            parallel_iterations=parallel_iterations,
            back_prop=back_prop,
            swap_memory=swap_memory,
            maximum_iterations=n,
        )
        return result


def foldl(
    fn: Callable[[Any, Any], Any],
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: str | None = None,
) -> Any:
    """``a = fn(a, row)`` over the rows of ``elems``, first to last; the final ``a``."""
    return _fold(
        fn, elems, initializer, False, name or "foldl", parallel_iterations, back_prop, swap_memory
    )


def foldr(
    fn: Callable[[Any, Any], Any],
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: str | None = None,
) -> Any:
    """``a = fn(a, row)`` over the rows of ``elems``, last to first; the final ``a``."""
    return _fold(
        fn, elems, initializer, True, name or "foldr", parallel_iterations, back_prop, swap_memory
    )


def _is_nested(x: Any) -> bool:
    return isinstance(x, (list, tuple, dict))
