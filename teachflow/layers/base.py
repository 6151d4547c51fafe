"""``tf.layers.Layer``: a callable that owns its variables, named as TensorFlow 1.x names them.

A layer picks its variable scope when first called: the ``name`` it was given, or its snake-case
class name made unique (``dense``, ``dense_1``...). Its variables are ``<scope>/kernel``,
``<scope>/bias``; its ops live in the name scope opened with that variable scope. Calling the same
layer again reuses its variables; a new layer with ``reuse=True`` (or inside a scope with
``reuse=tf.AUTO_REUSE``) and the same ``name`` shares them.

>>> import teachflow as tf
>>> x = tf.placeholder(tf.float32, [None, 4])
>>> fc = tf.layers.Dense(3, name="fc")
>>> a, b = fc(x), fc(x)
>>> print(a.name, b.name, [v.name for v in fc.variables])
fc/BiasAdd:0 fc/BiasAdd_1:0 ['fc/kernel:0', 'fc/bias:0']
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from teachflow import dtypes
from teachflow.graph import GraphKeys, Tensor, get_default_graph
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.tensor_shape import TensorShape


def _snake_case(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


_LAYER_NAMES: weakref.WeakKeyDictionary[Any, dict[str, int]] = weakref.WeakKeyDictionary()


def _unique_layer_name(base: str) -> str:
    """Keras' object names: ``dense_1``, ``dense_2``... per graph (the scope names differ)."""
    counts = _LAYER_NAMES.setdefault(get_default_graph(), {})
    counts[base] = counts.get(base, 0) + 1
    return f"{base}_{counts[base]}"


class Layer:
    """The base of ``tf.layers`` classes: subclasses define ``build(input_shape)`` and ``call``.

    Args:
      trainable: put the layer's variables in ``GraphKeys.TRAINABLE_VARIABLES``.
      name: the variable scope (default: the class name in snake case, made unique).
      dtype: the variables' dtype (float32).
    """

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype: Any = None,
        _reuse: Any = None,
        _scope: Any = None,
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - {"activity_regularizer", "input_shape", "_keras_api_names"}
        if unknown:
            raise TypeError(f"Keyword argument not understood: {sorted(unknown)[0]}")
        self.trainable = trainable
        self.built = False
        self._reuse = _reuse
        self._scope: Any = None
        self._built_scope: Any = None
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype
        base = _snake_case(type(self).__name__)
        if isinstance(name, str) and name:
            self._name, self._base_name = name, name
        else:
            self._name, self._base_name = _unique_layer_name(base), base
        self._trainable_weights: list[Any] = []
        self._non_trainable_weights: list[Any] = []
        self._losses: list[Tensor] = []
        self._updates: list[Any] = []
        self.input_spec = None
        if _scope is not None:  # the functional API: the scope is exactly `name`, opened now
            from teachflow.variable_scope import variable_scope

            with variable_scope(_scope) as captured:
                self._scope = captured

    name = property(lambda self: self._name)
    dtype = property(lambda self: (self._dtype or dtypes.float32).name)
    scope_name = property(lambda self: self._scope.name if self._scope is not None else None)
    losses = property(lambda self: list(self._losses))
    updates = property(lambda self: list(self._updates))
    trainable_weights = property(
        lambda self: list(self._trainable_weights) if self.trainable else []
    )
    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[Any]:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list[Any]:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    def build(self, input_shape: TensorShape) -> None:
        self.built = True

    def call(self, inputs: Tensor, **kwargs: Any) -> Any:
        return inputs

    def _set_scope(self, scope: Any = None) -> None:
        from teachflow.variable_scope import variable_scope

        if self._scope is not None:
            return
        if self._reuse:
            with variable_scope(scope if scope is not None else self._base_name) as captured:
                self._scope = captured
        else:
            with variable_scope(scope, default_name=self._base_name) as captured:
                self._scope = captured

    def add_weight(
        self,
        name: str,
        shape: Any,
        dtype: Any = None,
        initializer: Any = None,
        regularizer: Any = None,
        trainable: bool = True,
        constraint: Any = None,
    ) -> Any:
        """A variable ``<layer scope>/name`` (``tf.get_variable``'s rules: shared on reuse)."""
        from teachflow.variable_scope import get_variable

        g = get_default_graph()
        existing = set(map(id, g.get_collection(GraphKeys.GLOBAL_VARIABLES)))
        trainable = trainable and self.trainable
        v = get_variable(
            name,
            shape=shape,
            dtype=dtype or self._dtype or dtypes.float32,
            initializer=initializer,
            trainable=trainable,
            constraint=constraint,
        )
        (self._trainable_weights if trainable else self._non_trainable_weights).append(v)
        if regularizer is not None and id(v) not in existing:
            with g.name_scope(name + "/Regularizer"):
                loss = regularizer(v)
            if loss is not None:
                self._losses.append(loss)
                g.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
        return v

    def add_update(self, update: Any) -> None:
        self._updates.append(update)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        from teachflow.variable_scope import variable_scope

        scope = kwargs.pop("scope", None)
        g = get_default_graph()
        if not isinstance(inputs, Tensor):
            inputs = convert_to_tensor(inputs)
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False):
            with g.name_scope(self._scope.original_name_scope):
                if not self.built:
                    self._check_input_dtype(inputs)
                    self.build(inputs.shape)
                    self.built = True
                return self.call(inputs, *args, **kwargs)

    def _check_input_dtype(self, inputs: Tensor) -> None:
        if self._dtype is None:
            dt = inputs.dtype.base_dtype
            self._dtype = dt if dt.is_floating else dtypes.float32

    def _cast_inputs(self, inputs: Tensor) -> Tensor:
        from teachflow.ops.cast_ops import cast

        want = self._dtype or dtypes.float32
        return inputs if inputs.dtype.base_dtype == want else cast(inputs, want)

    def apply(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        return self(inputs, *args, **kwargs)

    def get_weights(self) -> list[Any]:
        from teachflow.session import get_default_session

        sess = get_default_session()
        if sess is None:
            raise ValueError("get_weights needs a default session (`with tf.Session() as sess:`).")
        return list(sess.run(self.weights))

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__name__} name={self._name!r}>"


def activation_fn(activation: Any) -> Any:
    """``activation=`` accepts a function, None, or a Keras-style name ("relu", "tanh"...)."""
    if activation is None or callable(activation):
        return activation
    from teachflow import nn
    from teachflow.ops import math_ops

    table = {
        "relu": nn.relu,
        "relu6": nn.relu6,
        "elu": nn.elu,
        "selu": nn.selu,
        "tanh": math_ops.tanh,
        "sigmoid": math_ops.sigmoid,
        "softmax": nn.softmax,
        "softplus": nn.softplus,
        "softsign": nn.softsign,
        "linear": None,
    }
    if activation not in table:
        raise ValueError(f"Unknown activation function: {activation}")
    return table[activation]


def initializer_arg(init: Any) -> Any:
    """An initializer, None, or a Keras-style name ("zeros", "glorot_uniform"...)."""
    if init is None or not isinstance(init, str):
        return init
    from teachflow import init_ops

    table = {
        "zeros": init_ops.zeros_initializer,
        "ones": init_ops.ones_initializer,
        "glorot_uniform": init_ops.glorot_uniform_initializer,
        "glorot_normal": init_ops.glorot_normal_initializer,
        "random_normal": init_ops.random_normal_initializer,
        "random_uniform": init_ops.random_uniform_initializer,
        "truncated_normal": init_ops.truncated_normal_initializer,
    }
    if init not in table:
        raise ValueError(f"Unknown initializer: {init}")
    return table[init]()
