"""``tf.data.Iterator``: walks a dataset, one element per run of ``get_next()``.

The iterator's position lives in the session (``SessionState.resources``), so two sessions on
one graph iterate independently. Its ops are TensorFlow's: ``IteratorV2`` (or
``OneShotIterator``), ``MakeIterator`` (the initializer) and ``IteratorGetNext``.

>>> import teachflow as tf
>>> it = tf.data.Dataset.range(2).make_initializable_iterator()
>>> nxt = it.get_next()
>>> with tf.Session() as sess:
...     _ = sess.run(it.initializer)
...     print(sess.run(nxt), sess.run(nxt))
...     try:
...         sess.run(nxt)
...     except tf.errors.OutOfRangeError as e:
...         print(e.message.splitlines()[0])
0 1
End of sequence
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator as PyIterator
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.data import structure as nest
from teachflow.data.dataset_ops import Dataset, DatasetValue, Element, _attrs
from teachflow.data.structure import Spec
from teachflow.graph import Operation, Tensor, get_default_graph
from teachflow.ops import registry
from teachflow.ops.handles import resource
from teachflow.tensor_shape import TensorShape


class _Factory:
    """OneShotIterator's ``dataset_factory``: the dataset to make on first use."""

    __slots__ = ("dataset",)

    def __init__(self, dataset: Tensor) -> None:
        self.dataset = dataset

    def fill_attr_value(self, av: Any) -> None:
        av.func.name = f"_make_dataset_{self.dataset.op.name.replace('/', '_')}"


class IteratorHandle:
    """The value of an iterator op: names the iterator's slot in the session's resources."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __repr__(self) -> str:
        return f"<iterator {self.key}>"


def _handle_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(resource, TensorShape([]))]


@registry.define("IteratorV2", infer=_handle_infer, ctx=True, stateful=True)
def _iterator_kernel(ctx: registry.KernelContext) -> IteratorHandle:
    """f() = a handle on this iterator's position in the session"""
    return IteratorHandle(ctx.op.name)


@registry.define("OneShotIterator", infer=_handle_infer, ctx=True, stateful=True)
def _one_shot_kernel(ctx: registry.KernelContext) -> IteratorHandle:
    """f() = a handle on this iterator, made over its dataset on first use in the session"""
    key = ctx.op.name
    if key not in ctx.state.resources:
        from teachflow.execution import Execution, Plan

        dataset_tensor = ctx.attrs["dataset_factory"].dataset
        plan = Plan([dataset_tensor], [], [], ctx.state)
        value = Execution(plan, []).run_to_end()[0]
        ctx.state.resources[key] = iter(value)
    return IteratorHandle(key)


@registry.define("MakeIterator", infer=registry.no_outputs, ctx=True, stateful=True)
def _make_iterator_kernel(
    ctx: registry.KernelContext, dataset: DatasetValue, handle: IteratorHandle
) -> None:
    """iterator <- the start of dataset"""
    ctx.state.resources[handle.key] = iter(dataset)
    ctx.state.changed()


def _get_next_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return list(zip(op.attrs["output_types"], op.attrs["output_shapes"]))


@registry.define("IteratorGetNext", infer=_get_next_infer, ctx=True, stateful=True)
def _get_next_kernel(ctx: registry.KernelContext, handle: IteratorHandle) -> Any:
    """f(iterator) = its next element (OutOfRangeError at the end)"""
    it: PyIterator[Element] | None = ctx.state.resources.get(handle.key)
    if it is None:
        raise errors.FailedPreconditionError(
            None,
            None,
            "GetNext() failed because the iterator has not been initialized. Ensure that you "
            "have run the initializer operation for this iterator before getting the next "
            "element.",
            "run sess.run(iterator.initializer) first (make_initializable_iterator), in this "
            "session.",
        )
    try:
        element = next(it)
    except StopIteration:
        raise errors.OutOfRangeError(
            None,
            None,
            "End of sequence",
            "the dataset is used up: catch tf.errors.OutOfRangeError to end the epoch, run "
            "the iterator's initializer to start over, or .repeat() the dataset.",
        ) from None
    types = ctx.attrs["output_types"]
    out = tuple(np.asarray(v, dtype=t.np) for v, t in zip(element, types))
    return out[0] if len(out) == 1 else out


@registry.define("IteratorFromStringHandleV2", infer=_handle_infer, ctx=True, stateful=True)
def _from_string_handle_kernel(ctx: registry.KernelContext, handle: Any) -> IteratorHandle:
    """f(name) = a handle on the iterator that string_handle() named"""
    raw = np.asarray(handle).reshape(()).item() if np.ndim(handle) == 0 else handle
    key = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    known = {op.name for op in ctx.op.graph.get_operations() if op.type in _ITERATOR_TYPES}
    if key not in known:
        raise errors.InvalidArgumentError(
            None,
            None,
            f"Could not parse an iterator string handle: {raw!r}",
            "feed the value of sess.run(iterator.string_handle()) of an iterator of this graph.",
        )
    return IteratorHandle(key)


_ITERATOR_TYPES = ("IteratorV2", "OneShotIterator")


@registry.define(
    "IteratorToStringHandle",
    infer=registry.fixed(dtypes.string, []),
    ctx=True,
    stateful=True,
)
def _to_string_handle_kernel(ctx: registry.KernelContext, handle: IteratorHandle) -> np.ndarray:
    """f(iterator) = its name, as a string"""
    return np.array(handle.key.encode(), dtype=object)


class Iterator:
    """Walks a dataset: ``get_next()`` gives a tensor (structure) whose every run is the next
    element (``tf.data.Iterator``)."""

    def __init__(self, handle: Tensor, structure: Any, initializer: Operation | None) -> None:
        self._iterator_resource = handle
        self._structure = structure
        self._initializer = initializer
        self._get_next_calls = 0
        g = handle.graph
        with g.as_default():
            self._string_handle = registry.make1(
                "IteratorToStringHandle", [handle], {}, "IteratorToStringHandle"
            )

    @classmethod
    def _one_shot(cls, dataset: Dataset) -> Iterator:
        placeholder = _placeholder_in(dataset._variant_tensor)
        if placeholder is not None:
            raise ValueError(
                f"Cannot capture a placeholder (name:{placeholder.name}, type:Placeholder) by "
                "value.\n  Hint: a one-shot iterator makes its dataset once, without feeds; use "
                "make_initializable_iterator() and feed the placeholder when running its "
                "initializer."
            )
        g = dataset._variant_tensor.graph
        with g.as_default():
            attrs = {
                **_attrs(dataset._structure),
                "container": "",
                "shared_name": "",
                "dataset_factory": _Factory(dataset._variant_tensor),
            }
            h = registry.make1("OneShotIterator", [], attrs, "OneShotIterator")
        return cls(h, dataset._structure, None)

    @classmethod
    def _initializable(cls, dataset: Dataset, shared_name: Any = None) -> Iterator:
        g = dataset._variant_tensor.graph
        with g.as_default():
            h = _iterator_op(dataset._structure, shared_name)
            init = registry.make("MakeIterator", [dataset._variant_tensor, h], {}, "MakeIterator")
        return cls(h, dataset._structure, init)

    @staticmethod
    def from_structure(
        output_types: Any,
        output_shapes: Any = None,
        shared_name: Any = None,
        output_classes: Any = None,
    ) -> Iterator:
        """An iterator not yet bound to a dataset: ``make_initializer(ds)`` binds it (datasets
        with the same types and compatible shapes, e.g. training and test data)."""
        structure = _structure(output_types, output_shapes)
        g = get_default_graph()
        with g.as_default():
            h = _iterator_op(structure, shared_name)
        return Iterator(h, structure, None)

    @staticmethod
    def from_string_handle(
        string_handle: Any,
        output_types: Any,
        output_shapes: Any = None,
        output_classes: Any = None,
    ) -> Iterator:
        """An iterator chosen at run time: feed ``string_handle`` with the value of another
        iterator's ``string_handle()`` (a "feedable" iterator: training or validation data)."""
        from teachflow.ops.constant_op import convert_to_tensor

        structure = _structure(output_types, output_shapes)
        h = convert_to_tensor(string_handle, dtype=dtypes.string)
        g = h.graph
        with g.as_default():
            it = registry.make1(
                "IteratorFromStringHandleV2", [h], _attrs(structure), "IteratorFromStringHandleV2"
            )
        return Iterator(it, structure, None)

    # -- ops ------------------------------------------------------------------------------------
    @property
    def initializer(self) -> Operation:
        if self._initializer is None:
            raise ValueError(
                "The iterator does not have an initializer. This means it was likely created "
                "using `tf.data.Dataset.make_one_shot_iterator()`. For an initializable "
                "iterator, use `tf.data.Dataset.make_initializable_iterator()` instead."
            )
        return self._initializer

    def make_initializer(self, dataset: Dataset, name: str | None = None) -> Operation:
        """An op that starts this iterator over ``dataset``."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"make_initializer expects a tf.data.Dataset, got {dataset!r}.")
        mine, theirs = nest.flatten(self._structure), nest.flatten(dataset._structure)
        want_types = nest.types_of(self._structure)
        got_types = nest.types_of(dataset._structure)
        if not _same_structure(self._structure, dataset._structure):
            raise ValueError(
                "The two structures don't have the same nested structure.\n\nFirst structure: "
                f"{nest.text(want_types)}\n\nSecond structure: {nest.text(got_types)}"
            )
        if any(a.dtype != b.dtype for a, b in zip(mine, theirs)):
            raise TypeError(
                f"Expected output types {nest.text(want_types)} but got dataset with output "
                f"types {nest.text(got_types)}."
            )
        for a, b in zip(mine, theirs):
            if not a.shape.is_compatible_with(b.shape):
                raise TypeError(
                    f"Expected output shapes compatible with "
                    f"{nest.text(nest.shapes_of(self._structure))} but got dataset with output "
                    f"shapes {nest.text(nest.shapes_of(dataset._structure))}."
                )
        g = self._iterator_resource.graph
        with g.as_default():
            return registry.make(
                "MakeIterator",
                [dataset._variant_tensor, self._iterator_resource],
                {},
                name or "make_initializer",
            )

    def get_next(self, name: str | None = None) -> Any:
        """The next element, as a tensor or a tuple/dict of tensors (``IteratorGetNext``)."""
        self._get_next_calls += 1
        if self._get_next_calls > GET_NEXT_CALL_WARNING_THRESHOLD:
            warnings.warn(GET_NEXT_CALL_WARNING_MESSAGE, stacklevel=2)
        g = self._iterator_resource.graph
        with g.as_default():
            op = registry.make(
                "IteratorGetNext",
                [self._iterator_resource],
                _attrs(self._structure),
                name or "IteratorGetNext",
            )
        return nest.pack(self._structure, list(op.outputs))

    def string_handle(self, name: str | None = None) -> Tensor:
        return self._string_handle

    # -- what an element is -------------------------------------------------------------------
    @property
    def output_types(self) -> Any:
        return nest.types_of(self._structure)

    @property
    def output_shapes(self) -> Any:
        return nest.shapes_of(self._structure)

    @property
    def output_classes(self) -> Any:
        return nest.map_structure(lambda s: Tensor, self._structure)

    @property
    def element_spec(self) -> Any:
        return self._structure


# as TensorFlow 1.x: many get_next() calls usually mean one per training step, a graph that grows
GET_NEXT_CALL_WARNING_THRESHOLD = 32
GET_NEXT_CALL_WARNING_MESSAGE = (
    "An unusually high number of `Iterator.get_next()` calls was detected. This often indicates "
    "that `Iterator.get_next()` is being called inside a training loop, which will cause gradual "
    "slowdown and eventual resource exhaustion. If this is the case, restructure your code to "
    "call `next_element = iterator.get_next()` once outside the loop, and use `next_element` as "
    "the input to some computation that is invoked inside the loop."
)


def _placeholder_in(t: Tensor) -> Operation | None:
    """A placeholder the dataset ``t`` is computed from, if any."""
    seen: set[Operation] = set()
    stack = [t.op]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == "Placeholder":
            return op
        stack.extend(i.op for i in op.inputs)
    return None


def _same_structure(a: Any, b: Any) -> bool:
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict)
            and isinstance(b, dict)
            and sorted(a) == sorted(b)
            and all(_same_structure(a[k], b[k]) for k in a)
        )
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and len(a) == len(b)
            and all(_same_structure(x, y) for x, y in zip(a, b))
        )
    return True


def _structure(output_types: Any, output_shapes: Any) -> Any:
    types = nest.map_structure(lambda t: dtypes.as_dtype(t), output_types)
    if output_shapes is None:
        shapes = nest.map_structure(lambda t: TensorShape(None), types)
    else:
        shapes = nest.pack(types, [TensorShape(s) for s in _shape_leaves(output_shapes)])
    return nest.pack(types, [Spec(t, s) for t, s in zip(nest.flatten(types), nest.flatten(shapes))])


def _iterator_op(structure: Any, shared_name: Any) -> Tensor:
    attrs = {**_attrs(structure), "container": "", "shared_name": shared_name or ""}
    return registry.make1("IteratorV2", [], attrs, "IteratorV2")


def _shape_leaves(shapes: Any) -> list[Any]:
    """The leaves of a structure of shapes, where a list of ints is one shape, not a structure."""
    if isinstance(shapes, dict):
        return [leaf for k in sorted(shapes) for leaf in _shape_leaves(shapes[k])]
    if isinstance(shapes, tuple) and not all(isinstance(d, (int, type(None))) for d in shapes):
        return [leaf for item in shapes for leaf in _shape_leaves(item)]
    return [shapes]


def make_one_shot_iterator(dataset: Dataset) -> Iterator:
    """``tf.data.make_one_shot_iterator(dataset)`` (TensorFlow 1.x's function form)."""
    return dataset.make_one_shot_iterator()


def make_initializable_iterator(dataset: Dataset, shared_name: Any = None) -> Iterator:
    """``tf.data.make_initializable_iterator(dataset)``."""
    return dataset.make_initializable_iterator(shared_name)


def get_output_types(x: Any) -> Any:
    return x.output_types


def get_output_shapes(x: Any) -> Any:
    return x.output_shapes


def get_output_classes(x: Any) -> Any:
    return x.output_classes
