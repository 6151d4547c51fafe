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
from teachflow import (
    app,
    bitwise,
    compat,
    contrib,
    data,
    debug,
    dtypes,
    errors,
    graph_util,
    layers,
    losses,
    math,
    nn,
    random,
    summary,
    train,
)
from teachflow import tf_logging as logging
from teachflow.app import flags  # tf.flags: TensorFlow 1.x's alias of tf.app.flags
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
from teachflow.gradients import (
    AggregationMethod,
    UnconnectedGradients,
    gradients,
    hessians,
    stop_gradient,
)
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
from teachflow.graph_util import import_graph_def
from teachflow.indexed_slices import IndexedSlices
from teachflow.init_ops import (
    constant_initializer,
    glorot_normal_initializer,
    glorot_uniform_initializer,
    initializers,
    ones_initializer,
    orthogonal_initializer,
    random_normal_initializer,
    random_uniform_initializer,
    truncated_normal_initializer,
    uniform_unit_scaling_initializer,
    variance_scaling_initializer,
    zeros_initializer,
)
from teachflow.ops import loop_stack_ops as _loop_stack_ops  # StackV2...: loops' gradients
from teachflow.ops.array_ops import (
    expand_dims,
    identity,
    placeholder,
    placeholder_with_default,
    rank,
    reshape,
    shape,
    shape_n,
    size,
    squeeze,
)
from teachflow.ops.cast_ops import (
    cast,
    to_bfloat16,
    to_complex64,
    to_complex128,
    to_double,
    to_float,
    to_int32,
    to_int64,
)
from teachflow.ops.concat_ops import concat, concat_v2, split, tile
from teachflow.ops.constant_op import constant, convert_to_tensor, is_tensor
from teachflow.ops.control_flow_ops import cond
from teachflow.ops.control_ops import group, no_op
from teachflow.ops.fill_ops import fill, ones, ones_like, zeros, zeros_like
from teachflow.ops.functional_ops import foldl, foldr, map_fn, scan
from teachflow.ops.gather_ops import (
    gather,
    gather_nd,
    one_hot,
    scatter_nd,
    unique,
    unsorted_segment_sum,
)
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
    clip_by_value,
    cos,
    cosh,
    digamma,
    div,
    div_no_nan,
    divide,
    equal,
    erf,
    erfc,
    exp,
    expm1,
    floor,
    floor_div,
    floordiv,
    floormod,
    greater,
    greater_equal,
    inv,
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
    mod,
    multiply,
    negative,
    not_equal,
    pow,
    realdiv,
    reciprocal,
    rint,
    round,
    rsqrt,
    saturate_cast,
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
    truncatediv,
    truncatemod,
)
from teachflow.ops.matmul_ops import accumulate_n, add_n, matmul, tensordot
from teachflow.ops.numerics_ops import add_check_numerics_ops, check_numerics
from teachflow.ops.random_ops import (
    get_seed,
    multinomial,
    random_gamma,
    random_normal,
    random_shuffle,
    random_uniform,
    set_random_seed,
    truncated_normal,
)
from teachflow.ops.reduction_ops import (
    arg_max,
    arg_min,
    argmax,
    argmin,
    clip_by_average_norm,
    clip_by_global_norm,
    clip_by_norm,
    count_nonzero,
    global_norm,
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
from teachflow.ops.sequence_ops import lin_space, linspace, sequence_mask
from teachflow.ops.sequence_ops import range_ as range  # noqa: A004 - TensorFlow's public name
from teachflow.ops.slicing_ops import newaxis, pad, strided_slice
from teachflow.ops.slicing_ops import slice_ as slice  # noqa: A004 - TensorFlow's public name
from teachflow.ops.stack_ops import stack, unstack
from teachflow.ops.state_ops import (
    assert_variables_initialized,
    assign,
    assign_add,
    assign_sub,
    count_up_to,
    global_variables_initializer,
    initialize_all_variables,
    initialize_variables,
    is_variable_initialized,
    local_variables_initializer,
    report_uninitialized_variables,
    scatter_add,
    scatter_div,
    scatter_max,
    scatter_min,
    scatter_mul,
    scatter_sub,
    scatter_update,
    variables_initializer,
)
from teachflow.ops.tensor_array_ops import TensorArray
from teachflow.ops.transpose_ops import invert_permutation, reverse, reverse_v2, transpose
from teachflow.ops.where_ops import boolean_mask, where, where_v2
from teachflow.ops.while_ops import while_loop
from teachflow.protos import public_getattr as __getattr__  # tf.Summary...: lazily
from teachflow.renames import batch_matmul, mul, neg, pack, select, sub, unpack
from teachflow.session import (
    ConfigProto,
    GPUOptions,
    GraphOptions,
    InteractiveSession,
    OptimizerOptions,
    RunMetadata,
    RunOptions,
    Session,
    get_default_session,
)
from teachflow.summary.ops import (
    histogram_summary,
    image_summary,
    merge_all_summaries,
    merge_summary,
    scalar_summary,
)
from teachflow.tensor_shape import Dimension, TensorShape, dimension_at_index, dimension_value
from teachflow.tensor_util import make_ndarray, make_tensor_proto
from teachflow.unsupported import (
    UnsupportedFeatureError,
    disable_eager_execution,
    disable_v2_behavior,
    enable_eager_execution,
    enable_v2_behavior,
    executing_eagerly,
)
from teachflow.variable_scope import (
    AUTO_REUSE,
    VariableScope,
    get_local_variable,
    get_variable,
    get_variable_scope,
    variable_scope,
)
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


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext teachflow``: in this kernel ``import tensorflow`` imports teachflow."""
    from teachflow.as_tensorflow import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: object) -> None:
    """``%unload_ext teachflow``: ``import tensorflow`` finds TensorFlow again."""
    from teachflow.as_tensorflow import unload_ipython_extension as unload

    unload(ipython)
