"""Initializers: objects that build the initial value of a variable, ``init(shape, dtype)``.

As in TensorFlow 1.x, ``tf.zeros_initializer`` and friends are classes; an instance is
called with a shape (and optionally a dtype) and returns a tensor holding the initial value.
``tf.get_variable(..., initializer=...)`` calls them; so can you:

>>> import teachflow as tf
>>> init = tf.constant_initializer([1, 2, 3, 4])
>>> v = init([2, 2])
>>> print(v)
Tensor("Const:0", shape=(2, 2), dtype=float32)
>>> tf.Session().run(v).tolist()
[[1.0, 2.0], [3.0, 4.0]]
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from teachflow import dtypes
from teachflow.graph import Operation, Tensor
from teachflow.ops import array_ops, fill_ops, linalg_ops, math_ops, random_ops, transpose_ops
from teachflow.ops.constant_op import constant
from teachflow.ops.op_args import float_arg
from teachflow.tensor_shape import TensorShape


def _float_dtype(dtype: Any) -> dtypes.DType:
    dt = dtypes.as_dtype(dtype).base_dtype
    if not dt.is_floating:
        raise ValueError(
            f"Expected floating point type, got {dt}.\n  Hint: random initializers make "
            "floats; initialize integer variables with zeros/ones/constant_initializer."
        )
    return dt


def _dims(shape: Any) -> list[int]:
    dims = TensorShape(shape)
    if not dims.is_fully_defined():
        raise ValueError(f"An initializer needs a fully defined shape, got {dims}.")
    return [int(d) for d in dims.as_list() if d is not None]


class Initializer:
    """Base class: ``init(shape, dtype=None, partition_info=None)`` returns a Tensor."""

    dtype: dtypes.DType

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not define __call__.")

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, so ``type(init).from_config(init.get_config())`` copies it."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Initializer:
        config = dict(config)
        config.pop("partition_info", None)
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """Initial value 0 (``tf.zeros_initializer``).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.zeros_initializer()([2], dtype=tf.int32)).tolist()
    [0, 0]
    """

    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype).base_dtype

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        return fill_ops.zeros(_dims(shape), dtype if dtype is not None else self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype.name}


class Ones(Initializer):
    """Initial value 1 (``tf.ones_initializer``).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.ones_initializer()([2])).tolist()
    [1.0, 1.0]
    """

    def __init__(self, dtype: Any = dtypes.float32) -> None:
        self.dtype = dtypes.as_dtype(dtype).base_dtype

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        return fill_ops.ones(_dims(shape), dtype if dtype is not None else self.dtype)

    def get_config(self) -> dict[str, Any]:
        return {"dtype": self.dtype.name}


class Constant(Initializer):
    """Initial value from a scalar or list; a short list is padded with its last element.

    >>> import teachflow as tf
    >>> tf.Session().run(tf.constant_initializer([1, 2])([4])).tolist()
    [1.0, 2.0, 2.0, 2.0]
    """

    def __init__(self, value: Any = 0, dtype: Any = dtypes.float32, verify_shape: bool = False):
        if isinstance(value, (Tensor, Operation)) or not (
            np.isscalar(value) or isinstance(value, (list, tuple, np.ndarray))
        ):
            raise TypeError(
                f"Invalid type for initial value: {type(value)} (expected Python scalar, list or "
                "tuple of values, or numpy.ndarray).\n  Hint: to start from another tensor's "
                "value, pass the tensor itself as the initial value."
            )
        self.value = value
        self.dtype = dtypes.as_dtype(dtype).base_dtype
        self._verify_shape = verify_shape

    def __call__(
        self,
        shape: Any,
        dtype: Any = None,
        partition_info: Any = None,
        verify_shape: bool | None = None,
    ) -> Tensor:
        verify = self._verify_shape if verify_shape is None else verify_shape
        dt = dtype if dtype is not None else self.dtype
        return constant(self.value, dtype=dt, shape=_dims(shape), verify_shape=verify)

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value, "dtype": self.dtype.name}


class RandomUniform(Initializer):
    """Initial values drawn uniformly from [minval, maxval) (``maxval`` None means 1).

    >>> import teachflow as tf
    >>> x = tf.Session().run(tf.random_uniform_initializer(-1.0, 1.0, seed=1)([100]))
    >>> bool(((-1 <= x) & (x < 1)).all())
    True
    """

    def __init__(
        self,
        minval: Any = 0.0,
        maxval: Any = None,
        seed: int | None = None,
        dtype: Any = dtypes.float32,
    ) -> None:
        self.minval = minval
        self.maxval = maxval
        self.seed = seed
        self.dtype = dtypes.as_dtype(dtype).base_dtype

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dt = dtype if dtype is not None else self.dtype
        return random_ops.random_uniform(_dims(shape), self.minval, self.maxval, dt, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {
            "minval": self.minval,
            "maxval": self.maxval,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


class _Normal(Initializer):
    """What the normal initializers share: mean, stddev, seed and a float dtype."""

    def __init__(
        self,
        mean: float = 0.0,
        stddev: float = 1.0,
        seed: int | None = None,
        dtype: Any = dtypes.float32,
    ) -> None:
        self.mean = mean
        self.stddev = stddev
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def get_config(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "stddev": self.stddev,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


class RandomNormal(_Normal):
    """Initial values drawn from N(mean, stddev^2).

    >>> import teachflow as tf
    >>> print(tf.random_normal_initializer(stddev=0.1)([2, 3]))
    Tensor("random_normal:0", shape=(2, 3), dtype=float32)
    """

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dt = _float_dtype(dtype if dtype is not None else self.dtype)
        return random_ops.random_normal(_dims(shape), self.mean, self.stddev, dt, seed=self.seed)


class TruncatedNormal(_Normal):
    """Initial values from N(mean, stddev^2), redrawn beyond 2 stddev (common for weights).

    >>> import teachflow as tf
    >>> print(tf.truncated_normal_initializer(stddev=0.1)([2, 3]))
    Tensor("truncated_normal:0", shape=(2, 3), dtype=float32)
    """

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dt = _float_dtype(dtype if dtype is not None else self.dtype)
        return random_ops.truncated_normal(_dims(shape), self.mean, self.stddev, dt, seed=self.seed)


def _compute_fans(shape: list[int]) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight shape: dense [in, out]; conv [..., in, out]."""
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive, shape[-1] * receptive


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("normal", "uniform", "truncated_normal", "untruncated_normal")
# stddev of the standard normal truncated to [-2, 2]; dividing by it restores the wanted stddev
_TRUNCATED_STDDEV = 0.87962566103423978


class VarianceScaling(Initializer):
    """Values with variance ``scale / n``, n = fan_in, fan_out or their mean (``mode``).

    ``distribution`` "truncated_normal" (or 1.x "normal"), "untruncated_normal" or "uniform"
    (limit sqrt(3 * scale / n)).

    >>> import teachflow as tf
    >>> w = tf.Session().run(tf.variance_scaling_initializer(seed=1)([400, 300]))
    >>> round(float(w.std()) * 20, 1)  # stddev sqrt(1 / 400) = 0.05
    1.0
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed: int | None = None,
        dtype: Any = dtypes.float32,
    ) -> None:
        if float_arg(scale, "scale") <= 0.0:
            raise ValueError(f"Argument `scale` must be a positive float. Received: {scale}")
        if mode not in _MODES:
            raise ValueError(f"Argument `mode` should be one of {_MODES}. Received: {mode}")
        if isinstance(distribution, str):
            distribution = distribution.lower()
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"Argument `distribution` should be one of {_DISTRIBUTIONS}. "
                f"Received: {distribution}\n  Hint: 'truncated_normal' is the default."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dt = _float_dtype(dtype if dtype is not None else self.dtype)
        dims = _dims(shape)
        full = getattr(partition_info, "full_shape", None)
        fan_in, fan_out = _compute_fans(_dims(full) if full is not None else dims)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        scale = self.scale / max(1.0, n[self.mode])
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return random_ops.truncated_normal(dims, 0.0, stddev, dt, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.random_normal(dims, 0.0, math.sqrt(scale), dt, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_ops.random_uniform(dims, -limit, limit, dt, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
            "dtype": self.dtype.name,
        }


class GlorotUniform(VarianceScaling):
    """Xavier/Glorot uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).

    >>> import teachflow as tf
    >>> w = tf.Session().run(tf.glorot_uniform_initializer(seed=1)([2, 4]))
    >>> bool((abs(w) <= 1.0).all())
    True
    """

    def __init__(self, seed: int | None = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "dtype": self.dtype.name}


class GlorotNormal(VarianceScaling):
    """Xavier/Glorot normal: truncated normal with stddev sqrt(2 / (fan_in + fan_out)).

    >>> import teachflow as tf
    >>> print(tf.glorot_normal_initializer()([2, 4]))
    Tensor("truncated_normal:0", shape=(2, 4), dtype=float32)
    """

    def __init__(self, seed: int | None = None, dtype: Any = dtypes.float32) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "dtype": self.dtype.name}


# TensorFlow 1.x's public names are the classes themselves
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_uniform_initializer = RandomUniform
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal


class UniformUnitScaling(Initializer):
    """U(-limit, limit), limit = factor * sqrt(3 / input_size), input_size = prod(shape[:-1]).

    >>> import teachflow as tf
    >>> w = tf.Session().run(tf.uniform_unit_scaling_initializer(seed=1)([3, 2]))
    >>> bool((abs(w) <= 1.0).all())
    True
    """

    def __init__(
        self, factor: float = 1.0, seed: int | None = None, dtype: Any = dtypes.float32
    ) -> None:
        self.factor = float_arg(factor, "factor")
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dt = _float_dtype(dtype if dtype is not None else self.dtype)
        dims = _dims(shape)
        full = getattr(partition_info, "full_shape", None)
        fan = _dims(full) if full is not None else dims
        input_size = float(np.prod(fan[:-1])) if len(fan) > 1 else 1.0
        limit = math.sqrt(3.0 / input_size) * self.factor
        return random_ops.random_uniform(dims, -limit, limit, dt, seed=self.seed)

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class Orthogonal(Initializer):
    """gain * an orthogonal matrix: the Q of a random normal matrix's QR decomposition.

    Shapes of rank > 2 are flattened to [prod(shape[:-1]), shape[-1]]; rows or columns are
    orthonormal, whichever there are fewer of.

    >>> import teachflow as tf
    >>> w = tf.Session().run(tf.orthogonal_initializer(seed=1)([4, 3]))
    >>> bool(abs(w.T @ w - np.eye(3)).max() < 1e-5)
    True
    """

    def __init__(self, gain: float = 1.0, seed: int | None = None, dtype: Any = dtypes.float32):
        self.gain = float_arg(gain, "gain")
        self.seed = seed
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dt = _float_dtype(dtype if dtype is not None else self.dtype)
        dims = _dims(shape)
        if len(dims) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional.\n  Hint: got shape "
                f"{dims}."
            )
        rows, cols = int(np.prod(dims[:-1])), dims[-1]
        flat = [cols, rows] if rows < cols else [rows, cols]
        a = random_ops.random_normal(flat, dtype=dt, seed=self.seed)
        q, r = linalg_ops.qr(a)
        # the sign of R's diagonal makes Q unique (and uniformly distributed)
        q = math_ops.multiply(q, math_ops.sign(linalg_ops.diag_part(r)), name="mul")
        if rows < cols:
            with a.graph.name_scope("matrix_transpose"):
                q = transpose_ops.transpose(q, [1, 0])
        return math_ops.multiply(self.gain, array_ops.reshape(q, dims), name="mul")

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


orthogonal_initializer = Orthogonal


class Identity(Initializer):
    """gain * the identity matrix (2-D shapes only).

    >>> import teachflow as tf
    >>> tf.Session().run(tf.initializers.identity()([2, 3])).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """

    def __init__(self, gain: float = 1.0, dtype: Any = dtypes.float32) -> None:
        self.gain = float_arg(gain, "gain")
        self.dtype = _float_dtype(dtype)

    def __call__(self, shape: Any, dtype: Any = None, partition_info: Any = None) -> Tensor:
        dt = _float_dtype(dtype if dtype is not None else self.dtype)
        dims = _dims(getattr(partition_info, "full_shape", None) or shape)
        if len(dims) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices.\n  Hint: "
                f"got shape {dims}."
            )
        return constant(self.gain * np.eye(dims[0], dims[1]), dtype=dt)

    def get_config(self) -> dict[str, Any]:
        return {"gain": self.gain, "dtype": self.dtype.name}


def he_normal(seed: int | None = None) -> VarianceScaling:
    """He normal: truncated normal, stddev sqrt(2 / fan_in) (for relu layers)."""
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed: int | None = None) -> VarianceScaling:
    """He uniform: U(-limit, limit), limit = sqrt(6 / fan_in)."""
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed: int | None = None) -> VarianceScaling:
    """LeCun normal: truncated normal, stddev sqrt(1 / fan_in)."""
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed: int | None = None) -> VarianceScaling:
    """LeCun uniform: U(-limit, limit), limit = sqrt(3 / fan_in)."""
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


uniform_unit_scaling_initializer = UniformUnitScaling


class _Initializers:
    """``tf.initializers``: the initializers under short names (``tf.initializers.zeros()``).

    >>> import teachflow as tf
    >>> tf.initializers.glorot_uniform
    <class 'teachflow.init_ops.GlorotUniform'>
    """

    zeros = Zeros
    ones = Ones
    constant = Constant
    random_uniform = RandomUniform
    random_normal = RandomNormal
    truncated_normal = TruncatedNormal
    uniform_unit_scaling = UniformUnitScaling
    variance_scaling = VarianceScaling
    glorot_uniform = GlorotUniform
    glorot_normal = GlorotNormal
    identity = Identity
    orthogonal = Orthogonal
    he_normal = staticmethod(he_normal)
    he_uniform = staticmethod(he_uniform)
    lecun_normal = staticmethod(lecun_normal)
    lecun_uniform = staticmethod(lecun_uniform)

    @staticmethod
    def global_variables() -> Operation:
        """``tf.global_variables_initializer()``."""
        from teachflow.ops.state_ops import global_variables_initializer

        return global_variables_initializer()

    @staticmethod
    def local_variables() -> Operation:
        """``tf.local_variables_initializer()``."""
        from teachflow.ops.state_ops import local_variables_initializer

        return local_variables_initializer()

    @staticmethod
    def variables(var_list: Any, name: str = "init") -> Operation:
        """``tf.variables_initializer(var_list)``."""
        from teachflow.ops.state_ops import variables_initializer

        return variables_initializer(var_list, name)

    def __getattr__(self, name: str) -> Any:
        from teachflow.unsupported import UnsupportedFeatureError

        if name == "tables_initializer":
            raise UnsupportedFeatureError(
                f"teachflow does not implement tf.initializers.{name} (TensorFlow 1.x has it)."
            )
        raise AttributeError(f"module 'teachflow.initializers' has no attribute '{name}'")


initializers = _Initializers()
