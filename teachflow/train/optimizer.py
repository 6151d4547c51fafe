"""``tf.train.Optimizer``: ``minimize`` = ``compute_gradients`` + ``apply_gradients``.

``compute_gradients`` builds the gradient ops (``gradients/...``); ``apply_gradients`` creates
the optimizer's slot variables (``W/Momentum``, ``W/Adam``...) and one update op per variable
(``<name>/update_W/Apply...``), grouped into the returned op ``<name>``; with a
``global_step`` that op is the ``AssignAdd`` incrementing it after all the updates.

A subclass defines ``_create_slots(var_list)``, ``_prepare()`` (hyperparameters as tensors),
``_apply_dense(grad, var)`` (the update op) and, if needed, ``_finish(update_ops, name)``.
An IndexedSlices gradient (``tf.gather``'s) goes to ``_apply_sparse(grad, var)`` once rows
that repeat are summed (``_apply_sparse_duplicate_indices``): only those rows are updated.

>>> import teachflow as tf
>>> w = tf.Variable(5.0, name="w")
>>> train = tf.train.GradientDescentOptimizer(0.1).minimize(tf.square(w))
>>> sess = tf.Session(); sess.run(tf.global_variables_initializer())
>>> sess.run(train); round(float(sess.run(w)), 4)
4.0
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from teachflow import dtypes
from teachflow.graph import Graph, GraphKeys, Operation, Tensor, get_default_graph
from teachflow.indexed_slices import IndexedSlices
from teachflow.ops.constant_op import convert_to_tensor
from teachflow.variables import Variable


def _var_key(var: Any) -> tuple[Graph, str]:
    return (var.op.graph, var.op.name)


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [y for item in x for y in _flatten(item)]
    if isinstance(x, dict):
        return [y for k in sorted(x) for y in _flatten(x[k])]
    if isinstance(x, Iterable) and not isinstance(x, (str, bytes)) and not hasattr(x, "op"):
        return [y for item in x for y in _flatten(item)]  # d.values(), generators: any iterable
    return [x]


class Optimizer:
    """Base class of the optimizers: see ``GradientDescentOptimizer``, ``AdamOptimizer``..."""

    GATE_NONE = 0
    GATE_OP = 1
    GATE_GRAPH = 2

    def __init__(self, use_locking: bool, name: str) -> None:
        if not name:
            raise ValueError("Must specify the optimizer name")
        self._use_locking = use_locking
        self._name = name
        # slot name -> {(graph, variable op name): slot variable}
        self._slots: dict[str, dict[tuple[Graph, str], Variable]] = {}
        self._non_slot_dict: dict[tuple[str, Graph], Variable] = {}

    def get_name(self) -> str:
        return self._name

    # -- the public steps ---------------------------------------------------------------
    def minimize(
        self,
        loss: Any,
        global_step: Any = None,
        var_list: Any = None,
        gate_gradients: int = GATE_OP,
        aggregation_method: Any = None,
        colocate_gradients_with_ops: bool = False,
        name: str | None = None,
        grad_loss: Any = None,
    ) -> Operation:
        """An op that takes one step downhill on ``loss``, updating ``var_list``.

        Args:
          loss: the scalar tensor to minimize.
          global_step: optional integer variable incremented by one after the updates.
          var_list: variables to update (default: all trainable variables).
          name: name of the returned op (default: the optimizer's name).

        Raises:
          ValueError: no variable in ``var_list`` gets a gradient from ``loss``.
        """
        grads_and_vars = self.compute_gradients(
            loss,
            var_list=var_list,
            gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops,
            grad_loss=grad_loss,
        )
        if not [v for g, v in grads_and_vars if g is not None]:
            raise ValueError(
                "No gradients provided for any variable, check your graph for ops that do not "
                f"support gradients, between variables {[str(v) for _, v in grads_and_vars]} "
                f"and loss {loss}.\n  Hint: the loss must be computed from the variables "
                "(through float ops) for the optimizer to change them."
            )
        return self.apply_gradients(grads_and_vars, global_step=global_step, name=name)

    def compute_gradients(
        self,
        loss: Any,
        var_list: Any = None,
        gate_gradients: int = GATE_OP,
        aggregation_method: Any = None,
        colocate_gradients_with_ops: bool = False,
        grad_loss: Any = None,
    ) -> list[tuple[Tensor | None, Any]]:
        """``[(gradient, variable), ...]`` for ``var_list``; the gradient is None if unconnected."""
        from teachflow.gradients import gradients, tuple_

        if callable(loss) and not hasattr(loss, "_as_tensor") and not isinstance(loss, Tensor):
            raise NotImplementedError(
                "teachflow optimizers take the loss as a tensor (graph mode); a callable loss "
                "is eager-mode usage."
            )
        if gate_gradients not in (Optimizer.GATE_NONE, Optimizer.GATE_OP, Optimizer.GATE_GRAPH):
            raise ValueError(
                "gate_gradients must be one of: Optimizer.GATE_NONE, Optimizer.GATE_OP, "
                f"Optimizer.GATE_GRAPH.  Not {gate_gradients}"
            )
        loss = convert_to_tensor(loss)
        self._assert_valid_dtypes([loss])
        if grad_loss is not None:
            self._assert_valid_dtypes([convert_to_tensor(grad_loss)])
        g = loss.graph
        if var_list is None:
            var_list = g.get_collection(GraphKeys.TRAINABLE_VARIABLES) + g.get_collection(
                GraphKeys.TRAINABLE_RESOURCE_VARIABLES
            )
        else:
            var_list = _flatten(var_list)
        if not var_list:
            raise ValueError(
                "No variables to optimize.\n  Hint: create tf.Variable(...)s (trainable) before "
                "building the training op, or pass var_list."
            )
        targets = [_target(v) for v in var_list]
        with g.as_default():
            grads = gradients(
                loss,
                targets,
                grad_ys=grad_loss,
                gate_gradients=gate_gradients == Optimizer.GATE_OP,
                aggregation_method=aggregation_method,
                colocate_gradients_with_ops=colocate_gradients_with_ops,
            )
            if gate_gradients == Optimizer.GATE_GRAPH:
                grads = tuple_(grads)
        grads_and_vars = list(zip(grads, var_list))
        self._assert_valid_dtypes([v for gr, v in grads_and_vars if gr is not None])
        return grads_and_vars

    def apply_gradients(
        self, grads_and_vars: Any, global_step: Any = None, name: str | None = None
    ) -> Operation:
        """An op applying the (gradient, variable) pairs; also increments ``global_step``."""
        from teachflow.ops.state_ops import assign_add

        try:
            grads_and_vars = tuple(grads_and_vars)
            pairs = [(gr, v) for gr, v in grads_and_vars]
        except (TypeError, ValueError):
            raise TypeError(
                f"grads_and_vars must be a list of (gradient, variable) pairs, got "
                f"{grads_and_vars!r}.\n  Hint: pass what opt.compute_gradients(loss) returned."
            ) from None
        if not pairs:
            raise ValueError("No variables provided.")
        converted = []
        for gr, v in pairs:
            if gr is not None and not isinstance(gr, IndexedSlices):
                try:
                    gr = convert_to_tensor(gr)
                except (TypeError, ValueError):
                    raise TypeError(
                        f"Gradient must be convertible to a Tensor or IndexedSlices, or None: {gr}"
                    ) from None
            _target(v)
            converted.append((gr, v))
        var_list = [v for gr, v in converted if gr is not None]
        if not var_list:
            raise ValueError(
                f"No gradients provided for any variable: {[str(v) for _, v in converted]}."
            )
        g = var_list[0].graph
        with g.as_default():
            with g.control_dependencies(None):
                self._create_slots(var_list)
            update_ops = []
            with g.name_scope(name or self._name) as scope:
                self._prepare()
                for gr, v in converted:
                    if gr is None:
                        continue
                    if not isinstance(v, Variable):
                        raise NotImplementedError(
                            f"Trying to update a Tensor {v}: only tf.Variables can be updated."
                        )
                    with g.name_scope("update_" + v.op.name):
                        if isinstance(gr, IndexedSlices):
                            update_ops.append(self._apply_sparse_duplicate_indices(gr, v))
                        else:
                            update_ops.append(self._apply_dense(gr, v))
                if global_step is None:
                    apply_updates: Any = self._finish(update_ops, scope)
                else:
                    with g.control_dependencies([self._finish(update_ops, "update")]):
                        apply_updates = assign_add(global_step, 1, name=scope)
            if isinstance(apply_updates, Tensor):
                apply_updates = apply_updates.op
            train_ops = g.get_collection_ref(GraphKeys.TRAIN_OP)
            if apply_updates not in train_ops:
                train_ops.append(apply_updates)
        return apply_updates  # type: ignore[no-any-return]

    # -- slots --------------------------------------------------------------------------
    def get_slot(self, var: Any, name: str) -> Variable | None:
        """The slot variable ``name`` (e.g. "momentum") made for ``var``, or None."""
        named = self._slots.get(name)
        if not named:
            return None
        return named.get(_var_key(var))

    def get_slot_names(self) -> list[str]:
        """The names of the slots this optimizer makes, e.g. ``['m', 'v']`` for Adam."""
        return sorted(self._slots)

    def variables(self) -> list[Variable]:
        """The optimizer's own variables in the default graph (slots and e.g. beta1_power)."""
        g = get_default_graph()
        out = [v for v in self._non_slot_dict.values() if v.graph is g]
        for named in self._slots.values():
            out.extend(v for v in named.values() if v.graph is g)
        return sorted(out, key=lambda v: v.name)

    def _slot_dict(self, slot_name: str) -> dict[tuple[Graph, str], Variable]:
        return self._slots.setdefault(slot_name, {})

    def _get_or_make_slot_with_initializer(
        self, var: Variable, initializer: Any, shape: Any, dtype: Any, slot_name: str, op_name: str
    ) -> Variable:
        """The slot ``slot_name`` of ``var``: variable ``<var>/<op_name>`` from ``initializer``."""
        from teachflow.variable_scope import get_variable, variable_scope

        named = self._slot_dict(slot_name)
        key = _var_key(var)
        if key not in named:
            if not var.get_shape().is_fully_defined():
                raise NotImplementedError(
                    f"teachflow cannot make optimizer slots for {var.name}: its shape is not "
                    "fully defined."
                )
            with variable_scope(None, var.op.name + "/" + op_name):
                named[key] = get_variable(
                    "",
                    shape=shape,
                    dtype=dtypes.as_dtype(dtype).base_dtype,
                    initializer=initializer,
                    trainable=False,
                    validate_shape=True,
                )
        return named[key]

    def _zeros_slot(self, var: Variable, slot_name: str, op_name: str) -> Variable:
        """A slot starting at zero, shaped like ``var`` (named ``<var>/<op_name>``)."""
        from teachflow.init_ops import zeros_initializer

        return self._get_or_make_slot_with_initializer(
            var, zeros_initializer(), var.get_shape(), var.dtype, slot_name, op_name
        )

    def _create_non_slot_variable(
        self, initial_value: Any, name: str, colocate_with: Variable
    ) -> Variable:
        """One variable per graph shared by all updates (Adam's ``beta1_power``)."""
        key = (name, colocate_with.graph)
        v = self._non_slot_dict.get(key)
        if v is None:
            with colocate_with.graph.as_default():
                v = Variable(initial_value, name=name, trainable=False)
            self._non_slot_dict[key] = v
        return v

    def _get_non_slot_variable(self, name: str, graph: Graph | None = None) -> Variable | None:
        return self._non_slot_dict.get((name, graph or get_default_graph()))

    # -- what subclasses define ----------------------------------------------------------
    def _create_slots(self, var_list: list[Variable]) -> None:
        pass

    def _prepare(self) -> None:
        pass

    def _apply_dense(self, grad: Tensor, var: Variable) -> Operation:
        raise NotImplementedError(f"{type(self).__name__} does not define _apply_dense.")

    def _apply_sparse_duplicate_indices(self, grad: IndexedSlices, var: Variable) -> Operation:
        """Sums the rows of ``grad`` that share an index, then calls ``_apply_sparse``."""
        from teachflow.ops.array_ops import shape
        from teachflow.ops.gather_ops import unique, unsorted_segment_sum

        unique_indices, positions = unique(grad.indices)
        summed = unsorted_segment_sum(grad.values, positions, shape(unique_indices)[0])
        return self._apply_sparse(IndexedSlices(summed, unique_indices, grad.dense_shape), var)

    def _apply_sparse(self, grad: IndexedSlices, var: Variable) -> Operation:
        raise NotImplementedError(
            f"{type(self).__name__} has no update for IndexedSlices gradients (_apply_sparse)."
        )

    def _finish(self, update_ops: list[Operation], name_scope: str) -> Operation:
        from teachflow.ops.control_ops import group

        return group(*update_ops, name=name_scope)

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _call_if_callable(param: Any) -> Any:
        return param() if callable(param) and not isinstance(param, Tensor) else param

    def _valid_dtypes(self) -> set[dtypes.DType]:
        return {dtypes.float16, dtypes.float32, dtypes.float64}

    def _assert_valid_dtypes(self, tensors: list[Any]) -> None:
        valid = self._valid_dtypes()
        for t in tensors:
            dt = t.dtype.base_dtype
            if dt not in valid:
                raise ValueError(
                    f"Invalid type {dt!r} for {t.name}, expected: "
                    f"[{', '.join(repr(d) for d in sorted(valid, key=lambda d: d.name))}].\n"
                    "  Hint: optimizers work on float variables and losses; tf.cast the loss "
                    "and create the variables with a float initial value."
                )

    @staticmethod
    def _cast(t: Any, var: Variable) -> Tensor:
        """A hyperparameter tensor in the variable's dtype (a Cast op only when they differ)."""
        from teachflow.ops.cast_ops import cast

        return cast(t, var.dtype.base_dtype)


def _target(v: Any) -> Tensor:
    """What gradients are taken with respect to: a variable's ref, or a tensor itself."""
    if isinstance(v, Variable):
        return v._ref()
    if isinstance(v, Tensor):
        return v
    raise NotImplementedError(f"Trying to optimize unsupported type {v!r}")
