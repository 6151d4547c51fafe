"""``tf.data`` against TensorFlow: elements, static types and shapes, op types, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import teachflow

X = np.arange(12, dtype=np.float32).reshape(6, 2)
Y = np.arange(6, dtype=np.int64)


def drain(lib: Any, build: Callable[[Any], Any], limit: int = 50) -> dict[str, Any]:
    """Builds ``(dataset_or_iterator_parts)``, iterates to OutOfRangeError; what was seen."""
    g = lib.Graph()
    with g.as_default():
        ds = build(lib)
        it = ds.make_initializable_iterator()
        nxt = it.get_next()
        seen: list[Any] = []
        with lib.Session() as sess:
            for _ in range(2):  # a second initialization starts over
                sess.run(it.initializer)
                epoch = []
                err = None
                for _ in range(limit):
                    try:
                        epoch.append(sess.run(nxt))
                    except lib.errors.OutOfRangeError as e:
                        err = e
                        break
                seen.append(epoch)
        return {
            "elements": seen,
            "error": None if err is None else (type(err).__name__, first_line(err)),
            "types": ds.output_types,
            "shapes": _shapes(ds.output_shapes),
            "next": [(t.name, str(t.shape), t.dtype.name) for t in _leaves(nxt)],
            "ops": [(op.name, op.type) for op in g.get_operations()],
        }


def first_line(e: BaseException) -> str:
    """The first line of the error's own text (without TF2's 'Graph execution error' frame)."""
    text = getattr(e, "message", str(e))
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("Graph execution", "Detected at", "File", "Node:")):
            return line
    return text


def _leaves(x: Any) -> list[Any]:
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _leaves(x[k])]
    if isinstance(x, tuple):
        return [v for item in x for v in _leaves(item)]
    return [x]


def _shapes(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _shapes(v) for k, v in x.items()}
    if isinstance(x, tuple):
        return tuple(_shapes(v) for v in x)
    return None if x.dims is None else x.as_list()


def same_elements(a: Any, b: Any) -> None:
    la, lb = _leaves(a), _leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_allclose(y, x, rtol=1e-6)


def check(tf1: Any, build: Callable[[Any], Any], order: bool = True) -> dict[str, Any]:
    want, got = drain(tf1, build), drain(teachflow, build)
    assert got["error"] == want["error"]
    assert [len(e) for e in got["elements"]] == [len(e) for e in want["elements"]]
    for we, ge in zip(want["elements"], got["elements"]):
        if order:
            for w, g in zip(we, ge):
                same_elements(w, g)
    assert str(got["types"]) == str(want["types"])
    assert got["shapes"] == want["shapes"]
    assert got["next"] == want["next"]
    assert got["ops"] == want["ops"]
    return got


def test_from_tensor_slices_map_batch_repeat(tf1: Any) -> None:
    check(
        tf1,
        lambda tf: (
            tf.data.Dataset.from_tensor_slices((X, Y))
            .map(lambda a, b: (a * 2.0, b + 1))
            .batch(4)
            .repeat(2)
        ),
    )


def test_batch_drop_remainder_gives_a_static_batch_dimension(tf1: Any) -> None:
    got = check(tf1, lambda tf: tf.data.Dataset.from_tensor_slices(X).batch(4, drop_remainder=True))
    assert got["shapes"] == [4, 2]


def test_dict_elements(tf1: Any) -> None:
    check(
        tf1,
        lambda tf: (
            tf.data.Dataset.from_tensor_slices({"x": X, "y": Y})
            .map(lambda d: {"x": tf.reduce_sum(d["x"]), "y": d["y"]})
            .batch(3)
        ),
    )


def test_range_zip_take_skip_prefetch(tf1: Any) -> None:
    def build(tf: Any) -> Any:
        a = tf.data.Dataset.range(10).skip(2)
        b = tf.data.Dataset.range(3, 30, 3).take(5)
        return tf.data.Dataset.zip((a, b)).prefetch(1)

    check(tf1, build)


def test_from_tensors_and_filter(tf1: Any) -> None:
    check(tf1, lambda tf: tf.data.Dataset.from_tensors(X).repeat(3))
    check(tf1, lambda tf: tf.data.Dataset.range(10).filter(lambda x: tf.equal(x % 3, 0)))


def test_python_lists_are_one_tensor(tf1: Any) -> None:
    check(tf1, lambda tf: tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]]).batch(2))


def test_shuffle_is_a_permutation_that_repeats_when_seeded(tf1: Any) -> None:
    got = check(tf1, lambda tf: tf.data.Dataset.range(8).shuffle(8, seed=3).repeat(2), order=False)
    first, again = got["elements"]
    assert sorted(int(x) for x in first[:8]) == list(range(8))
    assert [int(x) for x in first] == [int(x) for x in again]  # re-initializing repeats it
    assert [int(x) for x in first[:8]] != [int(x) for x in first[8:]]  # each epoch reshuffles


def test_one_shot_iterator(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        with lib.Graph().as_default() as g:
            it = lib.data.Dataset.range(3).map(lambda x: x * x).make_one_shot_iterator()
            nxt = it.get_next()
            with lib.Session() as sess:
                got = [int(sess.run(nxt)) for _ in range(3)]
                with pytest.raises(lib.errors.OutOfRangeError) as e:
                    sess.run(nxt)
            with lib.Session() as sess:  # each session has its own position
                assert int(sess.run(nxt)) == 0
            assert got == [0, 1, 4]
            assert first_line(e.value) == "End of sequence"
            types = [op.type for op in g.get_operations()]
            assert "OneShotIterator" in types and "IteratorGetNext" in types
            with pytest.raises(ValueError, match="does not have an initializer"):
                _ = it.initializer


def test_uninitialized_iterator_is_a_failed_precondition(tf1: Any) -> None:
    msgs = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            nxt = lib.data.Dataset.range(3).make_initializable_iterator().get_next()
            with lib.Session() as sess, pytest.raises(lib.errors.FailedPreconditionError) as e:
                sess.run(nxt)
            msgs.append(first_line(e.value))
    assert msgs[1] == msgs[0]


def test_initializable_iterator_fed_from_placeholders(tf1: Any) -> None:
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            xs = lib.placeholder(lib.float32, [None, 2])
            ys = lib.placeholder(lib.int64, [None])
            ds = lib.data.Dataset.from_tensor_slices((xs, ys)).shuffle(100).batch(4)
            it = ds.make_initializable_iterator()
            bx, by = it.get_next()
            loss = lib.reduce_sum(bx)
            with lib.Session() as sess:
                total = 0.0
                for _ in range(2):
                    sess.run(it.initializer, {xs: X, ys: Y})
                    while True:
                        try:
                            total += float(sess.run(loss))
                        except lib.errors.OutOfRangeError:
                            break
            assert total == 2 * float(X.sum()), lib
            assert str(bx.shape) in ("(?, 2)",), bx.shape


def test_from_structure_switches_datasets(tf1: Any) -> None:
    results = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            train = lib.data.Dataset.from_tensor_slices((X, Y)).batch(4)
            test = lib.data.Dataset.from_tensor_slices((X[:2], Y[:2])).batch(4)
            it = lib.data.Iterator.from_structure(train.output_types, train.output_shapes)
            x, y = it.get_next()
            train_init, test_init = it.make_initializer(train), it.make_initializer(test)
            with lib.Session() as sess:
                sess.run(train_init)
                a = sess.run(y).tolist()
                sess.run(test_init)
                b = sess.run(y).tolist()
            results.append((a, b, str(x.shape), train_init.type, train_init.name))
            with pytest.raises(ValueError):
                it.make_initializer(lib.data.Dataset.range(3))
            bad = lib.data.Dataset.from_tensor_slices((Y, Y))
            with pytest.raises(TypeError) as e:
                it.make_initializer(bad)
            results.append(str(e.value))
    assert results[0] == results[2]
    assert results[1] == results[3]


def test_batch_of_unequal_shapes_fails_as_in_tensorflow(tf1: Any) -> None:
    errs = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            ds = lib.data.Dataset.range(1, 4).map(lambda n, lib=lib: lib.fill([n], 1.0)).batch(2)
            nxt = ds.make_one_shot_iterator().get_next()
            with lib.Session() as sess, pytest.raises(lib.errors.InvalidArgumentError) as e:
                sess.run(nxt)
            errs.append(first_line(e.value))
    # TensorFlow 2 reworded it; teachflow keeps TensorFlow 1.x's text
    assert errs[1] == (
        "Cannot batch tensors with different shapes in component 0. First element had shape [1] "
        "and element 1 had shape [2]."
    )
    assert "Cannot add tensor to the batch" in errs[0]


def test_from_tensor_slices_mismatched_rows(tf1: Any) -> None:
    msgs = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default(), pytest.raises(ValueError) as e:
            lib.data.Dataset.from_tensor_slices((np.zeros(3), np.zeros(4)))
        msgs.append(str(e.value).splitlines()[0])
    assert msgs[0] == msgs[1]


def test_training_on_a_dataset_matches(tf1: Any) -> None:
    """Linear regression fed by a batched, repeated dataset: the same losses."""
    xs = np.linspace(-1, 1, 16, dtype=np.float32).reshape(16, 1)
    ys = 3.0 * xs + 0.5
    curves = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            ds = lib.data.Dataset.from_tensor_slices((xs, ys)).batch(4).repeat()
            bx, by = ds.make_one_shot_iterator().get_next()
            w = lib.Variable([[0.1]])
            b = lib.Variable([0.0])
            loss = lib.reduce_mean(lib.square(lib.matmul(bx, w) + b - by))
            step = lib.train.GradientDescentOptimizer(0.2).minimize(loss)
            with lib.Session() as sess:
                sess.run(lib.global_variables_initializer())
                curves.append([float(sess.run([loss, step])[0]) for _ in range(12)])
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-5)


def test_cache_replays_the_first_pass(tf1: Any) -> None:
    got = check(
        tf1, lambda tf: tf.data.Dataset.range(6).shuffle(6, seed=2).cache().repeat(3), order=False
    )
    first = [int(x) for x in got["elements"][0]]
    assert first[:6] == first[6:12] == first[12:] and sorted(first[:6]) == list(range(6))


def test_unsupported_parts_say_so() -> None:
    from teachflow.unsupported import UnsupportedFeatureError

    ds = teachflow.data.Dataset.range(3)
    with pytest.raises(UnsupportedFeatureError, match="Dataset.padded_batch"):
        ds.padded_batch(2, [])
    with pytest.raises(UnsupportedFeatureError, match="tf.data.TextLineDataset"):
        teachflow.data.TextLineDataset("lines.txt")
    assert not hasattr(ds, "no_such_method")


def test_one_shot_iterator_refuses_a_placeholder(tf1: Any) -> None:
    msgs = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            x = lib.placeholder(lib.float32, [None])
            with pytest.raises(ValueError) as e:
                lib.data.Dataset.from_tensor_slices(x).batch(2).make_one_shot_iterator()
            msgs.append(str(e.value).splitlines()[0])
    assert msgs[1] == msgs[0]


def test_many_get_next_calls_warn(tf1: Any) -> None:
    import warnings

    texts = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default():
            it = lib.data.Dataset.range(3).make_initializable_iterator()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                for _ in range(40):
                    it.get_next()
            found = [str(w.message) for w in caught if "get_next()` calls" in str(w.message)]
            texts.append((len(found), found[0].split(".")[0]))
    assert texts[1] == texts[0]


def test_feedable_iterator_from_string_handle(tf1: Any) -> None:
    runs = []
    for lib in (tf1, teachflow):
        with lib.Graph().as_default() as g:
            train = lib.data.Dataset.range(100).repeat()
            valid = lib.data.Dataset.range(1000, 1003)
            handle = lib.placeholder(lib.string, shape=[])
            it = lib.data.Iterator.from_string_handle(
                handle, train.output_types, train.output_shapes
            )
            nxt = it.get_next()
            train_it = train.make_one_shot_iterator()
            valid_it = valid.make_initializable_iterator()
            with lib.Session() as sess:
                th, vh = sess.run([train_it.string_handle(), valid_it.string_handle()])
                seen = [int(sess.run(nxt, {handle: th})) for _ in range(3)]
                sess.run(valid_it.initializer)
                seen += [int(sess.run(nxt, {handle: vh})) for _ in range(3)]
                seen.append(int(sess.run(nxt, {handle: th})))
                with pytest.raises(lib.errors.OutOfRangeError):
                    sess.run(nxt, {handle: vh})
            runs.append((seen, sorted(op.type for op in g.get_operations()), str(nxt.shape)))
    assert runs[1] == runs[0]
    assert runs[1][0] == [0, 1, 2, 1000, 1001, 1002, 3]
