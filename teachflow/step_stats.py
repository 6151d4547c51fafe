"""What a traced ``sess.run`` records: TensorFlow's ``StepStats``, one ``NodeExecStats`` per op.

The records have the fields and nesting of TensorFlow's protos (``run_metadata.step_stats
.dev_stats[0].node_stats[i].output[0].tensor_description.shape.dim[0].size``), so profiling
code written for TensorFlow reads them unchanged; ``SerializeToString()`` gives the real proto
bytes (through the ``tensorboard`` package) for ``FileWriter.add_run_metadata``.

>>> import teachflow as tf
>>> y = tf.matmul(tf.ones([2, 3]), tf.ones([3, 4]), name="y")
>>> meta = tf.RunMetadata()
>>> opts = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
>>> _ = tf.Session().run(y, options=opts, run_metadata=meta)
>>> stats = meta.step_stats.dev_stats[0].node_stats[-1]
>>> stats.node_name, stats.timeline_label, stats.output[0].tensor_description.shape.dim[1].size
('y', 'y = MatMul(ones, ones_1)', 4)
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from teachflow.ops import registry

CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


class Message:
    """A record shaped like one of TensorFlow's protos: keyword fields with defaults.

    ``_proto`` names the ``tensorboard.compat.proto`` module and class with the same fields,
    used to serialise (``SerializeToString``) and print (``str``) the record.
    """

    _defaults: dict[str, Any] = {}
    _proto: tuple[str, str] | None = None

    def __init__(self, **fields: Any) -> None:
        for k, v in self._defaults.items():
            object.__setattr__(self, k, v() if callable(v) else v)
        for k, v in fields.items():
            setattr(self, k, v)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._defaults:
            raise ValueError(
                f'Protocol message {type(self).__name__} has no "{name}" field.\n  Hint: the '
                f"fields are {', '.join(sorted(self._defaults))}."
            )
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        changed = [
            f"{k}={v!r}"
            for k, v in vars(self).items()
            if not isinstance(v, Message) and v != _default_of(self._defaults[k])
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    # -- as TensorFlow's proto ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The set fields as nested dicts and lists (what the proto's constructor takes)."""
        out: dict[str, Any] = {}
        for k, v in vars(self).items():
            v = _plain(v)
            if v not in (None, [], {}, 0, "", False, b""):
                out[k] = v
        return out

    def to_proto(self) -> Any:
        """This record as the ``tensorboard`` package's protobuf message."""
        if self._proto is None:
            raise TypeError(f"{type(self).__name__} has no protobuf form.")
        import importlib

        module = importlib.import_module(f"tensorboard.compat.proto.{self._proto[0]}")
        cls: Any = module
        for part in self._proto[1].split("."):  # nested messages: "TensorShapeProto.Dim"
            cls = getattr(cls, part)
        return cls(**self.to_dict())

    def SerializeToString(self) -> bytes:  # noqa: N802 - protobuf's name
        return self.to_proto().SerializeToString()  # type: ignore[no-any-return]

    def ListFields(self) -> list[tuple[Any, Any]]:  # noqa: N802 - protobuf's name
        return self.to_proto().ListFields()  # type: ignore[no-any-return]

    def __str__(self) -> str:
        if self._proto is None:
            return repr(self)
        try:
            from google.protobuf import text_format

            proto = self.to_proto()
        except ImportError:  # no tensorboard (protobuf) installed: the record's own form
            return repr(self)
        return text_format.MessageToString(proto)


def _plain(v: Any) -> Any:
    if isinstance(v, Message):
        return v.to_dict()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def _default_of(v: Any) -> Any:
    return v() if callable(v) else v


class AllocationDescription(Message):
    _proto = ("allocation_description_pb2", "AllocationDescription")
    _defaults = {
        "requested_bytes": 0,
        "allocated_bytes": 0,
        "allocator_name": "",
        "allocation_id": 0,
        "has_single_reference": False,
        "ptr": 0,
    }


class Dim(Message):
    _proto = ("tensor_shape_pb2", "TensorShapeProto.Dim")
    _defaults = {"size": 0, "name": ""}


class TensorShapeProto(Message):
    _proto = ("tensor_shape_pb2", "TensorShapeProto")
    _defaults = {"dim": list, "unknown_rank": False}
    Dim = Dim


class TensorDescription(Message):
    _proto = ("tensor_description_pb2", "TensorDescription")
    _defaults = {
        "dtype": 0,
        "shape": TensorShapeProto,
        "allocation_description": AllocationDescription,
    }


class NodeOutput(Message):
    _proto = ("step_stats_pb2", "NodeOutput")
    _defaults = {"slot": 0, "tensor_description": TensorDescription}


class AllocatorMemoryUsed(Message):
    _proto = ("step_stats_pb2", "AllocatorMemoryUsed")
    _defaults = {
        "allocator_name": "",
        "total_bytes": 0,
        "peak_bytes": 0,
        "live_bytes": 0,
        "allocator_bytes_in_use": 0,
    }


class NodeExecStats(Message):
    """One op's run: start (absolute and relative microseconds), end, outputs, label."""

    _proto = ("step_stats_pb2", "NodeExecStats")
    _defaults = {
        "node_name": "",
        "all_start_micros": 0,
        "op_start_rel_micros": 0,
        "op_end_rel_micros": 0,
        "all_end_rel_micros": 0,
        "memory": list,
        "output": list,
        "timeline_label": "",
        "scheduled_micros": 0,
        "thread_id": 0,
        "all_start_nanos": 0,
        "op_start_rel_nanos": 0,
        "op_end_rel_nanos": 0,
        "all_end_rel_nanos": 0,
        "scheduled_nanos": 0,
    }


class DeviceStepStats(Message):
    _proto = ("step_stats_pb2", "DeviceStepStats")
    _defaults = {"device": "", "node_stats": list, "thread_names": dict}


class StepStats(Message):
    _proto = ("step_stats_pb2", "StepStats")
    _defaults = {"dev_stats": list}


class RunOptions(Message):
    """``tf.RunOptions`` for ``sess.run(..., options=)``: ``trace_level=FULL_TRACE`` (or any
    trace level) with a ``run_metadata`` fills its ``step_stats``."""

    _proto = ("config_pb2", "RunOptions")
    NO_TRACE, SOFTWARE_TRACE, HARDWARE_TRACE, FULL_TRACE = 0, 1, 2, 3
    _defaults = {
        "trace_level": 0,
        "timeout_in_ms": 0,
        "inter_op_thread_pool": 0,
        "output_partition_graphs": False,
        "report_tensor_allocations_upon_oom": False,
    }


class CostGraphDef(Message):
    _proto = ("cost_graph_pb2", "CostGraphDef")
    _defaults = {"node": list}


class RunMetadata(Message):
    """``tf.RunMetadata``: a traced run puts its :class:`StepStats` in ``step_stats``."""

    _proto = ("config_pb2", "RunMetadata")
    _defaults = {"step_stats": StepStats, "cost_graph": CostGraphDef, "partition_graphs": list}


def is_traced(options: Any) -> bool:
    return options is not None and bool(getattr(options, "trace_level", 0))


class Tracer:
    """An execution observer that times each op and describes its outputs (``step_stats``)."""

    def __init__(self) -> None:
        # the absolute clock (microseconds since the epoch) and a precise one for durations
        self._wall0 = time.time_ns()
        self._perf0 = time.perf_counter_ns()
        self._starts: dict[int, int] = {}
        self.node_stats: list[NodeExecStats] = []

    def __call__(self, event: str, rec: Any) -> None:
        now = time.perf_counter_ns()
        if event == "started":
            self._starts[id(rec)] = now
            return
        start = self._starts.pop(id(rec), now)
        if rec.outputs and all(v is registry.DEAD for v in rec.outputs):
            return  # on the untaken branch of a tf.cond: it did not run, as in TensorFlow
        begin = self._wall0 + (start - self._perf0)
        took = now - start
        op = rec.op
        outs = [
            _output(i, t, v)
            for i, (t, v) in enumerate(zip(op.outputs, rec.outputs))
            if v is not None
        ]
        total = sum(_nbytes(v) for v in rec.outputs if v is not None)
        memory = [
            AllocatorMemoryUsed(
                allocator_name="cpu", total_bytes=total, peak_bytes=total, live_bytes=total
            )
        ]
        inputs = ", ".join(_input_name(t) for t in op.inputs)
        self.node_stats.append(
            NodeExecStats(
                node_name=op.name,
                all_start_micros=begin // 1000,
                op_start_rel_micros=0,
                op_end_rel_micros=took // 1000,
                all_end_rel_micros=took // 1000,
                memory=memory if total else [],
                output=outs,
                timeline_label=f"{op.name} = {op.type}({inputs})",
                scheduled_micros=begin // 1000,
                all_start_nanos=begin,
                op_end_rel_nanos=took,
                all_end_rel_nanos=took,
                scheduled_nanos=begin,
            )
        )

    def step_stats(self) -> StepStats:
        return StepStats(dev_stats=[DeviceStepStats(device=CPU, node_stats=list(self.node_stats))])


def _input_name(t: Any) -> str:
    """How TensorFlow's labels name an input: the op's name, with ``:i`` past output 0."""
    return t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"


def _nbytes(value: Any) -> int:
    arr = np.asarray(value) if np.isscalar(value) or isinstance(value, np.ndarray) else None
    return int(arr.nbytes) if arr is not None and arr.dtype != object else 0


def _output(slot: int, t: Any, value: Any) -> NodeOutput:
    arr = (
        value
        if isinstance(value, np.ndarray)
        else np.asarray(value)
        if np.isscalar(value)
        else None
    )
    dims = [Dim(size=int(d)) for d in arr.shape] if arr is not None else []
    shape = TensorShapeProto(dim=dims, unknown_rank=arr is None)
    nbytes = _nbytes(value)
    alloc = AllocationDescription(
        requested_bytes=nbytes, allocated_bytes=nbytes, allocator_name="cpu"
    )
    desc = TensorDescription(
        dtype=t.dtype.base_dtype.as_datatype_enum, shape=shape, allocation_description=alloc
    )
    return NodeOutput(slot=slot, tensor_description=desc)
