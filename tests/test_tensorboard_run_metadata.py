"""The real ``tensorboard`` shows a traced teachflow run on its graph: per-op compute time and
memory, served by the graphs plugin from ``FileWriter.add_run_metadata``."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import teachflow as tf
from tests.test_tensorboard_server import free_port, poll

pytestmark = pytest.mark.slow


@pytest.fixture
def logdir(tmp_path: Path) -> Path:
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer1"):
        w = tf.Variable(tf.ones([3, 2]), name="w")
        y = tf.matmul(x, w, name="y")
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    meta = tf.RunMetadata()
    with tf.Session() as sess, tf.summary.FileWriter(tmp_path / "logs", sess.graph) as writer:
        sess.run(tf.global_variables_initializer())
        sess.run(y, {x: [[1.0, 2.0, 3.0]]}, options=options, run_metadata=meta)
        writer.add_run_metadata(meta, "step 10", global_step=10)
    return tmp_path / "logs"


@pytest.fixture
def tensorboard(logdir: Path, tmp_path: Path) -> Iterator[str]:
    script = Path(sys.executable).parent / "tensorboard"
    port = free_port()
    log = open(tmp_path / "tensorboard.log", "wb")  # noqa: SIM115 - closed below
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


def test_tensorboard_serves_run_metadata_on_the_graph(tensorboard: str) -> None:
    info = json.loads(poll(f"{tensorboard}/data/plugin/graphs/info", lambda b: b"step 10" in b))
    assert info["."]["run_graph"] and info["."]["tags"]["step 10"]["profile"]
    url = f"{tensorboard}/data/plugin/graphs/run_metadata?run=.&tag=step%2010"
    text = poll(url, lambda b: b"node_stats" in b).decode()
    for name in ("layer1/w", "layer1/w/read", "layer1/y"):
        assert f'node_name: "{name}"' in text
    assert "all_end_rel_micros" in text and "requested_bytes: 8" in text
    assert 'timeline_label: "layer1/y = MatMul(x, layer1/w/read)"' in text
