"""``Session``: runs (parts of) a graph and holds the variable values.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32)
>>> y = x * 2.0
>>> with tf.Session() as sess:
...     print(sess.run([y], feed_dict={x: [7.0]}))
[array([14.], dtype=float32)]
"""

from __future__ import annotations

import _signal
import contextlib
import reprlib
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from teachflow import dtypes, errors
from teachflow.execution import Execution, Plan
from teachflow.graph import Graph, Operation, Tensor, _DefaultStack, get_default_graph
from teachflow.state import SessionState
from teachflow.step_stats import Message as _Message
from teachflow.step_stats import RunMetadata as RunMetadata  # tf.RunMetadata
from teachflow.step_stats import RunOptions as RunOptions  # tf.RunOptions
from teachflow.step_stats import Tracer, is_traced


class _SessionStack(_DefaultStack):
    def get_default(self) -> Any:
        return self.stack[-1] if self.stack else None


_default_session_stack = _SessionStack()


def get_default_session() -> Any:
    """The innermost session entered with ``with sess:`` / ``as_default()``, or None."""
    return _default_session_stack.get_default()


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


class _Fetches:
    """Flattens any nesting of fetches to graph elements, and rebuilds results in that shape."""

    def __init__(self, graph: Graph, fetches: Any) -> None:
        self.graph = graph
        self.tensors: list[Tensor] = []
        self.targets: list[Operation] = []
        self._index: dict[Any, int] = {}
        self.build = self._walk(fetches)

    def _leaf(self, fetch: Any) -> Callable[[list[Any]], Any]:
        if fetch is None or isinstance(fetch, (int, float, bool, np.ndarray, np.generic, bytes)):
            extra = "" if fetch is None else ", must be a string or Tensor. "
            extra += (
                ""
                if fetch is None
                else f"(Can not convert a {type(fetch).__name__} into a Tensor or Operation.)"
            )
            raise TypeError(
                f"Fetch argument {fetch!r} has invalid type {type(fetch)}{extra}\n  Hint: "
                + (
                    "a value you fetch is None: did a function return None instead of a tensor?"
                    if fetch is None
                    else _FETCH_HINT
                )
            )
        try:
            el = self.graph.as_graph_element(fetch, allow_tensor=True, allow_operation=True)
        except TypeError as e:
            raise TypeError(
                f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must be a string or "
                f"Tensor. ({e})\n  Hint: {_FETCH_HINT}"
            ) from None
        except (ValueError, KeyError) as e:
            # TensorFlow formats the KeyError with str(), which quotes the message.
            msg = str(e) if isinstance(e, KeyError) else e.args[0] if e.args else str(e)
            raise ValueError(
                f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. ({msg})\n"
                f"  Hint: {_element_hint(msg)}"
            ) from None
        if isinstance(el, Operation):
            if el not in self.targets:
                self.targets.append(el)
            return lambda vals: None
        if el not in self._index:
            self._index[el] = len(self.tensors)
            self.tensors.append(el)
        i = self._index[el]
        return lambda vals: vals[i]

    def _walk(self, fetch: Any) -> Callable[[list[Any]], Any]:
        if hasattr(fetch, "_fetch_parts"):  # composite values (tf.IndexedSlices)
            parts, rebuild = fetch._fetch_parts()
            part_subs = [self._walk(p) for p in parts]
            return lambda vals: rebuild([s(vals) for s in part_subs])
        if isinstance(fetch, (list, tuple)) and not hasattr(fetch, "_as_graph_element"):
            subs = [self._walk(f) for f in fetch]
            if _is_namedtuple(fetch):
                cls = type(fetch)
                return lambda vals: cls(*[s(vals) for s in subs])
            ctor = type(fetch)
            return lambda vals: ctor([s(vals) for s in subs])
        if isinstance(fetch, Mapping):
            keys = list(fetch.keys())
            subs = [self._walk(fetch[k]) for k in keys]
            mtype: Any = type(fetch)

            def rebuild(vals: list[Any]) -> Any:
                items = [(k, s(vals)) for k, s in zip(keys, subs)]
                try:
                    return mtype(items)
                except TypeError:
                    return dict(items)

            return rebuild
        return self._leaf(fetch)


_FETCH_HINT = (
    "fetch a Tensor, an Operation, a Variable, a name like 'y:0', or lists and dicts of them."
)


def _element_hint(msg: str) -> str:
    """What to do about a name or tensor the graph does not have."""
    if "not an element of this graph" in msg:
        return (
            "it was built in another graph. Build everything inside one `with g.as_default():` "
            "and open tf.Session(graph=g), or check for a tf.reset_default_graph() in between."
        )
    return (
        "tensor names are '<op name>:<output index>' like 'add:0'; list the ops with "
        "[op.name for op in sess.graph.get_operations()]."
    )


class BaseSession:
    """The parts shared by :class:`Session` and :class:`InteractiveSession`."""

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None):
        if graph is not None and not isinstance(graph, Graph):
            raise TypeError(
                f'Argument `graph` must be a tf.Graph, but got "{type(graph).__name__}"\n'
                "  Hint: pass the graph itself, e.g. tf.Session(graph=g) with g = tf.Graph()."
            )
        if not isinstance(target, (str, bytes)):
            raise TypeError(
                f'Argument `target` must be a string, but got "{type(target).__name__}"\n'
                "  Hint: teachflow runs in this process; leave target out (or pass '')."
            )
        if config is not None and type(config).__name__ != "ConfigProto":
            raise TypeError(
                f'Argument `config` must be a tf.ConfigProto, but got "{type(config).__name__}"'
                "\n  Hint: leave config out; teachflow has no session options."
            )
        self._graph = graph if graph is not None else get_default_graph()
        self._closed = False
        self._state = SessionState()
        self._plans: dict[Any, Plan] = {}
        self._entered = False
        self._ctx: list[Any] = []
        self._lock = threading.Lock()
        # tools watching every run (tf.debug.watch_non_finite): each gets .attach(execution)
        self._run_observers: list[Any] = []

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def graph_def(self) -> Any:
        return self._graph.as_graph_def()

    @property
    def sess_str(self) -> bytes:
        return b""

    @property
    def state(self) -> SessionState:
        """This session's variable values (by variable name) and random generators."""
        return self._state

    # -- running -------------------------------------------------------------------------
    def run(
        self, fetches: Any, feed_dict: Any = None, options: Any = None, run_metadata: Any = None
    ) -> Any:
        """Runs the ops needed for ``fetches`` and returns their values, shaped like ``fetches``.

        Args:
          fetches: a Tensor, Operation, Variable, name ("x:0", "init"), or any nesting of
            lists/tuples/namedtuples/dicts of them.
          feed_dict: {tensor or "name:0": value} overriding tensors' values for this run.
          options: a ``tf.RunOptions``; ``trace_level=tf.RunOptions.FULL_TRACE`` times the run.
          run_metadata: a ``tf.RunMetadata`` that a traced run fills with ``step_stats``.
        """
        execution = self.stepper(fetches, feed_dict)
        tracer = None
        if run_metadata is not None and is_traced(options):
            _check_run_metadata(run_metadata)
            # a traced run steps op by op (the interpreted path) so that each op is timed
            tracer = Tracer()
            execution.observers.append(tracer)
        for watcher in self._run_observers:
            watcher.attach(execution)
        previous = _hold_interrupts()
        try:
            result = execution._run_silently()
            if tracer is not None:
                stats = tracer.step_stats()
                if hasattr(run_metadata.step_stats, "CopyFrom"):  # a protobuf RunMetadata
                    run_metadata.step_stats.CopyFrom(stats.to_proto())
                else:
                    run_metadata.step_stats = stats
            return result
        except Exception as e:
            if not self._closed:
                raise
            # closed by another thread while this run was going: its values are gone
            raise errors.CancelledError(
                None,
                None,
                "Run call was cancelled",
                "another thread closed this session during the run; close a session only "
                "after the runs using it have returned.",
            ) from e
        finally:
            if previous is not None:
                _release_interrupts(previous)

    def stepper(self, fetches: Any, feed_dict: Any = None) -> _SessionExecution:
        """An :class:`~teachflow.execution.Execution` of ``run(fetches, feed_dict)``, not started.

        Stepping it to the end (``.run_to_end()``) is exactly ``run``.
        """
        self._check_open()
        if not self._graph._ops_list:
            raise RuntimeError(
                "The Session graph is empty. Add operations to the graph before calling run()."
                "\n  Hint: a session runs the graph it was made with; ops built afterwards in "
                "another default graph are not in it (tf.Session(graph=g) picks the graph)."
            )
        spec = _Fetches(self._graph, fetches)
        feed_tensors, feed_arrays = self._feeds(feed_dict)
        key = (tuple(spec.tensors), tuple(spec.targets), tuple(feed_tensors))
        plan = self._plans.get(key)
        if plan is None:
            plan = Plan(spec.tensors, spec.targets, feed_tensors, self._state)
            self._plans[key] = plan
        feed_values = [_graph_value(t, a) for t, a in zip(feed_tensors, feed_arrays)]
        return _SessionExecution(
            plan, feed_values, _with_fed(spec, feed_tensors, feed_arrays), self
        )

    def _feeds(self, feed_dict: Any) -> tuple[list[Tensor], list[Any]]:
        if feed_dict is None:
            return [], []
        if not isinstance(feed_dict, Mapping):
            if isinstance(feed_dict, (list, tuple)) and not feed_dict:
                return [], []  # TensorFlow lets an empty list through
            raise TypeError(
                "FlattenDictItems: 'dict' must be a dictionary or collection.Mapping type "
                f"object, instead of '{type(feed_dict).__name__}'.\n  Hint: feed_dict maps "
                "tensors to values: sess.run(y, feed_dict={x: [1.0, 2.0]})."
            )
        tensors, values = [], []
        for key, val in feed_dict.items():
            t = self._feed_key(key)
            if isinstance(val, (Tensor, Operation)) or hasattr(val, "_as_tensor"):
                raise TypeError(
                    "The value of a feed cannot be a tf.Tensor object. Acceptable feed values "
                    "include Python scalars, strings, lists, numpy ndarrays, or TensorHandles. "
                    f"For reference, the tensor object was {val} which was passed to the "
                    f"feed with key {key}.\n  Hint: run it first "
                    "(sess.run(tensor)) and feed the resulting numpy value."
                )
            values.append(_feed_value(t, val))
            tensors.append(t)
        return tensors, values

    def _feed_key(self, key: Any) -> Tensor:
        try:
            el = self._graph.as_graph_element(key, allow_tensor=True, allow_operation=False)
        except (ValueError, KeyError, TypeError) as e:
            msg = e.args[0] if e.args else str(e)
            raise TypeError(
                f"Cannot interpret feed_dict key as Tensor: {msg}\n  Hint: {_element_hint(msg)}"
            ) from None
        # any tensor may be fed; feeding a variable's ref overrides its value for this run
        return el  # type: ignore[no-any-return]

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(
                "Attempted to use a closed Session.\n  Hint: `with tf.Session() as sess:` closes "
                "sess at the end of the block; run inside it, or open a new Session (its "
                "variables need initializing again)."
            )

    def make_callable(self, fetches: Any, feed_list: Any = None) -> Callable[..., Any]:
        """A function running ``fetches`` with positional feeds for ``feed_list``."""
        if feed_list is not None and not isinstance(feed_list, (list, tuple)):
            raise TypeError(
                f"feed_list must be a list of tensors, got {type(feed_list).__name__}.\n  "
                "Hint: sess.make_callable(y, feed_list=[x]) then call it with x's value."
            )
        # checked now, as in TensorFlow, rather than on the first call
        keys = [self._feed_key(k) for k in feed_list or []]

        def call(*args: Any) -> Any:
            return self.run(fetches, dict(zip(keys, args)))

        return call

    def partial_run_setup(self, fetches: Any, feeds: Any = None) -> Any:
        raise NotImplementedError("teachflow does not implement Session.partial_run_setup yet.")

    def list_devices(self) -> list[Any]:
        return []

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        """Frees the session's values; closing twice is fine."""
        self._closed = True
        self._state.variables.clear()
        self._state.changed()
        self._plans.clear()

    @contextlib.contextmanager
    def as_default(self) -> Iterator[BaseSession]:
        """Makes this the default session (for ``t.eval()``) and its graph the default graph."""
        with self._graph.as_default(), _default_session_stack.get_controller(self):
            yield self

    def __enter__(self) -> BaseSession:
        if self._entered:
            raise RuntimeError(
                "Session context managers are not re-entrant. Use `Session.as_default()` if you "
                "want to enter a session multiple times."
            )
        self._entered = True
        ctx = self.as_default()
        ctx.__enter__()
        self._ctx.append(ctx)
        return self

    def __exit__(self, *exc: Any) -> None:
        ctx = self._ctx.pop()
        ctx.__exit__(*exc)
        self._entered = False
        self.close()

    def __del__(self) -> None:
        try:
            self._closed = True
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def __reduce__(self) -> Any:
        raise TypeError("A Session cannot be pickled: its values live in this process.")


# Ctrl-C (SIGINT) during a run takes effect when the run has ended. A run is all or nothing
# for variables, as in TensorFlow (whose C++ run finishes before Python sees the interrupt): a
# run doing ``a += 1``, long work, then ``b += 1`` never stops between the two. Only the main
# thread receives signals; the previous handler is put back after the run and then handles
# the interrupt (KeyboardInterrupt, by default). ``_signal`` is the C module under ``signal``:
# the public wrappers convert handlers to enums, 10x the cost of the swap, on every run.
_MAIN_THREAD = threading.main_thread().ident
_held: list[Any] = []  # the frames interrupted while held (at most a few)
_holding = False


def _hold(signum: int, frame: Any) -> None:
    _held.append(frame)


def _hold_interrupts() -> Any:
    """Holds back Ctrl-C until :func:`_release_interrupts`; returns the previous handler (None
    when nothing is held: not the main thread, already held, or no Python handler)."""
    global _holding
    if _holding or threading.get_ident() != _MAIN_THREAD:
        return None
    previous = _signal.signal(signal.SIGINT, _hold)
    if not callable(previous):  # ignored, or a handler installed outside Python: leave it be
        _signal.signal(signal.SIGINT, previous)
        return None
    _holding = True
    return previous


def _release_interrupts(previous: Any) -> None:
    global _holding
    _signal.signal(signal.SIGINT, previous)
    _holding = False
    if _held:
        frame = _held[0]
        _held.clear()
        previous(signal.SIGINT, frame)


class _SessionExecution(Execution):
    """An execution that belongs to a session: stepping it after ``close()`` is an error."""

    def step(self) -> Any:
        self.session._check_open()
        return super().step()

    def run_to_end(self) -> Any:
        self.session._check_open()
        return super().run_to_end()

    def _run_silently(self) -> Any:
        # Session.run: nobody can ask for intermediate values afterwards, so they are freed early
        self.session._check_open()
        return self._finish(release=True)


def _feed_value(t: Tensor, val: Any) -> Any:
    """``val`` as a numpy array of ``t``'s dtype, with TensorFlow's checks (and error classes)."""
    dt = t.dtype.base_dtype
    if isinstance(val, int) and not isinstance(val, bool) and dt == dtypes.string:
        raise _int_feed_error(val, dt)
    try:
        if dt == dtypes.string:
            arr = np.asarray(val, dtype=object)
            if arr.dtype.kind in "U":
                arr = arr.astype(object)
        else:
            if dt.is_integer and _has_non_finite(val):
                raise ValueError(
                    f"Cannot feed {_short(val)} to Tensor '{t.name}' of dtype {dt.name}: NaN "
                    "and infinity have no integer value.\n  Hint: feed a float placeholder, or "
                    "replace them first (np.nan_to_num)."
                )
            with np.errstate(all="ignore"):
                arr = np.asarray(val, dtype=dt.np)
    except OverflowError:
        raise _int_feed_error(val, dt) from None
    except (ValueError, TypeError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        if first.startswith("Cannot feed"):
            raise
        raise type(e)(
            f"Cannot feed {_short(val)} to Tensor '{t.name}' of dtype {dt.name}: {first}\n"
            "  Hint: feed a number, a rectangular list or a numpy array of that dtype."
        ) from None
    if isinstance(val, int) and not isinstance(val, bool) and arr != val:
        raise _int_feed_error(val, dt)
    if not t.shape.is_compatible_with(arr.shape):
        raise ValueError(
            f"Cannot feed value of shape {arr.shape} for Tensor '{t.name}', which has shape "
            f"'{t.shape}'\n  Hint: {_shape_hint(t, arr.shape)}"
        )
    return arr


def _shape_hint(t: Tensor, fed: tuple[int, ...]) -> str:
    """The declared and the fed shape side by side, and what differs."""
    name = errors.user_name(t) or f"'{t.name}'"
    declared = t.shape.as_list()
    both = f"{name} is declared with shape {declared}; the value fed has shape {list(fed)}"
    if len(declared) != len(fed):
        target = [-1 if d is None else d for d in declared]
        return (
            f"{both}: rank {len(fed)} where rank {len(declared)} is declared; reshape the value, "
            f"e.g. np.reshape(value, {target})."
        )
    i = next(i for i, (d, f) in enumerate(zip(declared, fed)) if d is not None and d != f)
    return (
        f"{both}: dimension {i} must be {declared[i]}, not {fed[i]}; feed a value of the "
        "declared shape (declare that dimension None only if its size really varies)."
    )


def _with_fed(
    spec: _Fetches, feed_tensors: list[Tensor], feed_arrays: list[Any]
) -> Callable[[list[Any]], Any]:
    """``spec.build``, except that a fetched tensor that was fed gives back the fed array itself
    (as TensorFlow: ``sess.run(p, {p: 3.0})`` is ``array(3., dtype=float32)``, not a scalar)."""
    fed = dict(zip(feed_tensors, feed_arrays))
    swap = {i: fed[t] for i, t in enumerate(spec.tensors) if t in fed}
    if not swap:
        return spec.build

    def build(vals: list[Any]) -> Any:
        vals = list(vals)
        for i, arr in swap.items():
            vals[i] = arr
        return spec.build(vals)

    return build


def _graph_value(t: Tensor, arr: Any) -> Any:
    """A fed array as the graph holds it: strings become bytes (UTF-8), as in TensorFlow."""
    if t.dtype.base_dtype != dtypes.string or not isinstance(arr, np.ndarray):
        return arr
    flat = [v.encode() if isinstance(v, str) else v for v in arr.reshape(-1).tolist()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(arr.shape)


def _int_feed_error(val: Any, dt: dtypes.DType) -> TypeError:
    return TypeError(
        f"Type of feed value {_short(val)} with type {type(val)} is not compatible with Tensor "
        f"type {dt.np.type}. Try explicitly setting the type of the feed tensor to a larger "
        "type (e.g. int64)."
    )


def _has_non_finite(val: Any) -> bool:
    """Whether a float value (Python or numpy, possibly nested) holds NaN or infinity."""
    try:
        arr = np.asarray(val)
    except (ValueError, TypeError):
        return False
    return arr.dtype.kind in "fc" and not bool(np.isfinite(arr).all())


def _short(val: Any) -> str:
    try:
        text = repr(val)
    except RecursionError:  # a list nested thousands deep: repr only its first levels
        text = reprlib.repr(val)
    return text if len(text) <= 60 else text[:57] + "..."


class GPUOptions(_Message):
    """``tf.GPUOptions``: accepted; teachflow has no GPU."""

    _defaults = {
        "per_process_gpu_memory_fraction": 0.0,
        "allow_growth": False,
        "allocator_type": "",
        "deferred_deletion_bytes": 0,
        "visible_device_list": "",
        "polling_active_delay_usecs": 0,
        "polling_inactive_delay_msecs": 0,
        "force_gpu_compatible": False,
    }


class OptimizerOptions(_Message):
    """``tf.OptimizerOptions``: accepted; teachflow runs the graph as written."""

    ON_1, L1, L0, DEFAULT, OFF, ON_2 = 1, 0, -1, 0, -1, 2
    _defaults = {
        "do_common_subexpression_elimination": False,
        "do_constant_folding": False,
        "do_function_inlining": False,
        "opt_level": 0,
        "global_jit_level": 0,
        "max_folded_constant_in_bytes": 0,
    }


class GraphOptions(_Message):
    """``tf.GraphOptions``: accepted; teachflow runs the graph as written."""

    _defaults = {
        "enable_recv_scheduling": False,
        "optimizer_options": OptimizerOptions,
        "build_cost_model": 0,
        "build_cost_model_after": 0,
        "infer_shapes": False,
        "place_pruned_graph": False,
        "enable_bfloat16_sendrecv": False,
        "timeline_step": 0,
    }


class ConfigProto(_Message):
    """``tf.ConfigProto``: session settings, accepted and kept (teachflow uses one CPU thread).

    >>> import teachflow as tf
    >>> config = tf.ConfigProto(log_device_placement=True)
    >>> config.gpu_options.allow_growth = True
    >>> with tf.Session(config=config) as sess:
    ...     print(sess.run(tf.constant(1)))
    1
    """

    _defaults = {
        "device_count": dict,
        "intra_op_parallelism_threads": 0,
        "inter_op_parallelism_threads": 0,
        "use_per_session_threads": False,
        "placement_period": 0,
        "device_filters": list,
        "gpu_options": GPUOptions,
        "allow_soft_placement": False,
        "log_device_placement": False,
        "graph_options": GraphOptions,
        "operation_timeout_in_ms": 0,
        "isolate_session_state": False,
        "share_cluster_devices_in_session": False,
    }


def _check_run_metadata(run_metadata: Any) -> None:
    if not hasattr(run_metadata, "step_stats"):
        raise TypeError(
            f"run_metadata must be a tf.RunMetadata, got {type(run_metadata).__name__}.\n  Hint: "
            "meta = tf.RunMetadata(); sess.run(y, options=opts, run_metadata=meta)."
        )


class Session(BaseSession):
    """A session to run a graph; use it as a context manager to close it.

    Two sessions on one graph have separate variable values.
    """


class InteractiveSession(BaseSession):
    """A session that makes itself the default on creation (for ``t.eval()`` in notebooks)."""

    _active = 0

    def __init__(self, target: str = "", graph: Graph | None = None, config: Any = None):
        super().__init__(target, graph, config)
        self._default = self.as_default()
        self._default.__enter__()

    def close(self) -> None:
        if not self._closed and getattr(self, "_default", None) is not None:
            with contextlib.suppress(Exception):
                self._default.__exit__(None, None, None)
        super().close()


def verb_phrase(what: str) -> str:
    return "evaluate tensor" if what == "eval()" else "execute operation"


def _run_with_default(fetch: Any, feed_dict: Any, session: Any, what: str) -> Any:
    sess = session if session is not None else get_default_session()
    if sess is None:
        kind = "tensor" if what == "eval()" else "operation"
        verb = "evaluate" if what == "eval()" else "execute"
        arg = "eval(session=sess)" if what == "eval()" else "run(session=sess)"
        raise ValueError(
            # TensorFlow's texts differ by one colon between eval() and run()
            f"Cannot {verb} {kind} using `{what}`: No default session is registered. Use `with "
            f"sess.as_default(){'' if what == 'eval()' else ':'}` or pass an explicit session to "
            f"`{arg}`"
        )
    if not isinstance(sess, BaseSession):
        raise TypeError(
            f"session must be a tf.Session, got {_short(sess)} ({type(sess).__name__}).\n"
            f"  Hint: call {what[:-2]}(feed_dict=..., session=sess); the first positional "
            "argument is the feed_dict."
        )
    graph = fetch.graph
    if sess.graph is not graph:
        which = "given" if session is not None else "default"
        extra = (
            ""
            if session is not None
            else f" Pass an explicit session to `{what[:-2]}(session=sess)`."
        )
        raise ValueError(
            f"Cannot use the {which} session to {verb_phrase(what)}: the tensor's graph is "
            f"different from the session's graph.{extra}\n  Hint: open a session on that graph, "
            "tf.Session(graph=t.graph), or build the tensor in the session's graph."
        )
    return sess.run(fetch, feed_dict)
