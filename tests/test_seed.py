"""The memo's transcripts, run verbatim with ``import teachflow as tf``.

Each transcript runs in a fresh default graph. The one difference allowed is the uniquified
constant name in the dtype-mixing error (the memo's ``Const_4`` depends on what the memo's
author had typed before), matched with ``...``.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import pytest

import teachflow as tf

# The transcripts exactly as the memo shows them (output lines after each statement).
TRANSCRIPTS = {
    "graph_and_session": """
>>> import teachflow as tf
>>> matrix1 = tf.constant([[3., 3.]])
>>> matrix2 = tf.constant([[2.],[2.]])
>>> product = tf.matmul(matrix1, matrix2)
>>> print(product)
Tensor("MatMul:0", shape=(1, 1), dtype=float32)
>>> with tf.Session() as sess:
...     result = sess.run(product)
...     print(result)
[[12.]]
""",
    "dtype_mixing": """
>>> a = tf.Variable(0.0)
>>> b = tf.constant(1)
>>> sum = tf.add(a, b)
ValueError: Tensor conversion requested dtype float32 for Tensor with dtype int32: 'Tensor("Const_4:0", shape=(), dtype=int32)'
""",
    "counter": """
>>> state = tf.Variable(0, name="counter")
>>> one = tf.constant(1)
>>> new_value = tf.add(state, one)
>>> update = tf.assign(state, new_value)
>>> init_op = tf.initialize_all_variables()
>>> sess = tf.Session()
>>> print(sess.run(state))
FailedPreconditionError: Attempting to use uninitialized value counter
>>> sess.run(init_op)
>>> print(sess.run(state))
0
>>> for _ in range(3):
...     sess.run(update)
...     print(sess.run(state))
1
2
3
>>> sess.close()
""",
    "shape": """
>>> t = tf.Variable([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]])
>>> shape = tf.shape(t)
>>> with tf.Session() as sess:
...     sess.run(tf.initialize_all_variables())
...     print(sess.run(shape))
[2 2 3]
""",
    "placeholders": """
>>> input1 = tf.placeholder(tf.float32)
>>> input2 = tf.placeholder(tf.float32)
>>> output = tf.mul(input1, input2)
>>> with tf.Session() as sess:
...     print(sess.run([output], feed_dict={input1:[7.], input2:[2.]}))
[array([14.], dtype=float32)]
""",
}


def _statements(transcript: str) -> list[tuple[str, list[str]]]:
    """(source, expected output lines) for each statement of a transcript."""
    out: list[tuple[str, list[str]]] = []
    for line in transcript.strip().splitlines():
        if line.startswith(">>> "):
            out.append((line[4:] + "\n", []))
        elif line.startswith("... "):
            src, want = out[-1]
            out[-1] = (src + line[4:] + "\n", want)
        else:
            out[-1][1].append(line)
    return out


def _run_statement(source: str, env: dict[str, object]) -> list[str]:
    """Runs like a script or a notebook cell (no echo of bare expressions inside blocks).

    An exception shows as TensorFlow's ``Class: first line``; the class is matched by
    ``isinstance``, so teachflow's dtype error (both ValueError and TypeError) passes as the
    memo's ``ValueError``.
    """
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            exec(compile(source, "<seed>", "exec"), env)
    except Exception as e:  # the transcript shows the error
        env["__error__"] = e
        return [*buf.getvalue().splitlines(), f"<error>{str(e).splitlines()[0]}"]
    return buf.getvalue().splitlines()


def _matches(want: str, got: str, env: dict[str, object]) -> bool:
    if ": " in want and want.split(":")[0].endswith("Error") and got.startswith("<error>"):
        cls_name, _, text = want.partition(": ")
        err = env["__error__"]
        classes = {c.__name__ for c in type(err).__mro__}
        # the memo's constant name (Const_4) depends on what was typed before it
        pattern = re.escape(text).replace("Const_4", r"Const(_\d+)?")
        return cls_name in classes and re.fullmatch(pattern, got[len("<error>") :]) is not None
    return want == got


@pytest.mark.parametrize("name", list(TRANSCRIPTS))
def test_transcript(name: str) -> None:
    tf.reset_default_graph()
    env: dict[str, object] = {"tf": tf}
    for source, want in _statements(TRANSCRIPTS[name]):
        got = _run_statement(source, env)
        assert len(got) == len(want) and all(_matches(w, g, env) for w, g in zip(want, got)), (
            f"{source!r} printed {got}, the memo shows {want}"
        )


def test_dtype_mixing_is_value_and_type_error() -> None:
    tf.reset_default_graph()
    a = tf.Variable(0.0)
    b = tf.constant(1)
    for cls in (ValueError, TypeError):
        with pytest.raises(cls) as info:
            tf.add(a, b)
        text = str(info.value)
        assert "float32" in text and "int32" in text and "tf.cast" in text
        assert b.name in text


def test_uninitialized_error_names_node_location_and_hint() -> None:
    tf.reset_default_graph()
    state = tf.Variable(0, name="counter")
    new_value = tf.add(state, tf.constant(1))
    sess = tf.Session()
    with pytest.raises(tf.errors.FailedPreconditionError) as info:
        sess.run(new_value)
    err = info.value
    lines = str(err).splitlines()
    assert lines[0] == "Attempting to use uninitialized value counter"
    assert "[[{{node counter/read}}]]" in lines[1]
    assert err.op.name == "counter/read"
    assert "test_seed.py" in str(err) and "tf.Variable(0" in str(err)
    assert "global_variables_initializer" in str(err)
    # the session stays usable after the error
    sess.run(state.initializer)
    assert sess.run(new_value) == 1


def test_zero_x_names_work_beside_one_x_names() -> None:
    tf.reset_default_graph()
    x = tf.constant([5, 7])
    y = tf.constant([2, 3])
    with tf.Session() as sess:
        assert sess.run(tf.mul(x, y)).tolist() == sess.run(tf.multiply(x, y)).tolist() == [10, 21]
        assert sess.run(tf.sub(x, y)).tolist() == sess.run(tf.subtract(x, y)).tolist() == [3, 4]
        assert sess.run(tf.neg(x)).tolist() == sess.run(tf.negative(x)).tolist() == [-5, -7]
