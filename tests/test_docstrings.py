"""Every runnable example in teachflow's docstrings runs and prints what it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import teachflow as tf

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(tf.__path__, "teachflow.")
    if ".widgets" not in m.name  # the widget modules are exercised by their own tests
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder().find(module, name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        tf.reset_default_graph()
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} docstring example(s) failed"
