"""teachflow: TensorFlow 1.x's Graph/Session model on numpy, made to be seen.

``import teachflow as tf`` gives the TensorFlow 1.x names and the 0.x names of old memos:

>>> import teachflow as tf
>>> product = tf.matmul(tf.constant([[3., 3.]]), tf.constant([[2.], [2.]]))
>>> with tf.Session() as sess:
...     print(sess.run(product))
[[12.]]
"""

from __future__ import annotations

# ruff: noqa: F401 - this module is the public namespace
from teachflow import dtypes, errors
from teachflow.dtypes import (
    DType,
    as_dtype,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
)
from teachflow.dtypes import (
    bool_ as bool,  # noqa: A004
)
from teachflow.errors import OpError
from teachflow.graph import (
    Graph,
    GraphKeys,
    Operation,
    Tensor,
    add_to_collection,
    add_to_collections,
    control_dependencies,
    device,
    get_collection,
    get_collection_ref,
    get_default_graph,
    name_scope,
    reset_default_graph,
)
from teachflow.ops.array_ops import (
    fill,
    identity,
    ones,
    pack,
    placeholder,
    placeholder_with_default,
    rank,
    reshape,
    shape,
    size,
    stack,
    zeros,
)
from teachflow.ops.constant_op import constant, convert_to_tensor, is_tensor
from teachflow.ops.control_ops import group, no_op
from teachflow.ops.math_ops import (
    abs,
    add,
    cast,
    ceil,
    cos,
    div,
    divide,
    equal,
    exp,
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
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    matmul,
    maximum,
    minimum,
    mod,
    mul,
    multiply,
    neg,
    negative,
    not_equal,
    pow,
    realdiv,
    reciprocal,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    squared_difference,
    sub,
    subtract,
    tan,
    tanh,
    to_double,
    to_float,
    to_int32,
    to_int64,
    truediv,
)
from teachflow.ops.state_ops import (
    assert_variables_initialized,
    assign,
    assign_add,
    assign_sub,
    global_variables_initializer,
    initialize_all_variables,
    initialize_variables,
    is_variable_initialized,
    local_variables_initializer,
    report_uninitialized_variables,
    variables_initializer,
)
from teachflow.session import InteractiveSession, Session, get_default_session
from teachflow.tensor_shape import Dimension, TensorShape
from teachflow.variables import (
    Variable,
    all_variables,
    global_variables,
    local_variables,
    model_variables,
    moving_average_variables,
    trainable_variables,
)

__version__ = "0.1.0"

# -- TF2 switches that TF1 code calls, tf.logging, tf.compat.v1, unsupported features ---------
from teachflow import compat  # noqa: E402  (after the namespace exists: it aliases it)
from teachflow import tf_logging as logging  # noqa: E402
from teachflow.unsupported import (  # noqa: E402
    UnsupportedFeatureError,
    disable_eager_execution,
    disable_v2_behavior,
    enable_eager_execution,
    enable_v2_behavior,
    executing_eagerly,
)
from teachflow.unsupported import unsupported as __getattr__  # noqa: E402
