"""``python -m benchmarks``: per-call times and ratios, measured side by side in one run.

Ratios are what matter (the machine is shared and noisy): each case runs teachflow, TensorFlow
(``tf.compat.v1`` graph mode) and, where it applies, hand-written numpy, interleaved, and
reports the best of several rounds. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def best_time(fn: Callable[[], Any], number: int, rounds: int = 5) -> float:
    """Best per-call seconds over ``rounds`` rounds of ``number`` calls."""
    fn()  # warm up: plans, caches
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def counter(lib: Any) -> Callable[[], Any]:
    g = lib.Graph()
    with g.as_default():
        state = lib.Variable(0, name="counter")
        update = lib.assign(state, state + 1)
        sess = lib.Session(graph=g)
        sess.run(state.initializer)
    return lambda: sess.run(update)


def chain(lib: Any) -> Callable[[], Any]:
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [8])
        y = x
        for i in range(20):
            y = y * 1.01 if i % 2 else y + 0.5
        sess = lib.Session(graph=g)
    feed = {x: np.arange(8, dtype=np.float32)}
    return lambda: sess.run(y, feed)


def _mlp_data(batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((batch, 64)).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    return xs, ys


def mlp(lib: Any) -> Callable[[], Any]:
    xs, ys = _mlp_data()
    rng = np.random.default_rng(1)
    w1v = (rng.standard_normal((64, 128)) * 0.1).astype(np.float32)
    w2v = (rng.standard_normal((128, 10)) * 0.1).astype(np.float32)
    g = lib.Graph()
    with g.as_default():
        x = lib.placeholder(lib.float32, [None, 64])
        y = lib.placeholder(lib.float32, [None, 10])
        w1 = lib.Variable(w1v)
        b1 = lib.Variable(np.zeros(128, np.float32))
        w2 = lib.Variable(w2v)
        b2 = lib.Variable(np.zeros(10, np.float32))
        h = lib.nn.relu(lib.matmul(x, w1) + b1)
        logits = lib.matmul(h, w2) + b2
        loss = lib.reduce_mean(lib.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
        train = lib.train.GradientDescentOptimizer(0.1).minimize(loss)
        sess = lib.Session(graph=g)
        sess.run(lib.global_variables_initializer())
    feed = {x: xs, y: ys}
    return lambda: sess.run(train, feed)


def mlp_numpy() -> Callable[[], Any]:
    xs, ys = _mlp_data()
    rng = np.random.default_rng(1)
    p = {
        "w1": (rng.standard_normal((64, 128)) * 0.1).astype(np.float32),
        "b1": np.zeros(128, np.float32),
        "w2": (rng.standard_normal((128, 10)) * 0.1).astype(np.float32),
        "b2": np.zeros(10, np.float32),
    }
    n = np.float32(len(xs))

    def step() -> None:
        h_pre = xs @ p["w1"] + p["b1"]
        h = np.maximum(h_pre, 0)
        logits = h @ p["w2"] + p["b2"]
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        sm = e / e.sum(axis=1, keepdims=True)
        dlogits = (sm - ys) / n
        dw2 = h.T @ dlogits
        db2 = dlogits.sum(axis=0)
        dh = dlogits @ p["w2"].T
        dh[h_pre <= 0] = 0
        dw1 = xs.T @ dh
        db1 = dh.sum(axis=0)
        for k, gk in (("w1", dw1), ("b1", db1), ("w2", dw2), ("b2", db2)):
            p[k] = p[k] - np.float32(0.1) * gk

    return step


def matmul(lib: Any) -> Callable[[], Any]:
    rng = np.random.default_rng(2)
    a = rng.standard_normal((1024, 1024)).astype(np.float32)
    b = rng.standard_normal((1024, 1024)).astype(np.float32)
    g = lib.Graph()
    with g.as_default():
        pa = lib.placeholder(lib.float32, [1024, 1024])
        pb = lib.placeholder(lib.float32, [1024, 1024])
        prod = lib.matmul(pa, pb)
        sess = lib.Session(graph=g)
    feed = {pa: a, pb: b}
    return lambda: sess.run(prod, feed)


def matmul_numpy() -> Callable[[], Any]:
    rng = np.random.default_rng(2)
    a = rng.standard_normal((1024, 1024)).astype(np.float32)
    b = rng.standard_normal((1024, 1024)).astype(np.float32)
    return lambda: a @ b


def construction(lib: Any, dot: bool) -> Callable[[], Any]:
    def build() -> None:
        g = lib.Graph()
        with g.as_default():
            x = lib.placeholder(lib.float32, [None, 8], name="x")
            y = x
            for i in range(250):
                with lib.name_scope(f"block{i // 25}"):
                    y = y * 1.5 + 0.5  # 4 ops: mul/y, mul, add/y, add
        if dot:
            from teachflow.drawing import to_dot

            to_dot(g)

    return build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    k = 0.2 if args.quick else 1.0

    import tensorflow.compat.v1 as tf1

    tf1.disable_v2_behavior()
    import teachflow as tt

    # TensorFlow's import leaves millions of objects for every full garbage collection to walk;
    # freeze them so each library is timed with its own objects only, as in a learner's kernel
    gc.collect()
    gc.freeze()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    import tensorflow as tf_root

    print(f"numpy {np.__version__}, tensorflow {tf_root.__version__}")
    rows: list[tuple[str, float, float, float | None, str]] = []

    def case(
        name: str,
        make: Callable[[Any], Callable[[], Any]],
        number: int,
        target: str,
        numpy_fn: Callable[[], Any] | None = None,
    ) -> None:
        n = max(1, int(number * k))
        t_tt = best_time(make(tt), n)
        t_tf = best_time(make(tf1), n)
        t_np = best_time(numpy_fn, n) if numpy_fn else None
        rows.append((name, t_tt, t_tf, t_np, target))

    case("1 counter update", counter, 2000, "<= 0.5x TF")
    case("2 20-op chain float32[8]", chain, 2000, "<= 0.5x TF")
    try:
        case("3 MLP train step (b=256)", mlp, 200, "<= 1.0x TF, <= 1.3x numpy", mlp_numpy())
    except (AttributeError, NotImplementedError) as e:
        print(f"3 MLP train step: not available yet ({e})")
    case("4 matmul 1024^2 fed", matmul, 10, "<= 1.1x numpy", matmul_numpy())

    print()
    head = ["teachflow", "TensorFlow", "numpy"]
    print(f"{'case':28} " + " ".join(f"{h:>11}" for h in head) + "   vs TF   vs np  target")
    for name, a, b, c, target in rows:
        cs = f"{c * 1e6:9.1f}us" if c else f"{'-':>11}"
        vs_np = f"{a / c:6.2f}x" if c else f"{'-':>7}"
        print(f"{name:28} {a * 1e6:9.1f}us {b * 1e6:9.1f}us {cs} {a / b:6.2f}x {vs_np}  {target}")

    n = max(1, int(20 * k))
    t_build = best_time(construction(tt, dot=False), n, rounds=3)
    try:
        t_dot = best_time(construction(tt, dot=True), n, rounds=3)
    except ImportError as e:
        t_dot = float("nan")
        print(f"DOT generation not available: {e}")
    t_tf_build = best_time(construction(tf1, dot=False), n, rounds=3)
    print(
        f"5 build 1,000 ops: teachflow {t_build * 1e3:.1f} ms, with DOT {t_dot * 1e3:.1f} ms "
        f"(target < 50 ms); TensorFlow builds it in {t_tf_build * 1e3:.1f} ms"
    )
    real_models(tt, tf1, k, args.quick)


def real_models(tt: Any, tf1: Any, k: float, quick: bool) -> None:
    """The Deep MNIST CNN, an MLP step on a busy machine, and compiling long plans."""
    from benchmarks import busy, cnn, compile_time

    print()
    for name, make, number, target in (
        ("6 CNN train step (b=50)", cnn.train_step, 10, "<= 2.0x TF"),
        ("7 CNN forward (b=50)", cnn.forward, 20, "<= 1.5x TF"),
    ):
        n = max(2, int(number * k))
        t_tt, t_tf = best_time(make(tt), n, rounds=3), best_time(make(tf1), n, rounds=3)
        print(
            f"{name:28} teachflow {t_tt * 1e3:7.1f} ms  TensorFlow {t_tf * 1e3:7.1f} ms  "
            f"{t_tt / t_tf:5.2f}x TF  (target {target})"
        )

    burners = max(1, (os.cpu_count() or 2) - 1)
    n = max(10, int(100 * k))
    mlps = {"teachflow": mlp(tt), "TensorFlow": mlp(tf1)}
    quiet = {lib: float("inf") for lib in mlps}
    loaded = dict(quiet)
    for _ in range(3):  # alternate, so that a change in the machine's own load hits both
        for lib, fn in mlps.items():
            quiet[lib] = min(quiet[lib], best_time(fn, n, rounds=2))
        with busy.Burners(burners, seconds=120):
            time.sleep(0.3)  # let the burners get going
            for lib, fn in mlps.items():
                loaded[lib] = min(loaded[lib], best_time(fn, n, rounds=2))
    print(
        f"8 MLP step, {burners} CPU-burning process(es) running: "
        + ", ".join(
            f"{lib} {loaded[lib] * 1e6:.0f}us = {loaded[lib] / quiet[lib]:.2f}x its quiet "
            f"{quiet[lib] * 1e6:.0f}us"
            for lib in mlps
        )
        + " (target: teachflow <= 1.5x quiet)"
    )

    for size in (5_000, 40_000) if quick else (5_000, 40_000, 200_000):
        m = compile_time.measure(size)
        tf_note = ""
        if size <= (5_000 if quick else 40_000):
            first, steady = compile_time.tensorflow_runs(tf1, size)
            tf_note = f"; TensorFlow: first run {first:.2f} s, then {steady * 1e3:.1f} ms"
        print(
            f"9 plan of {size:,} ops: compile {m['compile']:.2f} s = "
            f"{m['compile'] / m['interpreted']:.1f}x its interpreted run "
            f"({m['interpreted'] * 1e3:.0f} ms; compiled {m['compiled'] * 1e3:.0f} ms)"
            + tf_note
            + (" (target <= 3x at 200,000)" if size == 200_000 else "")
        )


if __name__ == "__main__":
    main()
    print()
    from benchmarks import widget_layout

    widget_layout.main()
