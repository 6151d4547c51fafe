"""``tf.math``: element-wise math, reductions and scans under their ``tf.math.*`` names (the
same functions as ``tf.*``).

>>> import teachflow as tf
>>> tf.Session().run(tf.math.reduce_sum(tf.math.square([1.0, 2.0])))
np.float32(5.0)
"""

from __future__ import annotations

# ruff: noqa: F401 - this module is the public tf.math namespace
from teachflow.ops.activation_ops import log_softmax, softmax, softplus, softsign
from teachflow.ops.gather_ops import unsorted_segment_sum
from teachflow.ops.math_ops import (
    abs,
    acos,
    acosh,
    add,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    ceil,
    cos,
    cosh,
    digamma,
    divide,
    equal,
    erf,
    erfc,
    exp,
    expm1,
    floor,
    floordiv,
    floormod,
    greater,
    greater_equal,
    is_finite,
    is_inf,
    is_nan,
    less,
    less_equal,
    lgamma,
    log,
    log1p,
    log_sigmoid,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    pow,
    reciprocal,
    rint,
    round,
    rsqrt,
    scalar_mul,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    squared_difference,
    subtract,
    tan,
    tanh,
    truediv,
)
from teachflow.ops.math_ops import div_no_nan as divide_no_nan
from teachflow.ops.math_ops import floormod as mod
from teachflow.ops.matmul_ops import accumulate_n, add_n
from teachflow.ops.nn_composites import l2_normalize
from teachflow.ops.nn_ops import in_top_k, top_k
from teachflow.ops.reduction_ops import (
    argmax,
    argmin,
    count_nonzero,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
)
from teachflow.ops.scan_ops import cumprod, cumsum
