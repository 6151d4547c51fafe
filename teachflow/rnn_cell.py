"""``tf.nn.rnn_cell``: TensorFlow 1.x's recurrent cells (also ``tf.contrib.rnn``).

A cell maps ``(input, state)`` to ``(output, new_state)`` for one time step; :func:`static_rnn`
(in :mod:`teachflow.rnn`) unrolls it over a list of inputs, sharing its variables. Variable names,
gate order and weight layouts are TensorFlow's, so its weights load here unchanged:

- ``BasicRNNCell``: ``h = tanh([x, h] @ kernel + bias)``
- ``BasicLSTMCell`` / ``LSTMCell``: ``i, j, f, o = split([x, h] @ kernel + bias, 4)``,
  ``c = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j)``, ``h = tanh(c) * sigmoid(o)``
- ``GRUCell``: ``r, u = split(sigmoid([x, h] @ gates/kernel + gates/bias), 2)``,
  ``h = u * h + (1 - u) * tanh([x, r * h] @ candidate/kernel + candidate/bias)``

>>> import teachflow as tf
>>> x = [tf.placeholder(tf.float32, [None, 3]) for _ in range(2)]
>>> cell = tf.nn.rnn_cell.BasicLSTMCell(4)
>>> outputs, state = tf.nn.static_rnn(cell, x, dtype=tf.float32)
>>> [v.name for v in tf.global_variables()]
['rnn/basic_lstm_cell/kernel:0', 'rnn/basic_lstm_cell/bias:0']
>>> outputs[-1].shape, state.c.shape
(TensorShape([Dimension(None), Dimension(4)]), TensorShape([Dimension(None), Dimension(4)]))
"""

from __future__ import annotations

import collections
import numbers
from typing import Any

from teachflow.graph import Tensor, get_default_graph
from teachflow.layers.base import Layer, activation_fn

_WEIGHTS = "kernel"
_BIAS = "bias"


def _tf() -> Any:
    import teachflow

    return teachflow


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, (tuple, list)):
        return [leaf for item in x for leaf in _flatten(item)]
    return [x]


def _pack_like(structure: Any, flat: list[Any]) -> Any:
    it = iter(flat)

    def pack(s: Any) -> Any:
        if isinstance(s, (tuple, list)):
            items = [pack(v) for v in s]
            return type(s)(*items) if hasattr(s, "_fields") else type(s)(items)
        return next(it)

    return pack(structure)


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """An LSTM's state: the cell state ``c`` and the output ``h`` (both ``[batch, units]``)."""

    __slots__ = ()

    @property
    def dtype(self) -> Any:
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(
                f"Inconsistent internal state: {c.dtype} vs {h.dtype}\n  Hint: give c and h "
                "the same dtype."
            )
        return c.dtype


class RNNCell(Layer):
    """The base of the cells: ``cell(inputs, state)`` returns ``(output, new_state)``.

    A subclass defines ``state_size``, ``output_size`` and ``call(inputs, state)`` (or
    ``__call__``); ``zero_state(batch_size, dtype)`` gives the all-zeros starting state.
    """

    def __init__(
        self, trainable: bool = True, name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        reuse = kwargs.pop("_reuse", None)
        super().__init__(trainable=trainable, name=name, dtype=dtype, _reuse=reuse, **kwargs)

    @property
    def state_size(self) -> Any:
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self) -> Any:
        raise NotImplementedError("Abstract method")

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:  # type: ignore[override]
        if scope is not None:
            from teachflow.variable_scope import variable_scope

            with variable_scope(scope):
                return Layer.__call__(self, inputs, state)
        return Layer.__call__(self, inputs, state)

    def build(self, input_shape: Any) -> None:
        self.built = True

    def call(self, inputs: Any, state: Any) -> Any:  # type: ignore[override]
        raise NotImplementedError("Abstract method")

    def get_initial_state(
        self, inputs: Any = None, batch_size: Any = None, dtype: Any = None
    ) -> Any:
        return self.zero_state(batch_size, dtype)

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        """The state of all zeros: ``[batch_size, n]`` for each size in ``state_size``."""
        g = get_default_graph()
        with g.name_scope(type(self).__name__ + "ZeroState"):
            sizes = self.state_size
            flat = [_zeros(batch_size, s, dtype) for s in _flatten(sizes)]
            return _pack_like(sizes, flat) if isinstance(sizes, (tuple, list)) else flat[0]

    def _input_depth(self, input_shape: Any) -> int:
        depth = input_shape[-1] if input_shape.ndims else None
        value = getattr(depth, "value", depth)
        if value is None:
            raise ValueError(
                f"Expected inputs.shape[-1] to be known, saw shape: {input_shape}\n  Hint: give "
                "the inputs a known last dimension (the number of features per step)."
            )
        return int(value)


LayerRNNCell = RNNCell


def _zeros(batch_size: Any, size: int, dtype: Any) -> Tensor:
    """zeros([batch_size, size]), built as TensorFlow builds it (ExpandDims/concat, Fill)."""
    tf = _tf()
    if isinstance(batch_size, Tensor):
        prefix = tf.expand_dims(batch_size, 0)
    else:
        prefix = tf.constant([int(batch_size)], dtype=tf.int32)
    shape = tf.concat([prefix, tf.constant([int(size)], dtype=tf.int32)], 0)
    z = tf.zeros(shape, dtype=dtype)
    # TensorFlow then builds the static shape the same way (ops nothing uses; kept so that the
    # graph reads as TensorFlow's)
    if isinstance(batch_size, Tensor):
        tf.expand_dims(batch_size, 0)
    else:
        tf.constant([int(batch_size)], dtype=tf.int32)
    tf.constant([int(size)], dtype=tf.int32)
    static = None if isinstance(batch_size, Tensor) else int(batch_size)
    z.set_shape([static, int(size)])
    return z


def _check_units(num_units: Any) -> int:
    if not isinstance(num_units, numbers.Integral) or isinstance(num_units, bool):
        raise TypeError(f"num_units must be an int, got {num_units!r}.")
    if num_units <= 0:
        raise ValueError(f"num_units must be positive, got {num_units}.")
    return int(num_units)


class BasicRNNCell(RNNCell):
    """``h = activation([x, h] @ kernel + bias)`` (activation: tanh).

    Variables: ``<scope>/basic_rnn_cell/kernel`` ``[depth + units, units]``, ``.../bias``.
    """

    def __init__(
        self,
        num_units: int,
        activation: Any = None,
        reuse: Any = None,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = _check_units(num_units)
        self._activation = activation_fn(activation) or _tf().tanh

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, input_shape: Any) -> None:
        from teachflow.init_ops import zeros_initializer

        depth = self._input_depth(input_shape)
        self._kernel = self.add_weight(_WEIGHTS, [depth + self._num_units, self._num_units])
        self._bias = self.add_weight(
            _BIAS, [self._num_units], initializer=zeros_initializer(dtype=self._dtype)
        )
        self.built = True

    def call(self, inputs: Any, state: Any) -> Any:  # type: ignore[override]
        tf = _tf()
        gate_inputs = tf.matmul(tf.concat([inputs, state], 1), self._kernel)
        output = self._activation(tf.nn.bias_add(gate_inputs, self._bias))
        return output, output


class BasicLSTMCell(RNNCell):
    """TensorFlow 1.x's LSTM without peepholes or projection (gates i, j, f, o in that order).

    Variables: ``.../basic_lstm_cell/kernel`` ``[depth + units, 4 * units]``, ``.../bias``
    ``[4 * units]`` (zeros); ``forget_bias`` is added to the f gate at each step.
    """

    def __init__(
        self,
        num_units: int,
        forget_bias: float = 1.0,
        state_is_tuple: bool = True,
        activation: Any = None,
        reuse: Any = None,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = _check_units(num_units)
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation_fn(activation) or _tf().tanh

    @property
    def state_size(self) -> Any:
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, input_shape: Any) -> None:
        from teachflow.init_ops import zeros_initializer

        depth = self._input_depth(input_shape)
        n = self._num_units
        self._kernel = self.add_weight(_WEIGHTS, [depth + n, 4 * n])
        self._bias = self.add_weight(
            _BIAS, [4 * n], initializer=zeros_initializer(dtype=self._dtype)
        )
        self.built = True

    def call(self, inputs: Any, state: Any) -> Any:  # type: ignore[override]
        tf = _tf()
        sigmoid = tf.sigmoid
        one = tf.constant(1, dtype=tf.int32)
        if self._state_is_tuple:
            c, h = state
        else:
            c, h = tf.split(value=state, num_or_size_splits=2, axis=one)
        gate_inputs = tf.matmul(tf.concat([inputs, h], 1), self._kernel)
        gate_inputs = tf.nn.bias_add(gate_inputs, self._bias)
        i, j, f, o = tf.split(value=gate_inputs, num_or_size_splits=4, axis=one)
        forget_bias = tf.constant(self._forget_bias, dtype=f.dtype)
        add, multiply = tf.add, tf.multiply
        new_c = add(
            multiply(c, sigmoid(add(f, forget_bias))),
            multiply(sigmoid(i), self._activation(j)),
        )
        new_h = multiply(self._activation(new_c), sigmoid(o))
        new_state = (
            LSTMStateTuple(new_c, new_h) if self._state_is_tuple else tf.concat([new_c, new_h], 1)
        )
        return new_h, new_state


class LSTMCell(RNNCell):
    """TensorFlow 1.x's full LSTM: optional peepholes (``w_f_diag``, ``w_i_diag``, ``w_o_diag``),
    cell clipping and a projection of the output (``projection/kernel`` ``[units, num_proj]``).
    """

    def __init__(
        self,
        num_units: int,
        use_peepholes: bool = False,
        cell_clip: float | None = None,
        initializer: Any = None,
        num_proj: int | None = None,
        proj_clip: float | None = None,
        num_unit_shards: Any = None,
        num_proj_shards: Any = None,
        forget_bias: float = 1.0,
        state_is_tuple: bool = True,
        activation: Any = None,
        reuse: Any = None,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = _check_units(num_units)
        self._use_peepholes = use_peepholes
        self._cell_clip = cell_clip
        self._initializer = initializer
        self._num_proj = None if num_proj is None else _check_units(num_proj)
        self._proj_clip = proj_clip
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation_fn(activation) or _tf().tanh

    @property
    def state_size(self) -> Any:
        n, p = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, p) if self._state_is_tuple else n + p

    @property
    def output_size(self) -> int:
        return self._num_proj or self._num_units

    def build(self, input_shape: Any) -> None:
        from teachflow.init_ops import zeros_initializer

        depth = self._input_depth(input_shape)
        n = self._num_units
        h_depth = self._num_proj or n
        init = self._initializer
        self._kernel = self.add_weight(_WEIGHTS, [depth + h_depth, 4 * n], initializer=init)
        self._bias = self.add_weight(
            _BIAS, [4 * n], initializer=zeros_initializer(dtype=self._dtype)
        )
        if self._use_peepholes:
            self._w_f_diag = self.add_weight("w_f_diag", [n], initializer=init)
            self._w_i_diag = self.add_weight("w_i_diag", [n], initializer=init)
            self._w_o_diag = self.add_weight("w_o_diag", [n], initializer=init)
        if self._num_proj is not None:
            self._proj_kernel = self.add_weight(
                f"projection/{_WEIGHTS}", [n, self._num_proj], initializer=init
            )
        self.built = True

    def call(self, inputs: Any, state: Any) -> Any:  # type: ignore[override]
        tf = _tf()
        sigmoid = tf.sigmoid
        n = self._num_units
        num_proj = self._num_proj or n
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev = tf.slice(state, [0, 0], [-1, n])
            m_prev = tf.slice(state, [0, n], [-1, num_proj])
        lstm_matrix = tf.matmul(tf.concat([inputs, m_prev], 1), self._kernel)
        lstm_matrix = tf.nn.bias_add(lstm_matrix, self._bias)
        i, j, f, o = tf.split(value=lstm_matrix, num_or_size_splits=4, axis=1)
        if self._use_peepholes:
            c = sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev + sigmoid(
                i + self._w_i_diag * c_prev
            ) * self._activation(j)
        else:
            c = sigmoid(f + self._forget_bias) * c_prev + sigmoid(i) * self._activation(j)
        if self._cell_clip is not None:
            c = tf.clip_by_value(c, -self._cell_clip, self._cell_clip)
        if self._use_peepholes:
            m = sigmoid(o + self._w_o_diag * c) * self._activation(c)
        else:
            m = sigmoid(o) * self._activation(c)
        if self._num_proj is not None:
            m = tf.matmul(m, self._proj_kernel)
            if self._proj_clip is not None:
                m = tf.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else tf.concat([c, m], 1)
        return m, new_state


class GRUCell(RNNCell):
    """TensorFlow 1.x's GRU (gates r, u in that order; gates' bias starts at 1.0).

    Variables: ``.../gru_cell/gates/kernel`` ``[depth + units, 2 * units]``, ``gates/bias``,
    ``candidate/kernel`` ``[depth + units, units]``, ``candidate/bias``.
    """

    def __init__(
        self,
        num_units: int,
        activation: Any = None,
        reuse: Any = None,
        kernel_initializer: Any = None,
        bias_initializer: Any = None,
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = _check_units(num_units)
        self._activation = activation_fn(activation) or _tf().tanh
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    @property
    def state_size(self) -> int:
        return self._num_units

    @property
    def output_size(self) -> int:
        return self._num_units

    def build(self, input_shape: Any) -> None:
        from teachflow.init_ops import constant_initializer, zeros_initializer

        depth = self._input_depth(input_shape)
        n = self._num_units
        kinit, binit = self._kernel_initializer, self._bias_initializer
        self._gate_kernel = self.add_weight(
            f"gates/{_WEIGHTS}", [depth + n, 2 * n], initializer=kinit
        )
        self._gate_bias = self.add_weight(
            f"gates/{_BIAS}",
            [2 * n],
            initializer=binit
            if binit is not None
            else constant_initializer(1.0, dtype=self._dtype),
        )
        self._candidate_kernel = self.add_weight(
            f"candidate/{_WEIGHTS}", [depth + n, n], initializer=kinit
        )
        self._candidate_bias = self.add_weight(
            f"candidate/{_BIAS}",
            [n],
            initializer=binit if binit is not None else zeros_initializer(dtype=self._dtype),
        )
        self.built = True

    def call(self, inputs: Any, state: Any) -> Any:  # type: ignore[override]
        tf = _tf()
        gate_inputs = tf.matmul(tf.concat([inputs, state], 1), self._gate_kernel)
        gate_inputs = tf.nn.bias_add(gate_inputs, self._gate_bias)
        value = tf.sigmoid(gate_inputs)
        r, u = tf.split(value=value, num_or_size_splits=2, axis=1)
        r_state = r * state
        candidate = tf.matmul(tf.concat([inputs, r_state], 1), self._candidate_kernel)
        candidate = tf.nn.bias_add(candidate, self._candidate_bias)
        c = self._activation(candidate)
        new_h = u * state + (1 - u) * c
        return new_h, new_h


class MultiRNNCell(RNNCell):
    """Cells stacked: the output of ``cells[i]`` is the input of ``cells[i + 1]``; each cell's
    variables live under ``multi_rnn_cell/cell_<i>/``. Give each layer its own cell object."""

    def __init__(self, cells: Any, state_is_tuple: bool = True) -> None:
        super().__init__()
        if not isinstance(cells, (list, tuple)):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        cells = list(cells)
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        self._cells = cells
        self._state_is_tuple = state_is_tuple
        if not state_is_tuple and any(isinstance(c.state_size, tuple) for c in self._cells):
            raise ValueError(
                "Some cells return tuples of states, but the flag state_is_tuple is not set. "
                f"State sizes are: {[c.state_size for c in self._cells]}"
            )

    @property
    def state_size(self) -> Any:
        if self._state_is_tuple:
            return tuple(c.state_size for c in self._cells)
        return sum(c.state_size for c in self._cells)

    @property
    def output_size(self) -> Any:
        return self._cells[-1].output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        g = get_default_graph()
        with g.name_scope(type(self).__name__ + "ZeroState"):
            if self._state_is_tuple:
                return tuple(c.zero_state(batch_size, dtype) for c in self._cells)
            return RNNCell.zero_state(self, batch_size, dtype)

    def call(self, inputs: Any, state: Any) -> Any:  # type: ignore[override]
        from teachflow.variable_scope import variable_scope

        tf = _tf()
        cur_inp = inputs
        new_states = []
        pos = 0
        if self._state_is_tuple and (
            not isinstance(state, (tuple, list)) or len(state) != len(self._cells)
        ):
            raise ValueError(
                f"Expected state to be a tuple of length {len(self._cells)}, but received: {state}"
            )
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                if self._state_is_tuple:
                    cur_state = state[i]
                else:
                    cur_state = tf.slice(state, [0, pos], [-1, cell.state_size])
                    pos += cell.state_size
                cur_inp, new_state = cell(cur_inp, cur_state)
                new_states.append(new_state)
        if self._state_is_tuple:
            return cur_inp, tuple(new_states)
        return cur_inp, tf.concat(new_states, 1)


class DropoutWrapper(RNNCell):
    """Dropout on a cell's inputs, outputs and/or state (``*_keep_prob``: floats or tensors,
    e.g. a placeholder fed 1.0 at test time). The wrapped cell keeps its variable names."""

    def __init__(
        self,
        cell: Any,
        input_keep_prob: Any = 1.0,
        output_keep_prob: Any = 1.0,
        state_keep_prob: Any = 1.0,
        variational_recurrent: bool = False,
        input_size: Any = None,
        dtype: Any = None,
        seed: Any = None,
        dropout_state_filter_visitor: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(getattr(cell, "zero_state", None)):
            raise TypeError(f"The parameter cell is not a RNNCell: {cell!r}")
        if variational_recurrent:
            from teachflow.unsupported import UnsupportedFeatureError

            raise UnsupportedFeatureError(
                "teachflow does not implement DropoutWrapper(variational_recurrent=True) "
                "(TensorFlow 1.x has it). Hint: use the default per-step dropout."
            )
        self._cell = cell
        self._seed = seed
        self._filter = dropout_state_filter_visitor
        tf = _tf()
        probs = {}
        with get_default_graph().name_scope("DropoutWrapperInit"):
            for name, v in (
                ("input", input_keep_prob),
                ("state", state_keep_prob),
                ("output", output_keep_prob),
            ):
                t = tf.convert_to_tensor(v)
                from teachflow.ops.registry import constant_value

                const = constant_value(t)
                if const is not None and not 0 < float(const) <= 1:
                    raise ValueError(f"Parameter {name}_keep_prob must be between 0 and 1: {v}")
                probs[name] = (t, const)
        self._probs = probs

    @property
    def wrapped_cell(self) -> Any:
        return self._cell

    @property
    def state_size(self) -> Any:
        return self._cell.state_size

    @property
    def output_size(self) -> Any:
        return self._cell.output_size

    def zero_state(self, batch_size: Any, dtype: Any) -> Any:
        with get_default_graph().name_scope(type(self).__name__ + "ZeroState"):
            return self._cell.zero_state(batch_size, dtype)

    def _should_drop(self, name: str) -> bool:
        _, const = self._probs[name]
        return const is None or float(const) < 1

    def _dropout(self, x: Any, name: str) -> Any:
        tf = _tf()
        return tf.nn.dropout(x, keep_prob=self._probs[name][0], seed=self._seed)

    def __call__(self, inputs: Any, state: Any, scope: Any = None) -> Any:  # type: ignore[override]
        if self._should_drop("input"):
            inputs = self._dropout(inputs, "input")
        output, new_state = self._cell(inputs, state, scope=scope)
        if self._should_drop("state"):
            new_state = self._drop_state(new_state)
        if self._should_drop("output"):
            output = self._dropout(output, "output")
        return output, new_state

    def _drop_state(self, state: Any) -> Any:
        """Drops out each part of the state the filter allows (by default all but an LSTM's c)."""
        if isinstance(state, LSTMStateTuple) and self._filter is None:
            return LSTMStateTuple(state.c, self._dropout(state.h, "state"))
        if isinstance(state, (tuple, list)):
            return _pack_like(state, [self._drop_state(s) for s in state])
        keep = True if self._filter is None else bool(self._filter(state))
        return self._dropout(state, "state") if keep else state
