"""``tf.nn.static_rnn``: a cell unrolled over a Python list of time steps (one copy of the
cell's ops per step, all sharing its variables), and its bidirectional form.

>>> import teachflow as tf
>>> steps = [tf.constant([[1.0, 0.0]]), tf.constant([[0.0, 1.0]])]
>>> cell = tf.nn.rnn_cell.BasicRNNCell(3)
>>> outputs, state = tf.nn.static_rnn(cell, steps, dtype=tf.float32)
>>> len(outputs), outputs[1].name, state.name
(2, 'rnn/basic_rnn_cell/Tanh_1:0', 'rnn/basic_rnn_cell/Tanh_1:0')
"""

from __future__ import annotations

from typing import Any

from teachflow.graph import Tensor
from teachflow.rnn_cell import _flatten, _pack_like
from teachflow.tensor_shape import TensorShape


def _tf() -> Any:
    import teachflow

    return teachflow


def _check_cell(cell: Any) -> None:
    if not (callable(cell) and hasattr(cell, "state_size") and hasattr(cell, "output_size")):
        raise TypeError(f"cell must be an instance of RNNCell, got {cell!r}")


def static_rnn(
    cell: Any,
    inputs: Any,
    initial_state: Any = None,
    dtype: Any = None,
    sequence_length: Any = None,
    scope: Any = None,
) -> tuple[list[Any], Any]:
    """Runs ``cell`` on ``inputs[0], inputs[1], ...`` (each ``[batch, depth]``), carrying the
    state; returns ``(outputs, final_state)``. With ``sequence_length`` (``[batch]``), steps past
    a sequence's end output zeros and keep its state."""
    from teachflow.variable_scope import variable_scope

    tf = _tf()
    _check_cell(cell)
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a sequence")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "rnn") as varscope:
        first = inputs[0]
        while isinstance(first, (list, tuple)):
            first = first[0]
        first = tf.convert_to_tensor(first)
        for x in _flatten(list(inputs)):
            shape = tf.convert_to_tensor(x).shape
            if shape.ndims is not None and shape.ndims < 2:
                raise ValueError(
                    f"Shape {shape} must have rank at least 2\n  Hint: each step's input is "
                    "[batch, features]."
                )
            for i, d in enumerate(shape.as_list()[1:] if shape.ndims else []):
                if d is None:
                    raise ValueError(
                        f"Input size (dimension {i} of inputs) must be accessible via shape "
                        "inference, but saw value None."
                    )
        fixed = first.shape[0].value if first.shape.ndims else None
        batch_size: Any = fixed if fixed is not None else tf.shape(first)[0]
        if initial_state is not None:
            state = initial_state
        else:
            if not dtype:
                raise ValueError("If no initial_state is provided, dtype must be specified")
            state = cell.zero_state(batch_size, dtype)
        if sequence_length is not None:
            sequence_length = tf.to_int32(sequence_length, name="sequence_length")
            zero_output = _zero_output(cell, batch_size, dtype or _state_dtype(state))
        outputs = []
        for time, x in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()
            output, new_state = cell(x, state)
            if sequence_length is not None:
                done = tf.greater_equal(time, sequence_length)
                output = _select(done, zero_output, output)
                new_state = (
                    _pack_like(
                        state,
                        [_select(done, a, b) for a, b in zip(_flatten(state), _flatten(new_state))],
                    )
                    if isinstance(state, (tuple, list))
                    else _select(done, state, new_state)
                )
            state = new_state
            outputs.append(output)
        return outputs, state


def _state_dtype(state: Any) -> Any:
    return _flatten(state)[0].dtype


def _zero_output(cell: Any, batch_size: Any, dtype: Any) -> Any:
    from teachflow.rnn_cell import _zeros

    sizes = cell.output_size
    flat = [_zeros(batch_size, s, dtype) for s in _flatten(sizes)]
    return _pack_like(sizes, flat) if isinstance(sizes, (tuple, list)) else flat[0]


def _select(done: Tensor, old: Any, new: Any) -> Any:
    """Per row: ``old`` where the sequence has ended, else ``new``."""
    tf = _tf()
    if isinstance(new, (tuple, list)):
        return _pack_like(new, [_select(done, a, b) for a, b in zip(_flatten(old), _flatten(new))])
    return tf.where(done, old, new)


def static_bidirectional_rnn(
    cell_fw: Any,
    cell_bw: Any,
    inputs: Any,
    initial_state_fw: Any = None,
    initial_state_bw: Any = None,
    dtype: Any = None,
    sequence_length: Any = None,
    scope: Any = None,
) -> tuple[list[Any], Any, Any]:
    """A forward and a backward :func:`static_rnn` (scopes ``bidirectional_rnn/fw`` and
    ``/bw``); each output is the two directions' outputs concatenated."""
    from teachflow.variable_scope import variable_scope

    tf = _tf()
    _check_cell(cell_fw)
    _check_cell(cell_bw)
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a list")
    if not inputs:
        raise ValueError("inputs must not be empty")
    if sequence_length is not None:
        from teachflow.unsupported import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            "teachflow does not implement static_bidirectional_rnn(sequence_length=...) "
            "(TensorFlow 1.x has it). Hint: pad the sequences to the same length."
        )
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            out_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            rev, state_bw = static_rnn(
                cell_bw, list(reversed(inputs)), initial_state_bw, dtype, scope=bw_scope
            )
    out_bw = list(reversed(rev))
    outputs = [tf.concat([a, b], 1) for a, b in zip(out_fw, out_bw)]
    return outputs, state_fw, state_bw


def dynamic_rnn(
    cell: Any,
    inputs: Any,
    sequence_length: Any = None,
    initial_state: Any = None,
    dtype: Any = None,
    parallel_iterations: Any = None,
    swap_memory: bool = False,
    time_major: bool = False,
    scope: Any = None,
) -> tuple[Any, Any]:
    """Runs ``cell`` over the time steps of ``inputs`` in a ``tf.while_loop`` (one copy of the
    cell's ops, run once per step), as TensorFlow 1.x builds it: ``rnn/while/...``, the steps
    read from and written to TensorArrays. ``inputs``: ``[batch, time, depth]`` (``[time, batch,
    depth]`` with ``time_major``); returns ``(outputs, final_state)``, outputs shaped like the
    inputs with the cell's output size as depth. With ``sequence_length`` (``[batch]``), steps
    past a sequence's end output zeros and keep its state.

    >>> import teachflow as tf
    >>> with tf.Graph().as_default():
    ...     x = tf.ones([2, 4, 3])
    ...     cell = tf.nn.rnn_cell.BasicRNNCell(5)
    ...     out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    >>> out.shape.as_list(), state.shape.as_list(), out.op.name
    ([2, 4, 5], [2, 5], 'rnn/transpose_1')
    """
    from teachflow.variable_scope import variable_scope

    tf = _tf()
    if not (callable(cell) and hasattr(cell, "state_size") and hasattr(cell, "output_size")):
        raise TypeError(
            f"The argument 'cell' ({cell}) is not an RNNCell: 'output_size' property is missing, "
            "'state_size' property is missing, either 'zero_state' or 'get_initial_state' method "
            "is required, is not callable.\n"
            "  Hint: pass a cell object, e.g. tf.nn.rnn_cell.BasicLSTMCell(num_units)."
        )
    with variable_scope(scope or "rnn"):
        flat = [tf.convert_to_tensor(x) for x in _flatten(inputs)]
        for x in flat:
            if x.shape.ndims is not None and x.shape.ndims < 3:
                dims = x.shape.as_list()
                shown = dims if time_major else dims[1::-1] + dims[2:]  # as TensorFlow
                raise ValueError(
                    f"Shape {TensorShape(shown)} must have rank at least 3\n  Hint: "
                    "dynamic_rnn's inputs are [batch, time, features] (or [time, batch, "
                    "features] with time_major)."
                )
        if not time_major:
            flat = [_swap_batch_time(x) for x in flat]
        for x in flat:
            if x.shape.ndims is not None and x.shape[-1].value is None:
                raise ValueError(
                    "Input size (depth of inputs) must be accessible via shape inference, but "
                    f"saw value None for input={x}.\n  Hint: give the inputs a known last "
                    "dimension (the features per step)."
                )
        parallel = parallel_iterations or 32
        if sequence_length is not None:
            sequence_length = tf.to_int32(sequence_length)
            sequence_length = tf.identity(sequence_length, name="sequence_length")
        static_batch = flat[0].shape[1].value if flat[0].shape.ndims else None
        batch_size: Any = static_batch if static_batch is not None else tf.shape(flat[0])[1]
        if initial_state is not None:
            state = initial_state
        else:
            if not dtype:
                raise ValueError(
                    "If no initial_state is provided, argument `dtype` must be specified"
                )
            state = cell.zero_state(batch_size, dtype)
        out_dtype = dtype or _state_dtype(state)
        outputs, final_state = _dynamic_rnn_loop(
            cell, flat, state, parallel, sequence_length, out_dtype, batch_size
        )
        if not time_major:
            outputs = [_swap_batch_time(o) for o in outputs]
        sizes = cell.output_size
        packed = _pack_like(sizes, outputs) if isinstance(sizes, (tuple, list)) else outputs[0]
        return packed, final_state


def _swap_batch_time(x: Any) -> Any:
    """[batch, time, ...] <-> [time, batch, ...] (TensorFlow's ``transpose``)."""
    tf = _tf()
    rank = x.shape.ndims
    perm = [1, 0] + list(range(2, rank))
    return tf.transpose(x, perm)


def _dynamic_rnn_loop(
    cell: Any,
    flat: list[Any],
    state: Any,
    parallel: int,
    sequence_length: Any,
    dtype: Any,
    batch_size: Any,
) -> tuple[list[Any], Any]:
    from teachflow.ops.tensor_array_ops import TensorArray
    from teachflow.ops.while_ops import while_loop

    tf = _tf()
    g = tf.get_default_graph()
    shape = tf.shape(flat[0])
    time_steps = shape[0]
    static_steps = flat[0].shape[0].value
    if sequence_length is not None:
        tf.reduce_min(sequence_length)  # (TensorFlow computes it too: the graphs match)
        max_len = tf.reduce_max(sequence_length)
    time = tf.constant(0, dtype=tf.int32, name="time")
    with g.name_scope("dynamic_rnn") as base:
        pass
    out_sizes = _flatten(cell.output_size)
    size = static_steps if static_steps is not None else time_steps
    output_tas = [
        TensorArray(dtype, size=size, tensor_array_name=f"{base}output_{i}")
        for i in range(len(out_sizes))
    ]
    input_tas = [
        TensorArray(x.dtype, size=size, tensor_array_name=f"{base}input_{i}")
        for i, x in enumerate(flat)
    ]
    input_tas = [ta.unstack(x) for ta, x in zip(input_tas, flat)]
    if sequence_length is not None:
        zero_output = [tf.zeros(tf.stack([batch_size, s]), dtype=dtype) for s in out_sizes]

    def step(t: Any, out_tas: Any, st: Any) -> Any:
        xs = [ta.read(t) for ta in input_tas]
        for x, src in zip(xs, flat):
            x.set_shape(src.shape[1:])
        x_in = _pack_like(list(flat), xs) if len(xs) > 1 else xs[0]
        output, new_state = cell(x_in, st)
        outs = _flatten(output)
        if sequence_length is not None:
            done = t >= sequence_length
            outs = [tf.where(done, z, o) for z, o in zip(zero_output, outs)]
            new_flat = [tf.where(done, a, b) for a, b in zip(_flatten(st), _flatten(new_state))]
            new_state = _pack_like(st, new_flat) if isinstance(st, (tuple, list)) else new_flat[0]
        out_tas = [ta.write(t, o) for ta, o in zip(out_tas, outs)]
        return t + 1, out_tas, new_state

    if sequence_length is not None:
        bound = tf.minimum(time_steps, tf.maximum(1, max_len))
    else:
        bound = time_steps
    _, final_tas, final_state = while_loop(
        lambda t, *_: t < bound,
        step,
        (time, output_tas, state),
        parallel_iterations=parallel,
        maximum_iterations=time_steps,
    )
    outputs = []
    for ta, s in zip(final_tas, out_sizes):
        o = ta.stack()
        o.set_shape([static_steps, flat[0].shape[1].value, s])
        outputs.append(o)
    return outputs, final_state


def bidirectional_dynamic_rnn(
    cell_fw: Any,
    cell_bw: Any,
    inputs: Any,
    sequence_length: Any = None,
    initial_state_fw: Any = None,
    initial_state_bw: Any = None,
    dtype: Any = None,
    parallel_iterations: Any = None,
    swap_memory: bool = False,
    time_major: bool = False,
    scope: Any = None,
) -> tuple[Any, Any]:
    """A forward :func:`dynamic_rnn` and one over the reversed time steps (scopes
    ``bidirectional_rnn/fw`` and ``/bw``); returns ``((output_fw, output_bw), (state_fw,
    state_bw))``, the backward outputs put back in time order."""
    from teachflow.variable_scope import variable_scope

    tf = _tf()
    _check_cell(cell_fw)
    _check_cell(cell_bw)
    if sequence_length is not None:
        from teachflow.unsupported import UnsupportedFeatureError

        raise UnsupportedFeatureError(
            "teachflow does not implement bidirectional_dynamic_rnn(sequence_length=...) "
            "(TensorFlow 1.x has it: it reverses each sequence with tf.reverse_sequence). Hint: "
            "pad the sequences to one length, or run two tf.nn.dynamic_rnn yourself."
        )
    axis = 0 if time_major else 1
    kwargs = {"parallel_iterations": parallel_iterations, "time_major": time_major}
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            out_fw, state_fw = dynamic_rnn(
                cell_fw, inputs, None, initial_state_fw, dtype, scope=fw_scope, **kwargs
            )
        with variable_scope("bw") as bw_scope:
            flat = [tf.reverse(x, axis=[axis]) for x in _flatten(inputs)]
            rev_in = _pack_like(inputs, flat) if isinstance(inputs, (tuple, list)) else flat[0]
            rev, state_bw = dynamic_rnn(
                cell_bw, rev_in, None, initial_state_bw, dtype, scope=bw_scope, **kwargs
            )
    flat_bw = [tf.reverse(o, axis=[axis]) for o in _flatten(rev)]
    out_bw = _pack_like(rev, flat_bw) if isinstance(rev, (tuple, list)) else flat_bw[0]
    return (out_fw, out_bw), (state_fw, state_bw)
