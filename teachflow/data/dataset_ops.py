"""``tf.data.Dataset``: input pipelines as graph ops (TensorFlow 1.x's ``DatasetV1``).

Each transformation adds one dataset op (``TensorSliceDataset``, ``MapDataset``,
``BatchDatasetV2``...) whose value, in a session, is a recipe for iterating the elements; an
iterator (:mod:`teachflow.data.iterator_ops`) walks it, one ``get_next`` per ``sess.run``.

>>> import teachflow as tf
>>> ds = tf.data.Dataset.from_tensor_slices([1, 2, 3, 4, 5]).map(lambda x: x * 10).batch(2)
>>> nxt = ds.make_one_shot_iterator().get_next()
>>> with tf.Session() as sess:
...     print(sess.run(nxt), sess.run(nxt), sess.run(nxt))
[10 20] [30 40] [50]
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.data import structure as nest
from teachflow.data.structure import Spec
from teachflow.graph import Graph, Operation, Tensor, get_default_graph
from teachflow.ops import registry
from teachflow.ops.handles import variant
from teachflow.tensor_shape import TensorShape

Element = list[np.ndarray]


class DatasetValue:
    """A dataset op's value in a session: iterating it yields elements (lists of arrays)."""

    __slots__ = ("kind", "make")

    def __init__(self, kind: str, make: Callable[[], Iterator[Element]]) -> None:
        self.kind = kind
        self.make = make

    def __iter__(self) -> Iterator[Element]:
        return self.make()

    def __repr__(self) -> str:
        return f"<{self.kind}: a dataset, iterated by an iterator's get_next>"


def _dataset_infer(op: Operation) -> list[tuple[dtypes.DType, TensorShape]]:
    return [(variant, TensorShape([]))]


def _define(op_type: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    # stateful: a dataset is made afresh each run (a re-initialized iterator starts over,
    # a seeded shuffle repeats its order), never remembered between runs
    return registry.define(op_type, infer=_dataset_infer, ctx=True, stateful=True)


def _int(x: Any) -> int:
    return int(np.asarray(x))


@_define("TensorSliceDataset")
def _tensor_slice_kernel(ctx: registry.KernelContext, *components: Any) -> DatasetValue:
    """f(c1..cn) = the elements (c1[i], ..., cn[i]) for each row i"""
    comps = [np.asarray(c) for c in components]
    n = comps[0].shape[0] if comps[0].ndim else 0
    for c in comps[1:]:
        if c.shape[0] != n:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Dimensions {n} and {c.shape[0]} are not compatible",
                "every component of from_tensor_slices needs the same number of rows.",
            )

    def elements() -> Iterator[Element]:
        for i in range(n):
            yield [c[i].copy() for c in comps]

    return DatasetValue("TensorSliceDataset", elements)


@_define("TensorDataset")
def _tensor_kernel(ctx: registry.KernelContext, *components: Any) -> DatasetValue:
    """f(c1..cn) = the one element (c1, ..., cn)"""
    comps = [np.array(c, copy=True) for c in components]
    return DatasetValue("TensorDataset", lambda: iter([[c.copy() for c in comps]]))


@_define("RangeDataset")
def _range_kernel(ctx: registry.KernelContext, start: Any, stop: Any, step: Any) -> DatasetValue:
    """f(start, stop, step) = start, start + step, ... (before stop)"""
    a, b, s = _int(start), _int(stop), _int(step)
    if s == 0:
        raise errors.InvalidArgumentError(
            None, None, "step must be a non-zero integer.", "give Dataset.range a non-zero step."
        )
    dt = ctx.attrs["output_types"][0].np

    def elements() -> Iterator[Element]:
        for i in range(a, b, s):
            yield [np.array(i, dtype=dt)]

    return DatasetValue("RangeDataset", elements)


@_define("ZipDataset")
def _zip_kernel(ctx: registry.KernelContext, *datasets: DatasetValue) -> DatasetValue:
    """f(d1..dn) = (d1[i], ..., dn[i]) until the shortest ends"""

    def elements() -> Iterator[Element]:
        for parts in zip(*datasets):
            yield [x for p in parts for x in p]

    return DatasetValue("ZipDataset", elements)


@_define("BatchDatasetV2")
def _batch_kernel(
    ctx: registry.KernelContext, ds: DatasetValue, batch_size: Any, drop_remainder: Any
) -> DatasetValue:
    """f(d, n) = the elements of d stacked n at a time (the last batch may be smaller)"""
    n, drop = _int(batch_size), bool(np.asarray(drop_remainder))
    if n <= 0:
        raise errors.InvalidArgumentError(
            None, None, "Batch size must be greater than zero.", "pass batch(n) with n >= 1."
        )

    def elements() -> Iterator[Element]:
        it = iter(ds)
        while True:
            chunk = list(itertools.islice(it, n))
            if not chunk or (drop and len(chunk) < n):
                return
            yield [_stack(j, [e[j] for e in chunk]) for j in range(len(chunk[0]))]

    return DatasetValue("BatchDatasetV2", elements)


def _stack(component: int, values: list[np.ndarray]) -> np.ndarray:
    first = values[0].shape
    for k, v in enumerate(values):
        if v.shape != first:
            raise errors.InvalidArgumentError(
                None,
                None,
                f"Cannot batch tensors with different shapes in component {component}. First "
                f"element had shape {list(first)} and element {k} had shape {list(v.shape)}.",
                "make every element the same shape before batch() (e.g. reshape or pad in map).",
            )
    return np.stack(values)


@_define("ShuffleDataset")
def _shuffle_kernel(
    ctx: registry.KernelContext, ds: DatasetValue, buffer_size: Any, seed: Any, seed2: Any
) -> DatasetValue:
    """f(d) = the elements of d drawn at random from a buffer of buffer_size"""
    size = _int(buffer_size)
    if size <= 0:
        raise errors.InvalidArgumentError(
            None, None, "buffer_size must be greater than zero.", "pass shuffle(n) with n >= 1."
        )
    s1, s2 = _int(seed), _int(seed2)
    seeds = None if s1 == s2 == 0 else [s1, s2]
    # each pass (each repeat() epoch) draws its order from this generator; a re-run of the op
    # (re-initializing the iterator) starts it over, so a seeded shuffle repeats its orders
    master = np.random.default_rng(seeds)
    fixed = int(master.integers(2**63))
    reshuffle = ctx.attrs.get("reshuffle_each_iteration", True)

    def elements() -> Iterator[Element]:
        rng = np.random.default_rng(int(master.integers(2**63)) if reshuffle else fixed)
        it = iter(ds)
        buf = list(itertools.islice(it, size))
        while buf:
            k = int(rng.integers(len(buf)))
            out = buf[k]
            nxt = next(it, None)
            if nxt is None:
                buf[k] = buf[-1]
                buf.pop()
            else:
                buf[k] = nxt
            yield out

    return DatasetValue("ShuffleDataset", elements)


@_define("RepeatDataset")
def _repeat_kernel(ctx: registry.KernelContext, ds: DatasetValue, count: Any) -> DatasetValue:
    """f(d, n) = d's elements n times over (forever when n = -1)"""
    n = _int(count)

    def elements() -> Iterator[Element]:
        done = 0
        while n < 0 or done < n:
            empty = True
            for e in ds:
                empty = False
                yield e
            done += 1
            if empty:
                return

    return DatasetValue("RepeatDataset", elements)


@_define("TakeDataset")
def _take_kernel(ctx: registry.KernelContext, ds: DatasetValue, count: Any) -> DatasetValue:
    """f(d, n) = the first n elements of d (all when n = -1)"""
    n = _int(count)
    return DatasetValue("TakeDataset", lambda: iter(ds) if n < 0 else itertools.islice(iter(ds), n))


@_define("SkipDataset")
def _skip_kernel(ctx: registry.KernelContext, ds: DatasetValue, count: Any) -> DatasetValue:
    """f(d, n) = d without its first n elements (none left when n = -1)"""
    n = _int(count)

    def elements() -> Iterator[Element]:
        it = iter(ds)
        if n < 0:
            for _ in it:
                pass
            return
        yield from itertools.islice(it, n, None)

    return DatasetValue("SkipDataset", elements)


@_define("PrefetchDataset")
def _prefetch_kernel(
    ctx: registry.KernelContext, ds: DatasetValue, buffer_size: Any
) -> DatasetValue:
    """f(d) = d (TensorFlow prepares elements ahead on other threads; here it is a no-op)"""
    return ds


@_define("CacheDataset")
def _cache_kernel(ctx: registry.KernelContext, ds: DatasetValue, filename: Any) -> DatasetValue:
    """f(d) = d's elements, computed on the first pass and replayed after it"""
    seen: list[Element] = []
    complete = [False]

    def elements() -> Iterator[Element]:
        if complete[0]:
            yield from ([a.copy() for a in e] for e in seen)
            return
        seen.clear()
        for e in ds:
            seen.append([a.copy() for a in e])
            yield e
        complete[0] = True

    return DatasetValue("CacheDataset", elements)


@_define("MapDataset")
def _map_kernel(ctx: registry.KernelContext, ds: DatasetValue) -> DatasetValue:
    """f(d) = fn(e) for each element e of d"""
    fn: Function = ctx.attrs["f"]
    state = ctx.state

    def elements() -> Iterator[Element]:
        for e in ds:
            yield fn.call(state, e)

    return DatasetValue("MapDataset", elements)


@_define("FilterDataset")
def _filter_kernel(ctx: registry.KernelContext, ds: DatasetValue) -> DatasetValue:
    """f(d) = the elements e of d with predicate(e) true"""
    fn: Function = ctx.attrs["predicate"]
    state = ctx.state

    def elements() -> Iterator[Element]:
        for e in ds:
            if bool(fn.call(state, e)[0]):
                yield e

    return DatasetValue("FilterDataset", elements)


# -- functions (map, filter) -------------------------------------------------------------------


class Function:
    """A Python function traced once into a graph of its own (TensorFlow's dataset function):
    one placeholder ``args_i`` per component of the element, run by a plan in the session."""

    def __init__(self, fn: Callable[..., Any], structure: Any, what: str) -> None:
        outer = get_default_graph()
        self.graph = Graph()
        self.graph.seed = outer.seed
        with self.graph.as_default():
            from teachflow.ops.array_ops import placeholder

            specs = nest.flatten(structure)
            self.inputs = [
                placeholder(s.dtype, s.shape, name=f"args_{i}") for i, s in enumerate(specs)
            ]
            args = nest.pack(structure, self.inputs)
            unpack = type(args) is tuple
            out = fn(*args) if unpack else fn(args)
            out = _lists_to_tuples(out)
            if out is None:
                raise TypeError(
                    f"The function passed to Dataset.{what} returned None.\n  Hint: return the "
                    "new element (a tensor, a tuple or a dict of tensors)."
                )
            from teachflow.ops.constant_op import convert_to_tensor

            out = nest.map_structure(convert_to_tensor, out)
        self.outputs: list[Tensor] = nest.flatten(out)
        self.structure = nest.map_structure(lambda t: Spec(t.dtype, t.shape), out)
        self.name = f"__inference_Dataset_{what}_{getattr(fn, '__name__', 'fn')}_{id(self)}"
        self._plans: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def fill_attr_value(self, av: Any) -> None:
        """Exported as TensorFlow's ``func`` attr: the name (the function's body is not
        exported, so an exported graph with a map is for TensorBoard, not for re-import)."""
        av.func.name = self.name.replace("<", "").replace(">", "")

    def call(self, state: Any, element: Element) -> Element:
        from teachflow.execution import Execution, Plan

        plan = self._plans.get(state)
        if plan is None:
            plan = self._plans[state] = Plan(self.outputs, [], self.inputs, state)
        results = Execution(plan, element)._finish(release=True)
        return [np.asarray(r) for r in results]


def _lists_to_tuples(x: Any) -> Any:
    if isinstance(x, list):
        return tuple(_lists_to_tuples(v) for v in x)
    if isinstance(x, dict):
        return {k: _lists_to_tuples(v) for k, v in x.items()}
    if type(x) is tuple:
        return tuple(_lists_to_tuples(v) for v in x)
    return x


# -- the Python API ----------------------------------------------------------------------------


def _attrs(structure: Any) -> dict[str, Any]:
    specs = nest.flatten(structure)
    return {
        "output_types": [s.dtype for s in specs],
        "output_shapes": [s.shape for s in specs],
    }


def _int64(value: Any, name: str) -> Tensor:
    from teachflow.ops.constant_op import convert_to_tensor

    return convert_to_tensor(value, dtype=dtypes.int64, name=name)


class Dataset:
    """A sequence of elements, each a tensor or a tuple/dict of tensors (``tf.data.Dataset``)."""

    def __init__(self, variant_tensor: Tensor, structure: Any) -> None:
        self._variant_tensor = variant_tensor
        self._structure = structure

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

    def __repr__(self) -> str:
        shapes, types = nest.text(self.output_shapes), nest.text(self.output_types)
        return f"<DatasetV1Adapter shapes: {shapes}, types: {types}>"

    def __iter__(self) -> Any:
        raise RuntimeError(
            "__iter__() is only supported inside of tf.function or when eager execution is "
            "enabled.\n  Hint: make an iterator (dataset.make_one_shot_iterator()) and run its "
            "get_next() with sess.run."
        )

    def _op(self, op_type: str, inputs: list[Tensor], structure: Any, **attrs: Any) -> Dataset:
        g = self._variant_tensor.graph
        with g.as_default():
            t = registry.make1(op_type, inputs, {**_attrs(structure), **attrs}, op_type)
        return Dataset(t, structure)

    # -- sources --------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors: Any) -> Dataset:
        """One element per row of ``tensors`` (a tensor, or a tuple/dict of them)."""
        comps, structure = _components(tensors)
        for c in comps:
            if c.shape.ndims == 0:
                raise ValueError(
                    f"Unbatching a tensor is only supported for rank >= 1, got {c}.\n  Hint: "
                    "from_tensor_slices splits along the first axis; use from_tensors for one "
                    "element."
                )
        rows: int | None = None
        for c in comps:  # every component needs as many rows
            n = c.shape[0].value if c.shape.ndims else None
            if rows is not None and n is not None and n != rows:
                raise ValueError(
                    f"Dimensions {rows} and {n} are not compatible\n  Hint: every component of "
                    "from_tensor_slices needs the same number of rows (first dimension)."
                )
            rows = n if rows is None else rows
        structure = nest.map_structure(lambda s: Spec(s.dtype, s.shape[1:]), structure)
        return _source("TensorSliceDataset", comps, structure, Toutput_types=True)

    @staticmethod
    def from_tensors(tensors: Any) -> Dataset:
        """A dataset of one element: ``tensors``."""
        comps, structure = _components(tensors)
        return _source("TensorDataset", comps, structure, Toutput_types=True)

    @staticmethod
    def range(*args: Any, output_type: Any = dtypes.int64) -> Dataset:
        """``range(stop)``, ``range(start, stop[, step])``: the integers, as Python's range."""
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Invalid arguments to range: expected 1 to 3, got {len(args)}")
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
        g = get_default_graph()
        with g.as_default():
            ins = [_int64(start, "start"), _int64(stop, "stop"), _int64(step, "step")]
        structure = Spec(dtypes.as_dtype(output_type), [])
        return _source("RangeDataset", ins, structure)

    @staticmethod
    def zip(datasets: Any) -> Dataset:
        """Elements paired up: ``zip((a, b))`` gives ``(a_i, b_i)`` until the shorter ends."""
        flat = nest.flatten(datasets)
        for d in flat:
            if not isinstance(d, Dataset):
                raise TypeError(
                    f"The argument to `Dataset.zip()` must be a (nested) structure of "
                    f"`Dataset` objects, got {d!r}."
                )
        structure = nest.pack(datasets, [d._structure for d in flat])
        return _source("ZipDataset", [d._variant_tensor for d in flat], structure, N=len(flat))

    # -- transformations ------------------------------------------------------------------------
    def map(self, map_func: Callable[..., Any], num_parallel_calls: Any = None) -> Dataset:
        """``map_func`` applied to each element (a tuple element is passed as arguments)."""
        fn = Function(map_func, self._structure, "map")
        return self._op(
            "MapDataset",
            [self._variant_tensor],
            fn.structure,
            f=fn,
            Targuments=[],
            use_inter_op_parallelism=True,
            preserve_cardinality=False,
        )

    def filter(self, predicate: Callable[..., Any]) -> Dataset:
        """The elements for which ``predicate`` gives True (a scalar bool tensor)."""
        fn = Function(predicate, self._structure, "filter")
        spec = fn.structure
        if not isinstance(spec, Spec) or spec.dtype != dtypes.bool_ or spec.shape.ndims != 0:
            raise ValueError(
                "Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its "
                f"return type was {nest.text(nest.types_of(spec))}."
            )
        return self._op(
            "FilterDataset", [self._variant_tensor], self._structure, predicate=fn, Targuments=[]
        )

    def batch(self, batch_size: Any, drop_remainder: bool = False) -> Dataset:
        """Consecutive elements stacked ``batch_size`` at a time."""
        from teachflow.ops.constant_op import convert_to_tensor

        g = self._variant_tensor.graph
        with g.as_default():
            n = _int64(batch_size, "batch_size")
            drop = convert_to_tensor(drop_remainder, dtype=dtypes.bool_, name="drop_remainder")
        known = registry.constant_value(n)
        dropping = registry.constant_value(drop)
        dim = int(known) if known is not None and dropping is not None and bool(dropping) else None
        structure = nest.map_structure(
            lambda s: Spec(s.dtype, TensorShape([dim]).concatenate(s.shape)), self._structure
        )
        return self._op(
            "BatchDatasetV2", [self._variant_tensor, n, drop], structure, parallel_copy=False
        )

    def shuffle(
        self, buffer_size: Any, seed: Any = None, reshuffle_each_iteration: Any = None
    ) -> Dataset:
        """Elements in a random order, drawn from a buffer of ``buffer_size`` elements.

        Seeded (``seed=`` or ``tf.set_random_seed``) orders repeat from run to run, but are not
        TensorFlow's orders (its generator is not numpy's).
        """
        g = self._variant_tensor.graph
        with g.as_default():
            size = _int64(buffer_size, "buffer_size")
            s1, s2 = _seed_tensors(seed)
            ins = [self._variant_tensor, size, s1, s2]
        again = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        return self._op("ShuffleDataset", ins, self._structure, reshuffle_each_iteration=again)

    def repeat(self, count: Any = None) -> Dataset:
        """The elements ``count`` times over (forever when None or -1)."""
        g = self._variant_tensor.graph
        with g.as_default():
            n = _int64(-1 if count is None else count, "count")
        return self._op("RepeatDataset", [self._variant_tensor, n], self._structure)

    def take(self, count: Any) -> Dataset:
        """The first ``count`` elements (all when -1)."""
        g = self._variant_tensor.graph
        with g.as_default():
            n = _int64(count, "count")
        return self._op("TakeDataset", [self._variant_tensor, n], self._structure)

    def skip(self, count: Any) -> Dataset:
        """All but the first ``count`` elements (none when -1)."""
        g = self._variant_tensor.graph
        with g.as_default():
            n = _int64(count, "count")
        return self._op("SkipDataset", [self._variant_tensor, n], self._structure)

    def prefetch(self, buffer_size: Any) -> Dataset:
        """The same elements (TensorFlow prepares them ahead; teachflow has nothing to gain)."""
        g = self._variant_tensor.graph
        with g.as_default():
            n = _int64(buffer_size, "buffer_size")
        return self._op("PrefetchDataset", [self._variant_tensor, n], self._structure)

    def cache(self, filename: str = "") -> Dataset:
        """The same elements, kept in memory after the first pass (so a shuffle before the cache
        is done once). Only the in-memory cache: ``filename`` must be empty."""
        if filename:
            from teachflow.unsupported import UnsupportedFeatureError

            raise UnsupportedFeatureError(
                "teachflow does not implement Dataset.cache(filename) (TensorFlow 1.x has it). "
                "Hint: use .cache() to keep the elements in memory."
            )
        from teachflow.ops.constant_op import convert_to_tensor

        g = self._variant_tensor.graph
        with g.as_default():
            name = convert_to_tensor(filename, dtype=dtypes.string, name="filename")
        return self._op("CacheDataset", [self._variant_tensor, name], self._structure)

    def __getattr__(self, name: str) -> Any:
        if name in _NOT_IMPLEMENTED:
            from teachflow.unsupported import UnsupportedFeatureError

            raise UnsupportedFeatureError(
                f"teachflow does not implement Dataset.{name} (TensorFlow 1.x has it). Hint: "
                "prepare the data with numpy and use from_tensor_slices, map, batch, shuffle."
            )
        raise AttributeError(f"'DatasetV1Adapter' object has no attribute '{name}'")

    # -- iterators ------------------------------------------------------------------------------
    def make_one_shot_iterator(self) -> Any:
        """An iterator that needs no initializer; it goes through the dataset once."""
        from teachflow.data.iterator_ops import Iterator

        return Iterator._one_shot(self)

    def make_initializable_iterator(self, shared_name: Any = None) -> Any:
        """An iterator to start (and restart) with ``sess.run(iterator.initializer)``."""
        from teachflow.data.iterator_ops import Iterator

        return Iterator._initializable(self, shared_name)


def _seed_tensors(seed: Any) -> tuple[Tensor, Tensor]:
    """The (seed, seed2) tensors of a dataset op, built as TensorFlow builds them: a seed pair
    of (0, 0) means "unseeded", so a real (0, 0) becomes (0, 2**31 - 1)."""
    from teachflow.ops.random_ops import get_seed

    s1, s2 = get_seed(seed)
    seed_t = _int64(0 if s1 is None else s1, "seed")
    if s2 is None:
        return seed_t, _int64(0, "seed2")
    from teachflow import math as tf_math
    from teachflow.ops.constant_op import constant
    from teachflow.ops.where_ops import where_v2

    g = get_default_graph()
    with g.name_scope("seed2") as scope:
        raw = _int64(s2, "Const")
        both_zero = tf_math.logical_and(tf_math.equal(seed_t, 0), tf_math.equal(raw, 0))
        big = constant(2**31 - 1, dtype=dtypes.int64)
        return seed_t, where_v2(both_zero, big, raw, name=scope)


def _components(tensors: Any) -> tuple[list[Tensor], Any]:
    """The user's (nested) value as tensors ``normalize_element/component_i``, and its specs."""
    from teachflow.ops.constant_op import convert_to_tensor

    if isinstance(tensors, Dataset):
        raise TypeError("from_tensor_slices expects tensors, not a Dataset.")
    value = tensors  # a list inside is a value (one tensor), as in TensorFlow
    flat = nest.flatten(value)
    g = registry.graph_for(flat)
    with g.as_default(), g.name_scope("normalize_element"):
        comps = [convert_to_tensor(v, name=f"component_{i}") for i, v in enumerate(flat)]
    structure = nest.pack(value, [Spec(c.dtype, c.shape) for c in comps])
    return comps, structure


def _source(
    op_type: str, inputs: list[Tensor], structure: Any, Toutput_types: bool = False, **extra: Any
) -> Dataset:
    g = registry.graph_for(inputs)
    attrs = {**_attrs(structure), **extra}
    if Toutput_types:  # TensorSliceDataset and TensorDataset name their types attr so
        attrs["Toutput_types"] = attrs.pop("output_types")
    with g.as_default():
        t = registry.make1(op_type, inputs, attrs, op_type)
    return Dataset(t, structure)


_NOT_IMPLEMENTED = frozenset(
    """padded_batch flat_map interleave shard window apply unbatch reduce concatenate
    list_files with_options options enumerate""".split()
)

# TensorFlow 1.x's class names for the same thing
DatasetV1 = Dataset
