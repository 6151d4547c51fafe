"""Hints name the user's objects: the Python names the user's code holds tensors under, the
declared and fed shapes side by side, and notebook cells as "notebook cell N, line M"."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import teachflow as tf
from teachflow import paths

REPO = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("fresh_graph")


def test_dtype_hint_casts_the_users_tensor_by_its_name() -> None:
    a = tf.Variable(0.0)
    b = tf.constant(1)
    with pytest.raises(TypeError) as info:
        tf.add(a, b)
    assert "convert it first with tf.cast(b, tf.float32)" in str(info.value)
    assert "Const" not in str(info.value).split("Hint:")[1]


def test_dtype_hint_of_an_unnamed_tensor_names_the_tensor_not_a_variable() -> None:
    with pytest.raises(TypeError) as info:
        tf.add(tf.Variable(0.0), tf.constant(1))
    assert "tf.cast(<tensor 'Const:0'>, tf.float32)" in str(info.value)


def test_missing_feed_hint_uses_the_placeholders_python_name() -> None:
    b = tf.placeholder(tf.float32, name="input")
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.Session().run(b * 2.0)
    assert "Hint: pass feed_dict={b: value} to sess.run." in str(info.value)

    def train_step() -> None:  # the name is found in the function that runs the graph
        images = tf.placeholder(tf.float32)
        tf.Session().run(images + 1.0)

    with pytest.raises(tf.errors.InvalidArgumentError, match=r"feed_dict=\{images: value\}"):
        train_step()


def test_missing_feed_hint_without_a_python_name_quotes_the_tensor() -> None:
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.Session().run(tf.placeholder(tf.float32, name="p") * 2.0)
    assert "feed_dict={'p:0': value}" in str(info.value)


def test_wrong_shape_hint_shows_declared_and_fed_shapes() -> None:
    x = tf.placeholder(tf.float32, shape=[None, 3])
    sess = tf.Session()
    with pytest.raises(ValueError) as info:
        sess.run(x, {x: [[1.0, 2.0]]})
    hint = str(info.value).split("Hint:")[1]
    assert "x is declared with shape [None, 3]; the value fed has shape [1, 2]" in hint
    assert "dimension 1 must be 3, not 2" in hint
    assert "shape=[None, 3]" not in hint  # never asks for the shape already declared
    with pytest.raises(ValueError) as info:
        sess.run(x, {x: np.ones(3)})
    expected = "rank 1 where rank 2 is declared; reshape the value, e.g. np.reshape(value, [-1, 3])"
    assert expected in str(info.value)


def test_code_place_reads_notebook_cells() -> None:
    assert paths.code_place("<ipython-input-7-0123456789ab>", 4) == "notebook cell 7, line 4"
    assert paths.code_place("/tmp/ipykernel_123/456.py", 2) == "notebook cell, line 2"
    assert paths.code_place("/home/me/train.py", 9) == "/home/me/train.py:9"


def test_errors_in_a_notebook_name_the_cell_and_its_line() -> None:
    """In a kernel, cells are compiled to ipykernel_<pid>/<hash>.py; errors name In [N]."""
    script = """
        from IPython.core.interactiveshell import InteractiveShell
        from ipykernel.compiler import XCachingCompiler
        shell = InteractiveShell.instance(compiler_class=XCachingCompiler)
        shell.run_cell("import teachflow as tf", store_history=True)
        shell.run_cell("a = 1\\nx = tf.placeholder(tf.float32)\\ny = x * 2", store_history=True)
        shell.run_cell("try:\\n    tf.Session().run(y)\\nexcept Exception as e:\\n    print(e)",
                       store_history=True)
    """
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    assert "'Placeholder' was created at notebook cell 2, line 2 (x = tf.placeholder(" in out
    assert "ipykernel_" not in out
    assert "feed_dict={x: value}" in out
