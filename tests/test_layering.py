"""teachflow's modules import downward only: each layer uses the layers below it, never one above,
and an op family never imports another family (a shared helper goes in the registry's layer).

Imports are read with ``ast``, at module level and inside functions (``if TYPE_CHECKING:``
blocks are skipped: they never run). ``KNOWN_UPWARD`` lists today's exceptions, each by name;
a new one fails the test, and so does an entry that no longer exists, so the list only shrinks.
``python -m tests.test_layering`` prints the current exceptions and counts.
"""

from __future__ import annotations

import ast
import functools
import pathlib
from collections.abc import Iterator

ROOT = pathlib.Path(__file__).resolve().parent.parent / "teachflow"

# Lowest first. A module's layer is that of the longest prefix listed; unlisted modules under
# teachflow.ops are op families, every other unlisted module is in the library layer.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "base",
        (
            "teachflow.dtypes",
            "teachflow.errors",
            "teachflow.paths",
            "teachflow.tensor_shape",
            "teachflow.file_io",
            "teachflow.protos",
            "teachflow.tf_logging",
            "teachflow.unsupported",
            "teachflow.blas",
            "teachflow.app",
            "teachflow.as_tensorflow",
            "teachflow.ops.philox",
            "teachflow.ops.handles",
        ),
    ),
    ("graph", ("teachflow.graph",)),
    (
        "registry",
        (
            "teachflow.ops.registry",
            "teachflow.ops.op_args",
            "teachflow.ops.shape_inference",
            "teachflow.ops.constant_op",
            "teachflow.ops.math_rules",
            "teachflow.indexed_slices",
        ),
    ),
    ("op families", ("teachflow.ops",)),
    (
        "engine",
        (
            "teachflow.gradients",
            "teachflow.while_gradients",
            "teachflow.execution",
            "teachflow.compiled",
            "teachflow.state",
            "teachflow.session",
            "teachflow.step_stats",
            "teachflow.variables",
        ),
    ),
    (
        "export",
        (
            "teachflow.tensor_util",
            "teachflow.graph_def",
            "teachflow.graph_util",
            "teachflow.meta_graph",
            "teachflow.drawing",
        ),
    ),
    ("library", ("teachflow.",)),
    (
        "public namespace",
        (
            "teachflow",
            "teachflow.__main__",
            "teachflow.ops.overloads",
            "teachflow.compat",
            "teachflow.python",
        ),
    ),
]

# Modules already split along TensorFlow's lines: no exception is allowed for them.
STRICT = frozenset(
    {
        "teachflow.file_io",
        "teachflow.protos",
        "teachflow.tensor_util",
        "teachflow.graph_def",
        "teachflow.graph_util",
        "teachflow.meta_graph",
        "teachflow.train.checkpoint_format",
        "teachflow.train.checkpoint_management",
        "teachflow.train.checkpoint_utils",
        "teachflow.train.io_ops",
        "teachflow.train.saver",
    }
)

# Today's upward and sideways imports ("importer -> imported"). Remove an entry when you fix it.
KNOWN_UPWARD = frozenset(
    """
teachflow.examples.tutorials.mnist.mnist -> teachflow
teachflow.graph -> teachflow.drawing
teachflow.graph -> teachflow.graph_def
teachflow.graph -> teachflow.ops.overloads
teachflow.graph -> teachflow.session
teachflow.indexed_slices -> teachflow.ops.gather_ops
teachflow.ops.activation_ops -> teachflow.ops.cast_ops
teachflow.ops.activation_ops -> teachflow.ops.concat_ops
teachflow.ops.activation_ops -> teachflow.ops.fill_ops
teachflow.ops.activation_ops -> teachflow.ops.math_ops
teachflow.ops.activation_ops -> teachflow.ops.nn_ops
teachflow.ops.activation_ops -> teachflow.ops.reduction_ops
teachflow.ops.array_ops -> teachflow.gradients
teachflow.ops.batch_norm_ops -> teachflow.ops.math_ops
teachflow.ops.batch_norm_ops -> teachflow.ops.nn_ops
teachflow.ops.broadcast_ops -> teachflow.gradients
teachflow.ops.concat_ops -> teachflow.ops.array_ops
teachflow.ops.concat_ops -> teachflow.ops.gather_ops
teachflow.ops.concat_ops -> teachflow.ops.math_ops
teachflow.ops.concat_ops -> teachflow.ops.reduction_ops
teachflow.ops.concat_ops -> teachflow.ops.sequence_ops
teachflow.ops.concat_ops -> teachflow.ops.stack_ops
teachflow.ops.concat_ops -> teachflow.ops.transpose_ops
teachflow.ops.constant_op -> teachflow.ops.stack_ops
teachflow.ops.control_flow_ops -> teachflow.ops.array_ops
teachflow.ops.conv_ops -> teachflow.ops.array_ops
teachflow.ops.conv_ops -> teachflow.ops.nn_ops
teachflow.ops.fill_ops -> teachflow.gradients
teachflow.ops.fill_ops -> teachflow.ops.array_ops
teachflow.ops.fill_ops -> teachflow.ops.reduction_ops
teachflow.ops.functional_ops -> teachflow.ops.array_ops
teachflow.ops.functional_ops -> teachflow.ops.control_flow_ops
teachflow.ops.functional_ops -> teachflow.ops.tensor_array_ops
teachflow.ops.functional_ops -> teachflow.ops.while_ops
teachflow.ops.gather_ops -> teachflow.gradients
teachflow.ops.gather_ops -> teachflow.ops.array_ops
teachflow.ops.gather_ops -> teachflow.ops.cast_ops
teachflow.ops.gather_ops -> teachflow.ops.concat_ops
teachflow.ops.gather_ops -> teachflow.ops.math_ops
teachflow.ops.gather_ops -> teachflow.ops.transpose_ops
teachflow.ops.linalg_ops -> teachflow.gradients
teachflow.ops.math_grad_ops -> teachflow.gradients
teachflow.ops.math_grad_ops -> teachflow.ops.array_ops
teachflow.ops.math_grad_ops -> teachflow.ops.math_ops
teachflow.ops.math_grad_ops -> teachflow.ops.reduction_ops
teachflow.ops.math_ops -> teachflow.gradients
teachflow.ops.math_ops -> teachflow.ops.activation_ops
teachflow.ops.math_ops -> teachflow.ops.array_ops
teachflow.ops.math_ops -> teachflow.ops.cast_ops
teachflow.ops.math_ops -> teachflow.ops.fill_ops
teachflow.ops.math_ops -> teachflow.ops.math_grad_ops
teachflow.ops.math_ops -> teachflow.ops.reduction_ops
teachflow.ops.math_ops -> teachflow.ops.where_ops
teachflow.ops.math_rules -> teachflow.gradients
teachflow.ops.matmul_ops -> teachflow.ops.array_ops
teachflow.ops.matmul_ops -> teachflow.ops.reduction_ops
teachflow.ops.matmul_ops -> teachflow.ops.transpose_ops
teachflow.ops.nn_composites -> teachflow.gradients
teachflow.ops.nn_composites -> teachflow.ops.array_ops
teachflow.ops.nn_composites -> teachflow.ops.cast_ops
teachflow.ops.nn_composites -> teachflow.ops.math_ops
teachflow.ops.nn_composites -> teachflow.ops.random_ops
teachflow.ops.nn_composites -> teachflow.ops.reduction_ops
teachflow.ops.nn_ops -> teachflow.gradients
teachflow.ops.nn_ops -> teachflow.ops.array_ops
teachflow.ops.nn_ops -> teachflow.ops.fill_ops
teachflow.ops.nn_ops -> teachflow.ops.gather_ops
teachflow.ops.nn_ops -> teachflow.ops.matmul_ops
teachflow.ops.nn_ops -> teachflow.ops.reduction_ops
teachflow.ops.nn_ops -> teachflow.ops.transpose_ops
teachflow.ops.numerics_ops -> teachflow.ops.control_ops
teachflow.ops.numerics_ops -> teachflow.ops.nn_ops
teachflow.ops.op_args -> teachflow.ops.cast_ops
teachflow.ops.pool_ops -> teachflow.ops.array_ops
teachflow.ops.pool_ops -> teachflow.ops.conv_ops
teachflow.ops.pool_ops -> teachflow.ops.fill_ops
teachflow.ops.pool_ops -> teachflow.ops.nn_ops
teachflow.ops.random_ops -> teachflow.gradients
teachflow.ops.random_ops -> teachflow.ops.array_ops
teachflow.ops.random_ops -> teachflow.ops.broadcast_ops
teachflow.ops.random_ops -> teachflow.ops.math_ops
teachflow.ops.reduction_ops -> teachflow.gradients
teachflow.ops.reduction_ops -> teachflow.ops.array_ops
teachflow.ops.reduction_ops -> teachflow.ops.cast_ops
teachflow.ops.reduction_ops -> teachflow.ops.concat_ops
teachflow.ops.reduction_ops -> teachflow.ops.fill_ops
teachflow.ops.reduction_ops -> teachflow.ops.math_ops
teachflow.ops.reduction_ops -> teachflow.ops.nn_ops
teachflow.ops.reduction_ops -> teachflow.ops.scan_ops
teachflow.ops.reduction_ops -> teachflow.ops.sequence_ops
teachflow.ops.reduction_ops -> teachflow.ops.stack_ops
teachflow.ops.reduction_ops -> teachflow.ops.where_ops
teachflow.ops.sequence_ops -> teachflow.gradients
teachflow.ops.sequence_ops -> teachflow.ops.array_ops
teachflow.ops.sequence_ops -> teachflow.ops.math_ops
teachflow.ops.sequence_ops -> teachflow.ops.reduction_ops
teachflow.ops.slicing_ops -> teachflow.ops.array_ops
teachflow.ops.slicing_ops -> teachflow.ops.concat_ops
teachflow.ops.slicing_ops -> teachflow.ops.fill_ops
teachflow.ops.slicing_ops -> teachflow.ops.math_ops
teachflow.ops.slicing_ops -> teachflow.ops.stack_ops
teachflow.ops.slicing_ops -> teachflow.ops.where_ops
teachflow.ops.state_ops -> teachflow.ops.control_ops
teachflow.ops.state_ops -> teachflow.ops.stack_ops
teachflow.ops.state_ops -> teachflow.state
teachflow.ops.state_ops -> teachflow.variables
teachflow.ops.tensor_array_ops -> teachflow.ops.array_ops
teachflow.ops.tensor_array_ops -> teachflow.ops.control_ops
teachflow.ops.tensor_array_ops -> teachflow.ops.sequence_ops
teachflow.ops.training_ops -> teachflow.state
teachflow.ops.transpose_ops -> teachflow.gradients
teachflow.ops.transpose_ops -> teachflow.ops.array_ops
teachflow.ops.transpose_ops -> teachflow.ops.math_ops
teachflow.ops.transpose_ops -> teachflow.ops.sequence_ops
teachflow.ops.where_ops -> teachflow.gradients
teachflow.ops.where_ops -> teachflow.ops.array_ops
teachflow.ops.where_ops -> teachflow.ops.concat_ops
teachflow.ops.where_ops -> teachflow.ops.fill_ops
teachflow.ops.where_ops -> teachflow.ops.gather_ops
teachflow.ops.where_ops -> teachflow.ops.reduction_ops
teachflow.ops.where_ops -> teachflow.ops.slicing_ops
teachflow.ops.while_ops -> teachflow.ops.array_ops
teachflow.ops.while_ops -> teachflow.ops.control_flow_ops
teachflow.ops.while_ops -> teachflow.ops.math_ops
teachflow.ops.while_ops -> teachflow.ops.tensor_array_ops
teachflow.ops.xent_ops -> teachflow.gradients
teachflow.ops.xent_ops -> teachflow.ops.array_ops
teachflow.ops.xent_ops -> teachflow.ops.cast_ops
teachflow.ops.xent_ops -> teachflow.ops.concat_ops
teachflow.ops.xent_ops -> teachflow.ops.fill_ops
teachflow.ops.xent_ops -> teachflow.ops.math_ops
teachflow.ops.xent_ops -> teachflow.ops.nn_ops
teachflow.ops.xent_ops -> teachflow.ops.reduction_ops
teachflow.ops.xent_ops -> teachflow.ops.where_ops
teachflow.rnn -> teachflow
teachflow.rnn_cell -> teachflow
teachflow.tensor_shape -> teachflow.tensor_util
teachflow.variables -> teachflow.ops.overloads
""".split("\n")
) - {""}


def _module_files() -> dict[str, pathlib.Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _module_files()


def layer_of(module: str) -> int:
    best, rank = -1, len(LAYERS) - 2  # unlisted: the library layer
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            hit = module == p or (p.endswith(".") and module.startswith(p))
            hit = hit or (module.startswith(p + ".") and p != "teachflow")
            if hit and len(p) > best:
                best, rank = len(p), i
    return rank


def _family(module: str) -> bool:
    return LAYERS[layer_of(module)][0] == "op families" and module != "teachflow.ops"


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


@functools.cache
def imports(module: str) -> tuple[tuple[str, bool], ...]:
    return tuple(_imports(module))


def _imports(module: str) -> Iterator[tuple[str, bool]]:
    """``(imported teachflow module, inside a function?)`` for each import statement of
    ``module`` (once per module it names)."""
    tree = ast.parse(MODULES[module].read_text())
    skip = _type_checking_nodes(tree)
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        found = (_resolve(t) for t in targets if t.split(".")[0] == "teachflow")
        for target in sorted({t for t in found if t and t != module}):
            yield target, id(node) in in_function


@functools.cache
def violations() -> frozenset[str]:
    """Every upward or sideways import, as "importer -> imported"."""
    out = set()
    for module in MODULES:
        for target, _ in imports(module):
            up = layer_of(target) > layer_of(module)
            sideways = _family(module) and _family(target)
            if up or sideways:
                out.add(f"{module} -> {target}")
    return frozenset(out)


def in_function_imports() -> int:
    return sum(inside for m in MODULES for _, inside in imports(m))


def modules_in_cycles() -> int:
    """How many modules sit in an import cycle (Tarjan's strongly connected components)."""
    graph = {m: sorted({t for t, _ in imports(m)}) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    count = 0

    def visit(v: str) -> None:
        nonlocal count
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            size = 0
            while True:
                w = stack.pop()
                on_stack.discard(w)
                size += 1
                if w == v:
                    break
            count += size if size > 1 else 0

    for m in graph:
        if m not in index:
            visit(m)
    return count


def test_split_modules_import_only_downward() -> None:
    for module in sorted(STRICT):
        assert module in MODULES, f"{module} is listed in STRICT but does not exist"
        bad = sorted(v for v in violations() if v.startswith(module + " -> "))
        assert not bad, f"{module} imports upward or sideways: {bad}"
        inside = sorted(t for t, f in imports(module) if f)
        assert not inside, f"{module} imports teachflow modules inside functions: {inside}"


def test_no_new_upward_imports() -> None:
    new = sorted(violations() - KNOWN_UPWARD)
    assert not new, (
        "these imports go up a layer or sideways into another op family:\n  "
        + "\n  ".join(new)
        + "\nMove the shared code down a layer (see LAYERS in tests/test_layering.py)."
    )


def test_the_known_list_only_shrinks() -> None:
    fixed = sorted(KNOWN_UPWARD - violations())
    assert not fixed, "fixed, remove from KNOWN_UPWARD in tests/test_layering.py:\n  " + (
        "\n  ".join(fixed)
    )


def test_every_layer_prefix_names_a_module() -> None:
    for _, prefixes in LAYERS:
        for p in prefixes:
            assert p.endswith(".") or p in MODULES, f"LAYERS names {p}, which does not exist"


if __name__ == "__main__":
    for line in sorted(violations()):
        print(line)
    print(f"# {len(violations())} upward/sideways imports")
    print(f"# {in_function_imports()} teachflow imports inside functions")
    print(f"# {modules_in_cycles()} modules in import cycles")
