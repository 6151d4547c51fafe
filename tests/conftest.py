"""Settings shared by the whole test suite."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import teachflow as tf

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# TensorFlow picks its oneDNN kernels on CPUs with AVX-512 and its own kernels elsewhere; the
# two differ (NCHW convolution, some error texts). The oracle is the portable CPU kernels, on
# every machine: set before TensorFlow is first imported.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

# Hypothesis profiles: the default keeps `make test` quick; `make fuzz` sets TEACHFLOW_FUZZ=long.
settings.register_profile("default", max_examples=50, deadline=None)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("TEACHFLOW_FUZZ", "default"))

OUTPUT_ROOT = Path(__file__).parent / "output"


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """A fresh folder under tests/output/ (gitignored) for this test's screenshots and logs."""
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.replace("/", ".")).strip("_")
    folder = OUTPUT_ROOT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def fresh_graph() -> Iterator[tf.Graph]:
    """A new, empty default graph for the test. A test file takes it for every test with
    ``pytestmark = pytest.mark.usefixtures("fresh_graph")``."""
    with tf.Graph().as_default() as g:
        yield g


def run(fetches: Any, feed_dict: Any = None) -> Any:
    """``sess.run(fetches, feed_dict)`` in a new session on the default graph, its global
    variables initialized first."""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed_dict)
