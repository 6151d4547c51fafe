"""The real ``tensorboard --logdir`` serves what teachflow wrote: scalars and the graph."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import teachflow as tf

pytestmark = pytest.mark.slow

STARTUP_LIMIT = 180.0  # seconds: TensorBoard imports TensorFlow, slow on a busy machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return bytes(response.read())
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@pytest.fixture
def logdir(tmp_path: Path) -> Path:
    """A run written by teachflow: three losses and a graph with a name scope."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, name="x")
    with tf.name_scope("layer1"):
        w = tf.Variable(2.0, name="w")
        y = tf.multiply(x, w, name="y")
    loss = tf.summary.scalar("loss", y)
    with tf.Session() as sess, tf.summary.FileWriter(tmp_path / "logs", sess.graph) as writer:
        sess.run(tf.global_variables_initializer())
        for step, value in enumerate([0.5, 1.5, 4.0]):
            writer.add_summary(sess.run(loss, {x: value}), step)
    return tmp_path / "logs"


@pytest.fixture
def tensorboard(logdir: Path, tmp_path: Path) -> Iterator[str]:
    """The venv's ``tensorboard`` serving ``logdir``; stopped after the test."""
    script = Path(sys.executable).parent / "tensorboard"
    port = free_port()
    log = open(tmp_path / "tensorboard.log", "wb")  # closed below
    proc = subprocess.Popen(
        [str(script), "--logdir", str(logdir), "--host", "127.0.0.1", "--port", str(port)]
        + ["--reload_interval", "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        log.close()


def poll(url: str, ready: Callable[[bytes], bool]) -> bytes:
    deadline = time.monotonic() + STARTUP_LIMIT
    body = None
    while time.monotonic() < deadline:
        body = get(url)
        if body is not None and ready(body):
            return body
        time.sleep(0.5)
    raise AssertionError(f"TensorBoard did not serve {url} in time; last answer: {body!r}")


def test_tensorboard_serves_scalars_and_graph(tensorboard: str) -> None:
    url = f"{tensorboard}/data/plugin/scalars/scalars?run=.&tag=loss"
    body = poll(url, lambda b: len(json.loads(b)) == 3)
    points = json.loads(body)
    assert [(step, value) for _, step, value in points] == [(0, 1.0), (1, 3.0), (2, 8.0)]
    assert all(wall_time > 0 for wall_time, _, _ in points)

    runs = json.loads(poll(f"{tensorboard}/data/runs", lambda b: b"." in b))
    assert runs == ["."]

    graph = poll(f"{tensorboard}/data/plugin/graphs/graph?run=.", lambda b: b"node" in b).decode()
    for name in ("x", "layer1/w", "layer1/w/read", "layer1/y", "loss"):
        assert f'name: "{name}"' in graph
    assert 'op: "MatMul"' not in graph and 'op: "Mul"' in graph
