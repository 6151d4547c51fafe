"""``tf.nn``: activations, softmax, cross-entropies, dropout and friends.

>>> import teachflow as tf
>>> h = tf.nn.relu(tf.constant([[-1.0, 2.0]]))
>>> print(h)
Tensor("Relu:0", shape=(1, 2), dtype=float32)
"""

from __future__ import annotations

from typing import Any

from teachflow import rnn_cell
from teachflow.embedding_ops import embedding_lookup

# ruff: noqa: F401 - this module is the public tf.nn namespace
from teachflow.ops.activation_ops import (
    crelu,
    elu,
    leaky_relu,
    log_softmax,
    relu,
    relu6,
    selu,
    softmax,
    softplus,
    softsign,
    swish,
)
from teachflow.ops.batch_norm_ops import batch_normalization, fused_batch_norm
from teachflow.ops.conv_ops import (
    conv2d,
    conv2d_backprop_filter,
    conv2d_backprop_input,
    conv2d_transpose,
)
from teachflow.ops.math_ops import sigmoid, tanh
from teachflow.ops.nn_composites import dropout, l2_normalize, moments, zero_fraction
from teachflow.ops.nn_ops import bias_add, in_top_k, l2_loss, top_k, xw_plus_b
from teachflow.ops.pool_ops import avg_pool, avg_pool2d, max_pool, max_pool2d
from teachflow.ops.xent_ops import (
    sigmoid_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2,
    sparse_softmax_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits,
)
from teachflow.rnn import (
    bidirectional_dynamic_rnn,
    dynamic_rnn,
    static_bidirectional_rnn,
    static_rnn,
)
from teachflow.unsupported import UnsupportedFeatureError

# TensorFlow 1.x tf.nn names teachflow does not have (yet): asking says so plainly, and
# hasattr(tf.nn, name) is False (UnsupportedFeatureError is also an AttributeError)
_NOT_IMPLEMENTED = frozenset(
    """atrous_conv2d avg_pool1d avg_pool3d conv1d conv3d convolution
    ctc_loss depthwise_conv2d dilation2d
    embedding_lookup_sparse local_response_normalization log_poisson_loss lrn max_pool1d
    max_pool3d max_pool_with_argmax nce_loss normalize_moments pool raw_rnn relu_layer
    sampled_softmax_loss separable_conv2d sufficient_statistics weighted_moments""".split()
)


def __getattr__(name: str) -> Any:
    if name in _NOT_IMPLEMENTED:
        raise UnsupportedFeatureError(
            f"teachflow does not implement tf.nn.{name} (TensorFlow 1.x has it)."
        )
    raise AttributeError(f"module 'teachflow.nn' has no attribute '{name}'")
