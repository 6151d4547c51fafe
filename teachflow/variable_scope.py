"""``tf.variable_scope`` and ``tf.get_variable``: variables named by scope, shared on request.

``get_variable("v", shape)`` creates the variable ``<scope>/v`` the first time; asking again is
an error unless the scope reuses variables (``reuse=True`` returns the existing one,
``reuse=tf.AUTO_REUSE`` returns it or creates it). Variable names depend only on variable
scopes, never on ``name_scope``; a variable scope also opens a name scope for the other ops.

>>> import teachflow as tf
>>> with tf.variable_scope("layer1"):
...     w = tf.get_variable("W", [2, 3], initializer=tf.zeros_initializer())
>>> with tf.variable_scope("layer1", reuse=True):
...     w_again = tf.get_variable("W")
>>> w.name, w_again is w
('layer1/W:0', True)
"""

from __future__ import annotations

import enum
import functools
import inspect
from typing import Any

from teachflow import dtypes
from teachflow.graph import Graph, GraphKeys, get_default_graph
from teachflow.ops import registry
from teachflow.tensor_shape import TensorShape
from teachflow.variables import Variable


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


class VariableScope:
    """The defaults ``get_variable`` uses inside a scope: name prefix, reuse, initializer..."""

    def __init__(
        self,
        reuse: Any,
        name: str = "",
        initializer: Any = None,
        regularizer: Any = None,
        caching_device: Any = None,
        partitioner: Any = None,
        custom_getter: Any = None,
        name_scope: str = "",
        dtype: Any = dtypes.float32,
        use_resource: Any = None,
        constraint: Any = None,
    ) -> None:
        self._name = name
        self._initializer = initializer
        self._regularizer = regularizer
        self._reuse = reuse
        self._caching_device = caching_device
        self._partitioner = partitioner
        self._custom_getter = custom_getter
        self._name_scope = name_scope
        self._dtype = dtype
        self._use_resource = use_resource
        self._constraint = constraint

    name = property(lambda self: self._name)
    original_name_scope = property(lambda self: self._name_scope)
    reuse = property(lambda self: self._reuse)
    initializer = property(lambda self: self._initializer)
    dtype = property(lambda self: self._dtype)
    use_resource = property(lambda self: self._use_resource)
    regularizer = property(lambda self: self._regularizer)
    caching_device = property(lambda self: self._caching_device)
    partitioner = property(lambda self: self._partitioner)
    custom_getter = property(lambda self: self._custom_getter)
    constraint = property(lambda self: self._constraint)

    def reuse_variables(self) -> None:
        """From now on ``get_variable`` in this scope returns existing variables."""
        self._reuse = True

    def set_initializer(self, initializer: Any) -> None:
        self._initializer = initializer

    def set_dtype(self, dtype: Any) -> None:
        self._dtype = dtype

    def set_use_resource(self, use_resource: Any) -> None:
        self._use_resource = use_resource

    def set_regularizer(self, regularizer: Any) -> None:
        self._regularizer = regularizer

    def set_caching_device(self, caching_device: Any) -> None:
        self._caching_device = caching_device

    def set_partitioner(self, partitioner: Any) -> None:
        self._partitioner = partitioner

    def set_custom_getter(self, custom_getter: Any) -> None:
        self._custom_getter = custom_getter

    def get_collection(self, name: str) -> list[Any]:
        scope = self._name + "/" if self._name else ""
        return get_default_graph().get_collection(name, scope)

    def trainable_variables(self) -> list[Any]:
        return self.get_collection(GraphKeys.TRAINABLE_VARIABLES)

    def global_variables(self) -> list[Any]:
        return self.get_collection(GraphKeys.GLOBAL_VARIABLES)

    def local_variables(self) -> list[Any]:
        return self.get_collection(GraphKeys.LOCAL_VARIABLES)

    def get_variable(
        self,
        var_store: _VariableStore,
        name: str,
        shape: Any = None,
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        reuse: Any = None,
        trainable: bool | None = None,
        collections: Any = None,
        caching_device: Any = None,
        partitioner: Any = None,
        validate_shape: bool = True,
        use_resource: Any = None,
        custom_getter: Any = None,
        constraint: Any = None,
        **kwargs: Any,
    ) -> Any:
        """``get_variable`` with this scope's defaults filled in."""
        if not isinstance(var_store, _VariableStore):
            raise TypeError(
                "VariableScope.get_variable takes the variable store first; call "
                "tf.get_variable(name, shape, ...) instead.\n  Hint: inside "
                "`with tf.variable_scope(...)`, tf.get_variable names the variable 'scope/name'."
            )
        if not isinstance(name, str):
            raise TypeError(
                f"A variable name must be a string, got {name!r} of type {type(name).__name__}.\n"
                "  Hint: the name comes first, e.g. tf.get_variable('w', [2, 3])."
            )
        regularizer = self._regularizer if regularizer is None else regularizer
        partitioner = self._partitioner if partitioner is None else partitioner
        custom_getter = self._custom_getter if custom_getter is None else custom_getter
        reuse = self._reuse if reuse is None else reuse
        full_name = self._name + "/" + name if self._name else name
        g = get_default_graph()
        # variable names depend only on the variable scope, not on the name scope
        with g.name_scope(None):
            if dtype is not None and initializer is not None and not callable(initializer):
                from teachflow.ops.constant_op import convert_to_tensor

                init_dtype = convert_to_tensor(initializer).dtype.base_dtype
                if init_dtype != dtypes.as_dtype(dtype).base_dtype:
                    raise ValueError(
                        f"Initializer type '{init_dtype}' and explicit dtype "
                        f"'{dtypes.as_dtype(dtype)}' don't match."
                    )
            initializer = self._initializer if initializer is None else initializer
            constraint = self._constraint if constraint is None else constraint
            dtype = self._dtype if dtype is None else dtype
            return var_store.get_variable(
                full_name,
                shape=shape,
                dtype=dtype,
                initializer=initializer,
                regularizer=regularizer,
                reuse=reuse,
                trainable=trainable,
                collections=collections,
                partitioner=partitioner,
                validate_shape=validate_shape,
                custom_getter=custom_getter,
                constraint=constraint,
            )


class _VariableStore:
    """The variables ``get_variable`` made in one graph, by full name."""

    def __init__(self) -> None:
        self.vars: dict[str, Any] = {}

    def get_variable(
        self,
        name: str,
        shape: Any = None,
        dtype: Any = dtypes.float32,
        initializer: Any = None,
        regularizer: Any = None,
        reuse: Any = None,
        trainable: bool | None = None,
        collections: Any = None,
        partitioner: Any = None,
        validate_shape: bool = True,
        custom_getter: Any = None,
        constraint: Any = None,
    ) -> Any:
        if custom_getter is not None and not callable(custom_getter):
            raise ValueError(f"Passed a custom_getter which is not callable: {custom_getter}")
        if partitioner is not None:
            raise NotImplementedError("teachflow does not implement partitioned variables.")
        if constraint is not None:
            raise NotImplementedError("teachflow does not implement variable constraints yet.")
        dtype = getattr(dtype, "base_dtype", dtype)

        def true_getter(
            name: str,
            shape: Any = None,
            dtype: Any = dtypes.float32,
            initializer: Any = None,
            regularizer: Any = None,
            reuse: Any = None,
            trainable: bool | None = None,
            collections: Any = None,
            validate_shape: bool = True,
            **unused: Any,
        ) -> Any:
            return self._get_single_variable(
                name, shape, dtype, initializer, regularizer, reuse, trainable, collections,
                validate_shape,
            )  # fmt: skip

        kwargs = dict(
            name=name,
            shape=shape,
            dtype=dtype,
            initializer=initializer,
            regularizer=regularizer,
            reuse=reuse,
            trainable=trainable,
            collections=collections,
            validate_shape=validate_shape,
        )
        if custom_getter is not None:
            return custom_getter(true_getter, **kwargs)
        return true_getter(**kwargs)

    def _get_single_variable(
        self,
        name: str,
        shape: Any,
        dtype: Any,
        initializer: Any,
        regularizer: Any,
        reuse: Any,
        trainable: bool | None,
        collections: Any,
        validate_shape: bool,
    ) -> Any:
        from_value = initializer is not None and not callable(initializer)
        if shape is not None and from_value:
            raise ValueError("If initializer is a constant, do not specify shape.")
        dtype = dtypes.as_dtype(dtype)
        shape = TensorShape(shape) if shape is not None else None

        if name in self.vars:
            found = self.vars[name]
            if reuse is False:
                tb = found.op.traceback
                where = f'  File "{tb[0]}", line {tb[1]}, in {tb[2]}\n' if tb else ""
                raise ValueError(
                    f"Variable {name} already exists, disallowed. Did you mean to set reuse=True "
                    f"or reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n\n{where}"
                )
            if shape is not None and not shape.is_compatible_with(found.get_shape()):
                raise ValueError(
                    f"Trying to share variable {name}, but specified shape {shape} and found "
                    f"shape {found.get_shape()}."
                )
            if not dtype.is_compatible_with(found.dtype):
                raise ValueError(
                    f"Trying to share variable {name}, but specified dtype {dtype.name} and "
                    f"found dtype {found.dtype.name}."
                )
            return found

        if reuse is True:
            raise ValueError(
                f"Variable {name} does not exist, or was not created with tf.get_variable(). "
                "Did you mean to set reuse=tf.AUTO_REUSE in VarScope?"
            )
        if initializer is None:
            if shape is None:
                raise ValueError(
                    f"Variable {name} did not get an initializer, so its `shape` argument must "
                    "be specified."
                )
            initializer = _default_initializer(name, dtype)
        variable_dtype: Any
        if from_value:
            init_val = initializer
            variable_dtype = None
        else:
            if inspect.isclass(initializer):
                initializer = initializer()
            if shape is not None and shape.is_fully_defined():
                if "partition_info" in _arg_names(initializer):
                    init_val = functools.partial(
                        initializer, shape.as_list(), dtype=dtype, partition_info=None
                    )
                else:
                    init_val = functools.partial(initializer, shape.as_list(), dtype=dtype)
                variable_dtype = dtype.base_dtype
            elif _needs_no_arguments(initializer):
                init_val = initializer
                variable_dtype = None
            else:
                raise ValueError(
                    "The initializer passed is not valid. It should be a callable with no "
                    "arguments and the shape should not be provided or an instance of "
                    "`tf.keras.initializers.*' and `shape` should be fully defined."
                )
        g = get_default_graph()
        # the initial value must not wait for whatever control dependencies surround the call
        with g.control_dependencies(None):
            v = Variable(
                initial_value=init_val,
                name=name,
                trainable=True if trainable is None else trainable,
                collections=collections,
                dtype=variable_dtype,
                validate_shape=validate_shape,
            )
        self.vars[name] = v
        if regularizer:
            with g.name_scope(name + "/Regularizer/"):
                loss = regularizer(v)
            if loss is not None:
                g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return v


def _arg_names(fn: Any) -> list[str]:
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []


def _needs_no_arguments(fn: Any) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params
    )


def _default_initializer(name: str, dtype: dtypes.DType) -> Any:
    """Glorot uniform for floats, zeros for integers, bools and strings (as TensorFlow)."""
    from teachflow import init_ops

    if dtype.is_floating:
        return init_ops.glorot_uniform_initializer()
    if dtype.is_integer or dtype.is_unsigned or dtype.is_bool or dtype == dtypes.string:
        return init_ops.zeros_initializer()
    raise ValueError(f"An initializer for variable {name} of {dtype.base_dtype} is required")


class _ScopeStore:
    """The current variable scope of one graph, and how often each scope name was opened."""

    def __init__(self) -> None:
        self.current_scope = VariableScope(False)
        self.variable_scopes_count: dict[str, int] = {}

    def open_variable_scope(self, scope_name: str) -> None:
        self.variable_scopes_count[scope_name] = self.variable_scopes_count.get(scope_name, 0) + 1

    def close_variable_subscopes(self, scope_name: str | None) -> None:
        prefix = None if scope_name is None else scope_name + "/"
        for k in self.variable_scopes_count:
            if prefix is None or k.startswith(prefix):
                self.variable_scopes_count[k] = 0

    def variable_scope_count(self, scope_name: str) -> int:
        return self.variable_scopes_count.get(scope_name, 0)


def _stores(g: Graph | None = None) -> tuple[_VariableStore, _ScopeStore]:
    g = g if g is not None else get_default_graph()
    if g._variable_scope_store is None:
        g._variable_scope_store = (_VariableStore(), _ScopeStore())
    return g._variable_scope_store  # type: ignore[no-any-return]


def get_variable_scope() -> VariableScope:
    """The current variable scope (the root scope has the name ``""``)."""
    return _stores()[1].current_scope


def get_variable(
    name: str,
    shape: Any = None,
    dtype: Any = None,
    initializer: Any = None,
    regularizer: Any = None,
    trainable: bool | None = None,
    collections: Any = None,
    caching_device: Any = None,
    partitioner: Any = None,
    validate_shape: bool = True,
    use_resource: Any = None,
    custom_getter: Any = None,
    constraint: Any = None,
    synchronization: Any = None,
    aggregation: Any = None,
) -> Any:
    """Gets the variable ``<current variable scope>/name``, creating it if the scope allows.

    Args:
      name: the name inside the current variable scope.
      shape: the variable's shape (needed unless ``initializer`` is a value).
      dtype: defaults to the scope's dtype (float32).
      initializer: an initializer (``tf.zeros_initializer()``...), a tensor or a value;
        default: the scope's initializer, else Glorot uniform for floats and zeros otherwise.
      trainable: add it to ``GraphKeys.TRAINABLE_VARIABLES`` (default True).

    >>> import teachflow as tf
    >>> with tf.variable_scope("model"):
    ...     b = tf.get_variable("b", [3], initializer=tf.constant_initializer(0.1))
    >>> b
    <tf.Variable 'model/b:0' shape=(3,) dtype=float32_ref>
    """
    var_store, scope_store = _stores()
    return scope_store.current_scope.get_variable(
        var_store,
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=trainable,
        collections=collections,
        partitioner=partitioner,
        validate_shape=validate_shape,
        custom_getter=custom_getter,
        constraint=constraint,
    )


def get_local_variable(
    name: str,
    shape: Any = None,
    dtype: Any = None,
    initializer: Any = None,
    regularizer: Any = None,
    trainable: bool = False,
    collections: Any = None,
    **kwargs: Any,
) -> Any:
    """Like :func:`get_variable`, in ``GraphKeys.LOCAL_VARIABLES`` and not trainable."""
    collections = list(collections or []) + [GraphKeys.LOCAL_VARIABLES]
    return get_variable(
        name,
        shape=shape,
        dtype=dtype,
        initializer=initializer,
        regularizer=regularizer,
        trainable=False,
        collections=collections,
        **kwargs,
    )


class _PureVariableScope:
    """Sets the current variable scope (no name scope); TensorFlow's ``_pure_variable_scope``."""

    def __init__(
        self,
        name_or_scope: Any,
        reuse: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        custom_getter: Any = None,
        old_name_scope: str | None = None,
        dtype: Any = None,
    ) -> None:
        self._name_or_scope = name_or_scope
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._custom_getter = custom_getter
        self._old_name_scope = old_name_scope
        self._dtype = dtype
        self._scope_store = _stores()[1]
        self._new_name = ""
        self._cached: VariableScope | None = None
        self._old_subscopes: dict[str, int] = {}
        if isinstance(name_or_scope, VariableScope):
            self._new_name = name_or_scope.name
            self._cached = self._configure(
                VariableScope(
                    name_or_scope.reuse if not reuse else reuse,
                    name=self._new_name,
                    initializer=name_or_scope.initializer,
                    regularizer=name_or_scope.regularizer,
                    custom_getter=name_or_scope.custom_getter,
                    name_scope=name_or_scope.original_name_scope,
                    dtype=name_or_scope.dtype,
                ),
                name_or_scope.custom_getter,
            )

    def _configure(self, scope: VariableScope, old_getter: Any) -> VariableScope:
        if self._initializer is not None:
            scope.set_initializer(self._initializer)
        if self._regularizer is not None:
            scope.set_regularizer(self._regularizer)
        if self._custom_getter is not None:
            scope.set_custom_getter(_wrap_custom_getter(self._custom_getter, old_getter))
        if self._dtype is not None:
            scope.set_dtype(self._dtype)
        return scope

    def __enter__(self) -> VariableScope:
        store = self._scope_store
        self._old = store.current_scope
        if self._cached is not None:
            store.open_variable_scope(self._new_name)
            self._old_subscopes = dict(store.variable_scopes_count)
            scope = self._cached
        else:
            old = self._old
            self._new_name = (
                old.name + "/" + self._name_or_scope if old.name else self._name_or_scope
            )
            self._reuse = self._reuse or old.reuse
            scope = self._configure(
                VariableScope(
                    self._reuse,
                    name=self._new_name,
                    initializer=old.initializer,
                    regularizer=old.regularizer,
                    custom_getter=old.custom_getter,
                    name_scope=(
                        self._name_or_scope
                        if self._old_name_scope is None
                        else self._old_name_scope
                    ),
                    dtype=old.dtype,
                ),
                old.custom_getter,
            )
            store.open_variable_scope(self._new_name)
        store.current_scope = scope
        self._last = scope
        return scope

    def __exit__(self, *exc: Any) -> None:
        store = self._scope_store
        if store.current_scope is not self._last:
            raise RuntimeError("Improper nesting of variable_scope.")
        if self._cached is not None:
            store.variable_scopes_count = self._old_subscopes
        else:
            store.close_variable_subscopes(self._new_name)
        store.current_scope = self._old


def _wrap_custom_getter(custom_getter: Any, old_getter: Any) -> Any:
    if old_getter is None:
        return custom_getter

    def wrapped(getter: Any, *args: Any, **kwargs: Any) -> Any:
        return custom_getter(functools.partial(old_getter, getter), *args, **kwargs)

    return wrapped


def _unique_variable_scope(prefix: str) -> str:
    store = _stores()[1]
    current = store.current_scope
    name = current.name + "/" + prefix if current.name else prefix
    if store.variable_scope_count(name) == 0:
        return prefix
    i = 1
    while store.variable_scope_count(f"{name}_{i}") > 0:
        i += 1
    return f"{prefix}_{i}"


class variable_scope:  # TensorFlow's public name
    """A context for ``get_variable``: a name prefix, reuse, default initializer (and a name scope).

    Args:
      name_or_scope: a name, or a captured :class:`VariableScope` to re-enter.
      default_name: used (made unique) when ``name_or_scope`` is None.
      values: tensors passed to the ops inside (their graph becomes the default).
      initializer: default initializer for ``get_variable`` inside.
      reuse: True (only return existing variables), ``tf.AUTO_REUSE`` (return or create),
        or None (inherit; the root scope creates only).

    >>> import teachflow as tf
    >>> with tf.variable_scope("foo") as scope:
    ...     v = tf.get_variable("v", [1])
    ...     scope.reuse_variables()
    ...     v2 = tf.get_variable("v", [1])
    >>> v2 is v
    True
    """

    def __init__(
        self,
        name_or_scope: Any,
        default_name: str | None = None,
        values: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        caching_device: Any = None,
        partitioner: Any = None,
        custom_getter: Any = None,
        reuse: Any = None,
        dtype: Any = None,
        use_resource: Any = None,
        constraint: Any = None,
        auxiliary_name_scope: bool = True,
    ) -> None:
        if default_name is None and name_or_scope is None:
            raise TypeError("If default_name is None then name_or_scope is required")
        if reuse is False:
            reuse = None
        if not (reuse is True or reuse is None or reuse is AUTO_REUSE):
            raise ValueError("The reuse parameter must be True or False or None.")
        if not isinstance(auxiliary_name_scope, bool):
            raise TypeError(
                "The auxiliary_name_scope must be `True` or `False`, while get "
                f"{auxiliary_name_scope}"
            )
        if partitioner is not None:
            raise NotImplementedError("teachflow does not implement partitioned variables.")
        if constraint is not None:
            raise NotImplementedError("teachflow does not implement variable constraints yet.")
        self._name_or_scope = name_or_scope
        self._default_name = default_name
        self._initializer = initializer
        self._regularizer = regularizer
        self._custom_getter = custom_getter
        self._reuse = reuse
        self._dtype = dtype
        self._auxiliary_name_scope = auxiliary_name_scope
        self._graph = registry.graph_for(list(values or []))
        self._graph_ctx: Any = None
        self._name_scope_ctx: Any = None
        self._pure: _PureVariableScope | None = None
        self._entered_name_scope: str | None = None

    def __enter__(self) -> VariableScope:
        self._graph_ctx = self._graph.as_default()
        self._graph_ctx.__enter__()
        try:
            if self._pure is not None:  # re-entering the same object: same name scope
                if self._entered_name_scope is not None:
                    self._name_scope_ctx = self._graph.name_scope(self._entered_name_scope or "")
                    self._name_scope_ctx.__enter__()
                return self._pure.__enter__()
            return self._enter_uncached()
        except BaseException:
            self._graph_ctx.__exit__(None, None, None)
            raise

    def _enter_uncached(self) -> VariableScope:
        g = self._graph
        name_scope_ctx = None
        if not self._auxiliary_name_scope:
            current = g.get_name_scope()
            name_scope_ctx = g.name_scope(current + "/" if current else "")
        if self._name_or_scope is not None:
            if not isinstance(self._name_or_scope, (VariableScope, str)):
                raise TypeError("VariableScope: name_or_scope must be a string or VariableScope.")
            if isinstance(self._name_or_scope, str):
                ns_name = self._name_or_scope
            else:
                ns_name = self._name_or_scope.name.split("/")[-1]
            old_name_scope = None
            if ns_name or name_scope_ctx is not None:
                name_scope_ctx = name_scope_ctx or g.name_scope(ns_name)
                entered = name_scope_ctx.__enter__()
                self._name_scope_ctx = name_scope_ctx
                self._entered_name_scope = entered
                old_name_scope = (
                    entered
                    if isinstance(self._name_or_scope, str)
                    else self._name_or_scope.original_name_scope
                )
            pure = _PureVariableScope(
                self._name_or_scope,
                reuse=self._reuse,
                initializer=self._initializer,
                regularizer=self._regularizer,
                custom_getter=self._custom_getter,
                old_name_scope=old_name_scope,
                dtype=self._dtype,
            )
        else:
            if self._reuse:
                raise ValueError("reuse=True cannot be used without a name_or_scope")
            name_scope_ctx = name_scope_ctx or g.name_scope(self._default_name)
            entered = name_scope_ctx.__enter__()
            self._name_scope_ctx = name_scope_ctx
            self._entered_name_scope = entered
            pure = _PureVariableScope(
                _unique_variable_scope(self._default_name or ""),
                initializer=self._initializer,
                regularizer=self._regularizer,
                custom_getter=self._custom_getter,
                old_name_scope=entered,
                dtype=self._dtype,
            )
        scope = pure.__enter__()
        self._pure = pure
        return scope

    def __exit__(self, *exc: Any) -> None:
        try:
            if self._pure is not None:
                self._pure.__exit__(*exc)
        finally:
            try:
                if self._name_scope_ctx is not None:
                    self._name_scope_ctx.__exit__(None, None, None)
                    self._name_scope_ctx = None
            finally:
                self._graph_ctx.__exit__(None, None, None)
