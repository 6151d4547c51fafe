"""How long compiling a long plan takes (teachflow.compiled), against running it interpreted.

A chain of ``n`` ops (``n / 2`` additions of a constant to a fed vector) is run by one
session: interpreted (stepping the plan), then once more with the compile, then compiled.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np


def chain_graph(lib: Any, n: int) -> tuple[Any, Any, Any]:
    """(graph, placeholder, output) of a chain of ``n`` ops: ``n / 2`` times y = y + c."""
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [4], name="x")
        y = x
        for i in range(n // 2):
            y = y + float(i % 7)
    return g, x, y


def measure(n: int) -> dict[str, float]:
    """Seconds: ``interpreted`` run, ``compile`` (the run that compiles, minus a compiled
    run), ``compiled`` run, and TensorFlow's steady run of the same chain."""
    import teachflow as tt
    from teachflow import execution

    g, x, y = chain_graph(tt, n)
    feed = {x: np.ones(4, np.float32)}
    sess = tt.Session(graph=g)
    saved = execution.COMPILE_AT_RUN
    out: dict[str, float] = {}
    try:
        execution.COMPILE_AT_RUN = 1 << 30
        sess.run(y, feed)  # builds the plan
        t0 = time.perf_counter()
        sess.run(y, feed)
        out["interpreted"] = time.perf_counter() - t0
        execution.COMPILE_AT_RUN = 0
        t0 = time.perf_counter()
        sess.run(y, feed)
        with_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        sess.run(y, feed)
        out["compiled"] = time.perf_counter() - t0
        out["compile"] = max(with_compile - out["compiled"], 0.0)
    finally:
        execution.COMPILE_AT_RUN = saved
        sess.close()
    return out


def tensorflow_runs(tf1: Any, n: int) -> tuple[float, float]:
    """Seconds of TensorFlow's first run of the chain (its graph setup) and of a later one."""
    g, x, y = chain_graph(tf1, n)
    feed = {x: np.ones(4, np.float32)}
    with tf1.Session(graph=g) as sess:
        t0 = time.perf_counter()
        sess.run(y, feed)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        sess.run(y, feed)
        return first, time.perf_counter() - t0
