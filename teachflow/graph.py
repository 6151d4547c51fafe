"""The graph as data: ``Graph``, ``Operation`` and ``Tensor``.

A graph holds operations; each operation reads tensors (its inputs) and makes tensors (its
outputs). Nothing here computes a value: values live in a ``Session``.

>>> import teachflow as tf
>>> g = tf.Graph()
>>> with g.as_default():
...     c = tf.constant(1.0)
>>> c
<tf.Tensor 'Const:0' shape=() dtype=float32>
"""

from __future__ import annotations

import contextlib
import linecache
import os
import re
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from teachflow import dtypes, errors
from teachflow.ops import overloads
from teachflow.tensor_shape import TensorShape, bracket

if TYPE_CHECKING:
    from teachflow.ops.registry import OpDef

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class GraphKeys:
    """Standard names for graph collections."""

    GLOBAL_VARIABLES = "variables"
    VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


def _user_location() -> tuple[str, int, str] | None:
    """The first frame outside teachflow: where the user's code created an op."""
    frame = sys._getframe(2)
    while frame is not None:
        fname = frame.f_code.co_filename
        if not fname.startswith(_PACKAGE_DIR) and "contextlib" not in fname:
            return fname, frame.f_lineno, frame.f_code.co_name
        frame = frame.f_back  # type: ignore[assignment]
    return None


class Tensor(overloads.Operators):
    """One output of an Operation: a symbolic handle, not a value.

    >>> import teachflow as tf
    >>> print(tf.placeholder(tf.float32, shape=[None, 3]))
    Tensor("Placeholder:0", shape=(?, 3), dtype=float32)
    """

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_name", "__weakref__")
    # numpy must defer to our operators (x_np + tensor -> Tensor.__radd__)
    __array_priority__ = 100

    def __init__(self, op: Operation, value_index: int, dtype: dtypes.DType, shape: TensorShape):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = shape
        self._name = f"{op.name}:{value_index}"

    @property
    def op(self) -> Operation:
        return self._op

    @property
    def value_index(self) -> int:
        return self._value_index

    @property
    def dtype(self) -> dtypes.DType:
        return self._dtype

    @property
    def graph(self) -> Graph:
        return self._op.graph

    @property
    def name(self) -> str:
        return self._name

    @property
    def device(self) -> str:
        return self._op._device

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape: Any) -> None:
        """Refines the static shape; raises ValueError if incompatible."""
        new = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        old, other = self._shape.as_tuple(), new.as_tuple()
        if old is not None and other is not None:
            # TensorFlow's texts (from its C++ shape inference)
            if len(old) != len(other):
                raise ValueError(
                    f"Shapes must be equal rank, but are {len(old)} and {len(other)}\n  Hint: "
                    f"{self._name} has shape {self._shape}; set_shape only fills in unknown "
                    "(?) sizes. Use tf.reshape to change a shape."
                )
            for i, (a, b) in enumerate(zip(old, other)):
                if a is not None and b is not None and a != b:
                    raise ValueError(
                        f"Dimension {i} in both shapes must be equal, but are {a} and {b}. "
                        f"Shapes are {bracket(self._shape)} and {bracket(new)}.\n  Hint: "
                        "set_shape only fills in unknown (?) sizes. Use tf.reshape to change "
                        "a shape."
                    )
        self._shape = self._shape.merge_with(new)

    def consumers(self) -> list[Operation]:
        return [op for op in self.graph._consumers.get(self, [])]

    def eval(self, feed_dict: Any = None, session: Any = None) -> Any:
        """The value of this tensor in ``session`` (default: the default session)."""
        from teachflow.session import _run_with_default

        return _run_with_default(self, feed_dict, session, "eval()")

    def __str__(self) -> str:
        shape = "" if self._shape.ndims is None else f", shape={self._shape}"
        return f'Tensor("{self._name}"{shape}, dtype={self._dtype.name})'

    def __repr__(self) -> str:
        shape = "<unknown>" if self._shape.ndims is None else str(self._shape)
        return f"<tf.Tensor '{self._name}' shape={shape} dtype={self._dtype.name}>"

    # the 1.x texts the seed's readers meet; the class is TensorFlow 2's (a TypeError)
    def __bool__(self) -> bool:
        raise errors.OperatorNotAllowedInGraphError(
            "Using a `tf.Tensor` as a Python `bool` is not allowed. Use "
            "`if t is not None:` instead of `if t:` to test if a tensor is defined, and use "
            "TensorFlow ops such as tf.cond to execute subgraphs conditioned on the value of a "
            f"tensor.\n  Hint: the value of {self._name} exists only when a session runs it: test "
            "sess.run(t) in Python, or pick between tensors with tf.where."
        )

    def __iter__(self) -> Iterator[Any]:
        raise errors.OperatorNotAllowedInGraphError(
            "'Tensor' object is not iterable.\n  Hint: split it into "
            f"tensors with tf.unstack({self._op.name}), or loop over its value: sess.run(t)."
        )

    def __len__(self) -> int:
        raise TypeError(
            f"len is not well defined for a symbolic Tensor ({self._name}). Please call "
            "`x.shape` rather than `len(x)` for shape information."
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        raise NotImplementedError(
            f"Cannot convert a symbolic Tensor ({self._name}) to a numpy array.\n  Hint: run "
            "it in a Session (sess.run(t)) to get its value, or use tf.* ops instead of np.*."
        )

    def __reduce__(self) -> Any:
        raise TypeError(
            f"Tensor {self._name} cannot be pickled: it is part of a graph.\n  Hint: pickle "
            "its value instead, from sess.run(t)."
        )

    def __hash__(self) -> int:
        return id(self)  # as in TensorFlow: identity, like ==


class NodeDef:
    """A plain description of an operation (``name``, ``op``, ``input``, ``attr``)."""

    __slots__ = ("name", "op", "input", "attr", "device")

    def __init__(self, name: str, op: str, input: list[str], attr: dict[str, Any]) -> None:
        self.name = name
        self.op = op
        self.input = input
        self.attr = attr
        self.device = ""

    def as_proto(self) -> Any:
        """This node as TensorFlow's ``NodeDef`` protobuf (needs the tensorboard package)."""
        from teachflow.graph_def import attr_value
        from teachflow.protos import pb

        nd = pb().NodeDef(name=self.name, op=self.op, device=self.device)
        nd.input.extend(self.input)
        for k, v in self.attr.items():
            try:
                nd.attr[k].CopyFrom(attr_value(k, v))
            except TypeError:
                continue  # an attr only teachflow keeps (no proto form)
        return nd

    def __str__(self) -> str:
        try:
            return str(self.as_proto())  # TensorFlow's text form
        except ImportError:
            pass
        lines = [f'name: "{self.name}"', f'op: "{self.op}"']
        lines += [f'input: "{i}"' for i in self.input]
        if self.device:
            lines.append(f'device: "{self.device}"')
        for k in sorted(self.attr):
            lines.append(f"attr {{ key: {k!r} value: {_attr_text(self.attr[k])} }}")
        return "\n".join(lines) + "\n"

    __repr__ = __str__


def _attr_text(v: Any) -> str:
    if isinstance(v, dtypes.DType):
        return repr(v)
    text = repr(v)
    return text if len(text) < 60 else text[:57] + "..."


class Operation:
    """A node of the graph: an op type applied to input tensors, making output tensors."""

    __slots__ = (
        "_graph",
        "_name",
        "_opdef",
        "_inputs",
        "_outputs",
        "_control_inputs",
        "_attrs",
        "_id",
        "_traceback",
        "_device",
        "__weakref__",
    )

    def __init__(
        self,
        graph: Graph,
        name: str,
        opdef: OpDef,
        inputs: list[Tensor],
        attrs: dict[str, Any],
        control_inputs: list[Operation],
        traceback: tuple[str, int, str] | None,
    ) -> None:
        self._graph = graph
        self._name = name
        self._opdef = opdef
        self._inputs = tuple(inputs)
        self._attrs = attrs
        self._control_inputs = control_inputs
        self._outputs: tuple[Tensor, ...] = ()
        self._id = 0
        self._traceback = traceback
        self._device = ""

    @property
    def name(self) -> str:
        return self._name

    @property
    def type(self) -> str:
        return self._opdef.type

    @property
    def opdef(self) -> OpDef:
        return self._opdef

    @property
    def graph(self) -> Graph:
        return self._graph

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return self._inputs

    @property
    def outputs(self) -> list[Tensor]:
        return list(self._outputs)

    def values(self) -> tuple[Tensor, ...]:
        return self._outputs

    @property
    def control_inputs(self) -> list[Operation]:
        return list(self._control_inputs)

    @property
    def device(self) -> str:
        """The device asked for with ``tf.device`` (recorded only: teachflow runs on the CPU)."""
        return self._device

    def _set_device(self, device: Any) -> None:
        self._device = _device_string(_parse_device(device)) if device else ""

    @property
    def attrs(self) -> dict[str, Any]:
        return self._attrs

    def get_attr(self, name: str) -> Any:
        """The value of attr ``name``; strings come back as bytes, as in TensorFlow."""
        if not isinstance(name, str) or name not in self._attrs:
            raise ValueError(f"Operation '{self._name}' has no attr named '{name}'.")
        value = self._attrs[name]
        if isinstance(value, str):
            return value.encode()
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return [v.encode() for v in value]
        return value

    @property
    def node_def(self) -> Any:
        """This op as TensorFlow's ``NodeDef`` protobuf (a plain :class:`NodeDef` record when
        the tensorboard package, which holds the protos, is missing)."""
        ins = [t.name if t.value_index else t.op.name for t in self._inputs]
        ins += ["^" + c.name for c in self._control_inputs]
        nd = NodeDef(self._name, self.type, ins, dict(self._attrs))
        nd.device = self._device
        try:
            return nd.as_proto()
        except ImportError:
            return nd

    @property
    def traceback(self) -> tuple[str, int, str] | None:
        """(file, line, function) of the user code that created this op."""
        return self._traceback

    @property
    def location(self) -> str | None:
        """``file:line (source)`` of the user code that created this op."""
        if self._traceback is None:
            return None
        fname, line, _ = self._traceback
        src = linecache.getline(fname, line).strip()
        return f"{fname}:{line}" + (f" ({src})" if src else "")

    def _add_control_input(self, op: Any) -> None:
        """Makes this op run after ``op`` (TensorFlow's private API, used by some TF1 code).

        Unlike TensorFlow, a control input that would close a cycle is refused here, so a
        teachflow graph never contains one.
        """
        self._add_control_inputs([op])

    def _add_control_inputs(self, ops: Any) -> None:
        g = self._graph
        if g._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")
        new = [_as_control_op(g, c) for c in ops]
        with g._lock:
            for c in new:
                path = _path_between(c, self)
                if path is not None:
                    chain = " -> ".join(o.name for o in [self, *reversed(path)])
                    raise ValueError(
                        f"Cannot add '{c.name}' as a control input of '{self.name}': "
                        f"'{c.name}' already depends on '{self.name}', so the graph would "
                        f"contain a cycle ({chain}, each waiting for the next).\n  Hint: "
                        "TensorFlow builds such a graph and fails when it runs "
                        "(InvalidArgumentError: Graph is invalid, contains a cycle); create ops "
                        "after the ops they depend on instead."
                    )
                if c not in self._control_inputs:
                    self._control_inputs.append(c)
            g._control_edges_added = True

    def run(self, feed_dict: Any = None, session: Any = None) -> None:
        """Runs this op in ``session`` (default: the default session)."""
        from teachflow.session import _run_with_default

        _run_with_default(self, feed_dict, session, "run()")

    def __repr__(self) -> str:
        return f"<tf.Operation '{self._name}' type={self.type}>"

    def __str__(self) -> str:
        return str(self.node_def)

    def __reduce__(self) -> Any:
        raise TypeError(f"Operation {self._name} cannot be pickled: it is part of a graph.")


class Graph:
    """A TensorFlow computation: operations and the tensors between them.

    >>> import teachflow as tf
    >>> g = tf.Graph()
    >>> with g.as_default():
    ...     a = tf.constant(2, name="a")
    ...     b = tf.multiply(a, 3)
    >>> [op.name for op in g.get_operations()]
    ['a', 'Mul/y', 'Mul']
    """

    def __init__(self) -> None:
        self._ops: dict[str, Operation] = {}
        self._ops_list: list[Operation] = []
        self._names_in_use: dict[str, int] = {}
        # name scopes and control-dependency blocks are per thread, as in TensorFlow
        self._thread_local = _BuildingState()
        self._collections: dict[str, list[Any]] = {}
        self._consumers: dict[Tensor, list[Operation]] = {}
        self._finalized = False
        self._lock = threading.RLock()
        self._cond_context: Any = None  # the tf.cond branch being built (control_flow_ops)
        self.seed: int | None = None
        self._variable_scope_store: Any = None
        self._gradient_uid = 0
        # set once a control input was added to an existing op: creation order is then no
        # longer a topological order, and plans sort properly
        self._control_edges_added = False

    # -- building -----------------------------------------------------------------------
    @property
    def _name_stack(self) -> str:
        return self._thread_local.name_stack

    @_name_stack.setter
    def _name_stack(self, value: str) -> None:
        self._thread_local.name_stack = value

    @property
    def _control_stack(self) -> list[_ControlFrame | None]:
        return self._thread_local.control_stack

    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """``name`` prefixed by the current scope, made unique with ``_1``, ``_2``...

        Matches TensorFlow 1.9+: uniqueness is case-insensitive ("add" then "Add" -> "Add_1").
        """
        if not isinstance(name, str):
            raise TypeError(f"A name must be a string, got {name!r} of type {type(name).__name__}.")
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base = key
            while key in self._names_in_use:
                key = f"{base}_{i}"
                i += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = f"{name}_{i - 1}"
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name: str | None) -> Iterator[str]:
        """Prefixes the names of ops created inside with ``name/`` (see ``tf.name_scope``)."""
        if name:
            if not isinstance(name, str):
                raise TypeError(f"name_scope name must be a string, got {name!r}")
            if self._name_stack:
                if not _VALID_SCOPE_NAME.match(name):
                    raise ValueError(
                        f"'{name}' is not a valid scope name. A scope name has to match the "
                        f"following pattern: {_VALID_SCOPE_NAME.pattern}"
                    )
            elif not _VALID_OP_NAME.match(name):
                raise ValueError(
                    f"'{name}' is not a valid root scope name. A root scope name has to match "
                    f"the following pattern: {_VALID_OP_NAME.pattern}"
                )
        old = self._name_stack
        if not name:
            new = ""
        elif name[-1] == "/":
            new = name[:-1]
            # mark the re-entered scope as used so later unique names skip it
            self._names_in_use.setdefault(new.lower(), 1)
        else:
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield new + "/" if new else ""
        finally:
            self._name_stack = old

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs: Any) -> Iterator[None]:
        """Ops created inside run only after ``control_inputs`` (None clears outer ones)."""
        if control_inputs is None:
            self._control_stack.append(None)
        else:
            self._control_stack.append(
                _ControlFrame([_as_control_op(self, c) for c in control_inputs])
            )
        try:
            yield
        finally:
            self._control_stack.pop()

    def _control_inputs_for(self, inputs: list[Tensor]) -> list[Operation]:
        """Control inputs of a new op, as TensorFlow picks them.

        A block's control inputs are skipped when one of the op's inputs was itself created
        inside that block: the dependency already holds through that input.
        """
        out: list[Operation] = []
        input_ops = {t.op for t in inputs}
        for frame in reversed(self._control_stack):
            if frame is None:
                break
            if frame.seen.isdisjoint(input_ops):
                out.extend(op for op in frame.ops if op not in out and op not in input_ops)
        return out

    @contextlib.contextmanager
    def device(self, device_name_or_function: Any) -> Iterator[None]:
        """Ops created inside record this device (``op.device``); teachflow runs them all on
        the CPU, so it changes nothing else. ``None`` clears outer devices."""
        if isinstance(device_name_or_function, str):
            _parse_device(device_name_or_function)  # TensorFlow rejects a bad spec here
        elif device_name_or_function is not None and not callable(device_name_or_function):
            raise TypeError(
                f"Expected a device name (string), a function or None, got "
                f"{device_name_or_function!r}.\n  Hint: write tf.device('/cpu:0')."
            )
        stack = self._thread_local.device_stack
        stack.append(device_name_or_function)
        try:
            yield
        finally:
            stack.pop()

    def _device_for(self, op: Operation) -> str:
        """The device the ``tf.device`` blocks around a new op give it."""
        spec: dict[str, str] | None = None
        raw = ""
        for entry in self._thread_local.device_stack:
            if entry is None:
                spec, raw = None, ""
                continue
            name = entry(op) if callable(entry) else entry
            if name is None or hasattr(name, "to_string"):
                name = "" if name is None else name.to_string()
            if callable(entry) and spec is None:
                raw = name  # a device function's answer is kept as written, as in TensorFlow
                spec = None
                continue
            base = spec if spec is not None else (_parse_device(raw) if raw else {})
            spec = {**base, **_parse_device(name)}
            raw = ""
        return raw if spec is None else _device_string(spec)

    @contextlib.contextmanager
    def colocate_with(self, op: Any, ignore_existing: bool = False) -> Iterator[None]:
        yield

    def _create_op(
        self,
        opdef: OpDef,
        inputs: list[Tensor],
        attrs: dict[str, Any],
        name: str,
    ) -> Operation:
        """Adds an op: name made unique (a trailing '/' means exactly this name)."""
        if self._finalized:
            raise RuntimeError(
                "Graph is finalized and cannot be modified.\n  Hint: build every op before "
                "g.finalize(); to add more, build a new graph."
            )
        if not isinstance(name, str):
            raise TypeError(
                f"An op name must be a string, got {name!r} of type {type(name).__name__}.\n"
                "  Hint: pass name='...' as a keyword; a positional argument may have landed "
                "in `name`."
            )
        with self._lock:
            if name.endswith("/"):
                name = name[:-1]
                self._names_in_use.setdefault(name.lower(), 1)
            else:
                if not _VALID_OP_NAME.match(name):
                    raise ValueError(f"'{name}' is not a valid node name")
                name = self.unique_name(name)
            if name in self._ops:
                raise ValueError(f"Duplicate node name in graph: '{name}'")
            cond = self._cond_context
            if cond is not None:  # inside a tf.cond branch: outside values enter via Switch
                inputs = cond.enter_inputs(name, inputs)
            for t in inputs:
                if t._op._graph is not self:
                    raise ValueError(
                        f"Tensor {t} must be from the same graph as the other inputs of "
                        f"'{name}'. Hint: build all ops inside one `with graph.as_default():`."
                    )
            control = self._control_inputs_for(inputs) if self._control_stack else []
            op = Operation(self, name, opdef, inputs, attrs, control, _user_location())
            if self._thread_local.device_stack:
                op._device = self._device_for(op)
            outs = opdef.infer(op)
            op._outputs = tuple([Tensor(op, i, dt, sh) for i, (dt, sh) in enumerate(outs)])
            op._id = len(self._ops_list) + 1
            self._ops[name] = op
            self._ops_list.append(op)
            for frame in self._control_stack:
                if frame is not None:
                    frame.seen.add(op)
            for t in inputs:
                self._consumers.setdefault(t, []).append(op)
            if cond is not None:
                cond.added(op)
            return op

    # -- looking up -----------------------------------------------------------------------
    def get_operations(self) -> list[Operation]:
        return list(self._ops_list)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings (or similar), not {type(name).__name__}.")
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def as_graph_element(
        self, obj: Any, allow_tensor: bool = True, allow_operation: bool = True
    ) -> Any:
        """Resolves a Tensor, Operation, Variable or a name ("x:0", "init") in this graph."""
        types_str = " or ".join(
            t for t, ok in (("Tensor", allow_tensor), ("Operation", allow_operation)) if ok
        )
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, str):
            name = obj
            if ":" in name and allow_tensor:
                op_name, _, idx = name.rpartition(":")
                try:
                    out_n = int(idx)
                except ValueError:
                    raise ValueError(
                        f"The name {name!r} looks a like a Tensor name, but is not a valid one. "
                        'Tensor names must be of the form "<op_name>:<output_index>".'
                    ) from None
                if op_name not in self._ops:
                    raise KeyError(
                        f"The name {name!r} refers to a Tensor which does not exist. The "
                        f"operation, {op_name!r}, does not exist in the graph."
                    )
                op = self._ops[op_name]
                if out_n >= len(op._outputs) or out_n < 0:
                    raise KeyError(
                        f"The name {name!r} refers to a Tensor which does not exist. The "
                        f"operation, {op_name!r}, exists but only has "
                        f"{len(op._outputs)} outputs."
                    )
                return op._outputs[out_n]
            if ":" in name and not allow_tensor:
                raise ValueError(f"Name {name!r} appears to refer to a Tensor, not a {types_str}.")
            if ":" not in name and allow_operation:
                if name not in self._ops:
                    raise KeyError(f"The name {name!r} refers to an Operation not in the graph.")
                return self._ops[name]
            if name in self._ops:
                raise ValueError(
                    f"The name {name!r} refers to an Operation, not a {types_str}. Tensor names "
                    'must be of the form "<op_name>:<output_index>".'
                )
            raise ValueError(
                f"The name {name!r} looks like an (invalid) Operation name, not a {types_str}."
            )
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj!r} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a {types_str}.")

    # -- collections -----------------------------------------------------------------------
    def add_to_collection(self, name: str, value: Any) -> None:
        self._collections.setdefault(_collection_key(name), []).append(value)

    def add_to_collections(self, names: Any, value: Any) -> None:
        if isinstance(names, str) or not isinstance(names, (list, tuple, set, frozenset)):
            names = [names]
        for n in dict.fromkeys(_collection_key(n) for n in names):
            self.add_to_collection(n, value)

    def get_collection_ref(self, key: str) -> list[Any]:
        return self._collections.setdefault(_collection_key(key), [])

    def get_collection(self, key: str, scope: str | None = None) -> list[Any]:
        items = self._collections.get(_collection_key(key), [])
        if scope is None:
            return list(items)
        if not isinstance(scope, str):
            raise TypeError(
                f"A collection scope must be a string (a regular expression on names), got "
                f"{scope!r} of type {type(scope).__name__}."
            )
        pattern = re.compile(scope)
        return [x for x in items if hasattr(x, "name") and pattern.match(x.name)]

    def get_all_collection_keys(self) -> list[str]:
        return [k for k in self._collections if self._collections[k]]

    def clear_collection(self, name: str) -> None:
        self._collections.pop(_collection_key(name), None)

    # -- state ----------------------------------------------------------------------------
    def finalize(self) -> None:
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    @property
    def version(self) -> int:
        return len(self._ops_list)

    @property
    def building_function(self) -> bool:
        return False

    def as_default(self) -> contextlib.AbstractContextManager[Graph]:
        return _default_graph_stack.get_controller(self)

    def is_fetchable(self, tensor_or_op: Any) -> bool:
        return True

    def is_feedable(self, tensor: Any) -> bool:
        return True

    # -- text and pictures ---------------------------------------------------------------
    def listing(self) -> str:
        """A readable text form: one line per op, ``name = Type(inputs) -> dtype shape``."""
        from teachflow.drawing import graph_listing

        return graph_listing(self)

    def as_graph_def(self, from_version: Any = None, add_shapes: bool = False) -> Any:
        """The graph as a TensorFlow ``GraphDef`` protobuf (needs the tensorboard package)."""
        from teachflow.graph_def import graph_to_graph_def

        return graph_to_graph_def(self, add_shapes=add_shapes)

    def __reduce__(self) -> Any:
        raise TypeError(
            "A Graph cannot be pickled.\n  Hint: save variable values with tf.train.Saver, and "
            "the graph itself with graph.as_graph_def() (a GraphDef real TensorFlow can read)."
        )

    def _repr_svg_(self) -> str | None:
        from teachflow.drawing import svg_or_none

        return svg_or_none(self)


def _collection_key(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        raise TypeError(
            f"A collection key must be a string such as tf.GraphKeys.GLOBAL_VARIABLES, got "
            f"{key!r} of type {type(key).__name__}.\n  Hint: ask for one collection at a time; "
            "g.get_all_collection_keys() lists them."
        ) from None
    return key


def _path_between(start: Operation, target: Operation) -> list[Operation] | None:
    """Ops from ``start`` back to ``target`` through inputs and control inputs, if any."""
    parent: dict[Operation, Operation | None] = {start: None}
    stack = [start]
    while stack:
        op = stack.pop()
        if op is target:
            path = []
            node: Operation | None = op
            while node is not None:
                path.append(node)
                node = parent[node]
            return path
        for nxt in [t.op for t in op._inputs] + op._control_inputs:
            if nxt not in parent:
                parent[nxt] = op
                stack.append(nxt)
    return None


class _BuildingState(threading.local):
    """One thread's name scope and control-dependency blocks in a graph."""

    def __init__(self) -> None:
        self.name_stack = ""
        self.control_stack: list[_ControlFrame | None] = []
        self.device_stack: list[Any] = []


def _parse_device(spec: str) -> dict[str, str]:
    """``'/job:ps/task:0/cpu:0'`` -> {'job': 'ps', 'task': '0', 'type': 'CPU', 'index': '0'}."""
    out: dict[str, str] = {}
    for part in spec.split("/"):
        if not part:
            continue
        bits = part.split(":")
        key = bits[0].lower()
        if len(bits) == 2 and key in ("job", "replica", "task"):
            out[key] = bits[1]
        elif len(bits) in (1, 2) and key in ("cpu", "gpu", "tpu"):
            out["type"] = key.upper()
            out["index"] = bits[1] if len(bits) == 2 else "*"
        elif len(bits) == 3 and key == "device":
            dtype = bits[1].upper() if bits[1].lower() in ("cpu", "gpu", "tpu") else bits[1]
            out["type"], out["index"] = dtype, bits[2]
        else:
            raise ValueError(
                f"Unknown attribute '{bits[0]}' is encountered while parsing the device spec: "
                f"'{spec}'.\n  Hint: device names look like '/cpu:0', '/gpu:0' or "
                "'/job:worker/task:0'."
            )
    return out


def _device_string(spec: dict[str, str]) -> str:
    """TensorFlow's canonical device name, e.g. ``/job:ps/device:CPU:0``."""
    text = "".join(f"/{k}:{spec[k]}" for k in ("job", "replica", "task") if k in spec)
    if "type" in spec:
        text += f"/device:{spec['type']}:{spec.get('index', '*')}"
    return text


class _ControlFrame:
    """One ``control_dependencies`` block: its control ops and the ops created inside it."""

    __slots__ = ("ops", "seen")

    def __init__(self, ops: list[Operation]) -> None:
        self.ops = ops
        self.seen: set[Operation] = set()


def _as_control_op(graph: Graph, c: Any) -> Operation:
    if hasattr(c, "_as_graph_element"):
        c = c._as_graph_element()
    if isinstance(c, Tensor):
        c = c.op
    if not isinstance(c, Operation):
        raise TypeError(
            f"Can not convert a {type(c).__name__} into a Tensor or Operation.\n  Hint: pass a "
            "list of ops or tensors that already exist, e.g. tf.control_dependencies([train_op])."
        )
    if c.graph is not graph:
        raise ValueError(
            f"Control input {c!r} is not an element of this graph.\n  Hint: it was built in "
            "another graph; build both inside one `with g.as_default():`."
        )
    return c


class _DefaultStack(threading.local):
    def __init__(self) -> None:
        self.stack: list[Any] = []

    @contextlib.contextmanager
    def get_controller(self, obj: Any) -> Iterator[Any]:
        self.stack.append(obj)
        try:
            yield obj
        finally:
            if self.stack and self.stack[-1] is obj:
                self.stack.pop()
            elif obj in self.stack:
                self.stack.remove(obj)


class _GraphStack(_DefaultStack):
    global_default: Graph | None = None

    def get_default(self) -> Graph:
        if self.stack:
            return self.stack[-1]  # type: ignore[no-any-return]
        if _GraphStack.global_default is None:
            _GraphStack.global_default = Graph()
        return _GraphStack.global_default


_default_graph_stack = _GraphStack()


def get_default_graph() -> Graph:
    """The graph new ops go into: the innermost ``as_default()`` graph, else the global one."""
    return _default_graph_stack.get_default()


def reset_default_graph() -> None:
    """Replaces the global default graph with a new, empty one."""
    if _default_graph_stack.stack:
        raise AssertionError(
            "Do not use tf.reset_default_graph() to clear nested graphs. If you need a cleared "
            "graph, exit the nesting and create a new graph."
        )
    from teachflow import session

    session._default_session_stack.stack.clear()
    _GraphStack.global_default = Graph()


# -- module-level forms of the default graph's methods (tf.name_scope, tf.get_collection...) ----


@contextlib.contextmanager
def name_scope(
    name: str | None, default_name: str | None = None, values: Any = None
) -> Iterator[str]:
    """Groups ops under ``name/`` (``tf.name_scope``); re-entering makes ``name_1/``.

    >>> import teachflow as tf
    >>> with tf.name_scope("layer") as scope:
    ...     c = tf.constant(1, name="c")
    >>> scope, c.op.name
    ('layer/', 'layer/c')
    """
    g = get_default_graph()
    for v in values or ():
        vg = getattr(v, "graph", None)
        if isinstance(vg, Graph):
            g = vg
            break
    n = name if name is not None else default_name
    if name is None and default_name is None and values is None:
        n = None
    with g.as_default(), g.name_scope(n) as scope:
        yield scope


def control_dependencies(control_inputs: Any) -> contextlib.AbstractContextManager[None]:
    """Ops created inside run after ``control_inputs`` (see ``Graph.control_dependencies``)."""
    return get_default_graph().control_dependencies(control_inputs)


def device(device_name_or_function: Any) -> contextlib.AbstractContextManager[None]:
    """Accepted for compatibility; teachflow runs everything on the CPU."""
    return get_default_graph().device(device_name_or_function)


def get_collection(key: str, scope: str | None = None) -> list[Any]:
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key: str) -> list[Any]:
    return get_default_graph().get_collection_ref(key)


def add_to_collection(name: str, value: Any) -> None:
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names: Any, value: Any) -> None:
    get_default_graph().add_to_collections(names, value)
