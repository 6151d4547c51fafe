"""``tf.Variable``: a named value that persists in a session between runs.

``tf.Variable(0, name="counter")`` adds four ops: ``counter/initial_value`` (Const),
``counter`` (VariableV2), ``counter/Assign`` (its ``.initializer``) and ``counter/read``.

>>> import teachflow as tf
>>> v = tf.Variable(0, name="counter")
>>> v
<tf.Variable 'counter:0' shape=() dtype=int32_ref>
"""

from __future__ import annotations

import warnings
from typing import Any

from teachflow import dtypes
from teachflow.graph import GraphKeys, Operation, Tensor, get_default_graph
from teachflow.ops import overloads, registry
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.tensor_shape import TensorShape


class Variable(overloads.Operators):
    """A variable: create it with an initial value, initialize it in each session."""

    __array_priority__ = 100

    def __init__(
        self,
        initial_value: Any = None,
        trainable: bool | None = None,
        collections: Any = None,
        validate_shape: bool = True,
        caching_device: Any = None,
        name: str | None = None,
        variable_def: Any = None,
        dtype: Any = None,
        expected_shape: Any = None,
        import_scope: Any = None,
        constraint: Any = None,
        use_resource: Any = None,
        synchronization: Any = None,
        aggregation: Any = None,
        shape: Any = None,
    ) -> None:
        if variable_def is not None:
            raise NotImplementedError("teachflow does not restore Variables from variable_def.")
        if initial_value is None:
            raise ValueError(
                "initial_value must be specified.\n  Hint: give the starting value, e.g. "
                "tf.Variable(0.0) or tf.Variable(tf.zeros([784, 10]))."
            )
        trainable = True if trainable is None else trainable
        init_from_fn = callable(initial_value)
        g = registry.graph_for([] if init_from_fn else [initial_value])
        if not init_from_fn and isinstance(initial_value, Tensor):
            g = initial_value.graph
        else:
            g = get_default_graph() if not isinstance(initial_value, Variable) else g
        # made outside any loop or cond being built (TensorFlow's init_scope): a variable a
        # loop's body creates (an RNN cell's) is read through the loop's Enter
        context, g._cond_context, first = g._cond_context, None, len(g._ops_list)
        with _restore_context(g, context), g.name_scope(name or "Variable") as scope:
            if init_from_fn:
                with g.name_scope("Initializer"):
                    self._initial_value = convert_to_tensor(
                        initial_value(), dtype=dtype, name="initial_value"
                    )
            else:
                self._initial_value = convert_to_tensor(
                    initial_value, dtype=dtype, name="initial_value"
                )
            vdtype = self._initial_value.dtype.base_dtype
            vshape = self._variable_shape(shape, validate_shape)
            shape_attr = vshape.as_list() if vshape.ndims is not None else None
            self._variable = registry.make1(
                "VariableV2",
                [],
                {"shape": shape_attr, "dtype": vdtype, "container": "", "shared_name": ""},
                name=scope,
                graph=g,
            )
            self._initializer_op = registry.make(
                "Assign",
                [self._variable, self._initial_value],
                {"validate_shape": validate_shape, "use_locking": True, "T": vdtype},
                name="Assign",
                graph=g,
            )
            self._snapshot = registry.make1("Identity", [self._variable], {"T": vdtype}, "read")
            if context is not None:
                g.__dict__.setdefault("_lifted_ops", set()).update(g._ops_list[first:])
        self._trainable = trainable
        self._graph = g
        keys = [GraphKeys.GLOBAL_VARIABLES] if collections is None else list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in keys:
            keys.append(GraphKeys.TRAINABLE_VARIABLES)
        g.add_to_collections(keys, self)
        self._save_slice_info = None
        self._constraint = constraint

    def _variable_shape(self, shape: Any, validate_shape: bool) -> TensorShape:
        """``shape=`` if given, else the initial value's (unknown when not validated)."""
        initial = self._initial_value
        if shape is not None:
            return TensorShape(shape)  # the initializer's Assign checks it against the value
        if not validate_shape:
            return TensorShape(None)
        if not initial.shape.is_fully_defined():
            raise ValueError(
                f"initial_value must have a shape specified: {initial}\n"
                "  Hint: give the initial value a fully known shape, or pass "
                "validate_shape=False."
            )
        return initial.shape

    # -- identity -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._variable.name

    @property
    def op(self) -> Operation:
        return self._variable.op

    @property
    def graph(self) -> Any:
        return self._graph

    @property
    def dtype(self) -> dtypes.DType:
        return self._variable.dtype

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    @property
    def device(self) -> str:
        return ""

    @property
    def trainable(self) -> bool:
        return self._trainable

    @property
    def initializer(self) -> Operation:
        """The op that assigns the initial value (run it, or a global initializer)."""
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor:
        return self._initial_value

    @property
    def constraint(self) -> Any:
        """The ``constraint=`` function (applied by optimizers in TensorFlow 2; kept here)."""
        return self._constraint

    def set_shape(self, shape: Any) -> None:
        """Refines the variable's static shape (and its value's)."""
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    def __repr__(self) -> str:
        return f"<tf.Variable '{self.name}' shape={self.shape} dtype={self.dtype.name}>"

    def __reduce__(self) -> Any:
        raise TypeError(f"Variable {self.name} cannot be pickled: use tf.train.Saver.")

    def __hash__(self) -> int:
        return id(self)  # as in TensorFlow: identity, like ==

    # -- values -----------------------------------------------------------------------------
    def value(self) -> Tensor:
        """The variable's value as a tensor (``name/read``)."""
        return self._snapshot

    def read_value(self) -> Tensor:
        return registry.make1("Identity", [self._variable], {"T": self.dtype.base_dtype}, "read")

    def _ref(self) -> Tensor:
        return self._variable

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def _as_tensor(self, as_ref: bool = False) -> Tensor:
        return self._variable if as_ref else self._snapshot

    def initialized_value(self) -> Tensor:
        """Its value if initialized in the session, else the initial value (no side effect)."""
        g = self._graph
        # TensorFlow builds a tf.cond on is_variable_initialized; its result is cond/Merge
        with g.control_dependencies(None), g.name_scope("cond"):
            return registry.make1(
                "InitializedValue",
                [self._variable, self._initial_value],
                {"T": self.dtype.base_dtype},
                name="Merge",
            )

    def eval(self, session: Any = None) -> Any:
        return self._variable.eval(session=session)

    def load(self, value: Any, session: Any = None) -> None:
        """Writes ``value`` into the variable in ``session`` without adding ops."""
        from teachflow.ops.constant_op import to_numpy
        from teachflow.session import get_default_session

        sess = session if session is not None else get_default_session()
        if sess is None:
            raise ValueError("Either session argument should be provided or default session.")
        if not hasattr(sess, "state"):
            raise TypeError(
                f"session must be a tf.Session, got {sess!r} of type {type(sess).__name__}.\n"
                "  Hint: call v.load(value, sess)."
            )
        arr = to_numpy(value, self.dtype.base_dtype)
        if not self.shape.is_compatible_with(arr.shape):
            raise ValueError(f"Cannot load a value of shape {arr.shape} into {self!r}.")
        from teachflow.state import Ref

        Ref(sess.state, self.op.name).assign(arr)  # as TensorFlow's Assign: into its buffer

    # -- assignment ------------------------------------------------------------------------
    def _update(
        self, kind: str, value: Any, use_locking: bool, name: str | None, read: bool
    ) -> Any:
        from teachflow.ops import state_ops

        out = getattr(state_ops, kind)(self, value, use_locking=use_locking, name=name)
        return out if read else out.op

    def assign(
        self,
        value: Any,
        use_locking: bool = False,
        name: str | None = None,
        read_value: bool = True,
    ) -> Any:
        """An op writing ``value`` into this variable (``tf.assign``)."""
        return self._update("assign", value, use_locking, name, read_value)

    def assign_add(
        self,
        delta: Any,
        use_locking: bool = False,
        name: str | None = None,
        read_value: bool = True,
    ) -> Any:
        """An op adding ``delta`` to this variable (``tf.assign_add``)."""
        return self._update("assign_add", delta, use_locking, name, read_value)

    def assign_sub(
        self,
        delta: Any,
        use_locking: bool = False,
        name: str | None = None,
        read_value: bool = True,
    ) -> Any:
        """An op subtracting ``delta`` from this variable (``tf.assign_sub``)."""
        return self._update("assign_sub", delta, use_locking, name, read_value)

    def count_up_to(self, limit: int) -> Tensor:
        """Increments the variable until it reaches ``limit`` (``tf.count_up_to``)."""
        from teachflow.ops import state_ops

        return state_ops.count_up_to(self, limit)

    def scatter_update(self, sparse_delta: Any, use_locking: bool = False, name: Any = None) -> Any:
        """Writes ``sparse_delta.values`` at rows ``sparse_delta.indices``."""
        return self._scatter("scatter_update", sparse_delta, use_locking, name)

    def scatter_add(self, sparse_delta: Any, use_locking: bool = False, name: Any = None) -> Any:
        """Adds ``sparse_delta.values`` at rows ``sparse_delta.indices``."""
        return self._scatter("scatter_add", sparse_delta, use_locking, name)

    def scatter_sub(self, sparse_delta: Any, use_locking: bool = False, name: Any = None) -> Any:
        """Subtracts ``sparse_delta.values`` at rows ``sparse_delta.indices``."""
        return self._scatter("scatter_sub", sparse_delta, use_locking, name)

    def _scatter(self, kind: str, delta: Any, use_locking: bool, name: Any) -> Any:
        from teachflow.ops import state_ops

        if not (hasattr(delta, "indices") and hasattr(delta, "values")):
            raise TypeError(f"sparse_delta is not IndexedSlices: {delta}")
        fn = getattr(state_ops, kind)
        return fn(self, delta.indices, delta.values, use_locking=use_locking, name=name)

    def __bool__(self) -> bool:
        raise TypeError(
            "Using a `tf.Variable` as a Python `bool` is not allowed. Use `if v is not None:`."
        )

    def __iter__(self) -> Any:
        raise TypeError("'Variable' object is not iterable.")


def global_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


def all_variables() -> list[Variable]:
    """0.x name of :func:`global_variables`."""
    warnings.warn(
        "all_variables (from tensorflow.python.ops.variables) is deprecated. Instructions for "
        "updating: Please use tf.global_variables instead.",
        DeprecationWarning,
        stacklevel=2,
    )
    return global_variables()


def trainable_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope: str | None = None) -> list[Variable]:
    return get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


class _restore_context:
    """``with g.as_default()``, then puts back the loop or cond being built."""

    def __init__(self, g: Any, context: Any) -> None:
        self.g, self.context = g, context
        self.default = g.as_default()

    def __enter__(self) -> None:
        self.default.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self.g._cond_context = self.context
        self.default.__exit__(*exc)
