"""Each English tutorial has a Japanese counterpart in notebooks/ja/ that runs the same code.

The rule that keeps the two in step:

- the same cells in the same order: cell for cell, the same id and the same kind (markdown or code);
- each pair of code cells is the same code, token for token, once comments and blank lines are
  dropped (the Japanese notebooks translate their comments) and the widgets' ``lang="ja"``
  argument, the one allowed difference in code: every ``GraphView``/``Stepper``/``SummaryPlot``
  a Japanese notebook makes passes ``lang="ja"``, and no English one passes ``lang``;
- every markdown cell of a Japanese notebook is Japanese prose, and its links to other tutorials
  stay among the Japanese ones.

Whether the notebooks run top to bottom is tests/test_notebooks.py's job.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
JA = NOTEBOOKS / "ja"

ENGLISH = sorted(NOTEBOOKS.glob("*.ipynb"))
JAPANESE = sorted(JA.glob("*.ipynb"))
WIDGETS = {"GraphView", "Stepper", "SummaryPlot"}
KANA = re.compile(r"[\u3040-\u30ff]")  # hiragana or katakana: kanji alone could be Chinese


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code_tokens(source: str) -> list[str]:
    """The code's tokens, without comments, blank lines and the argument ``lang="ja"``."""
    kept: list[str] = []
    for tok in tokenize.generate_tokens(io.StringIO(source + "\n").readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL):
            continue
        kept.append("<INDENT>" if tok.type == tokenize.INDENT else tok.string)
    out: list[str] = []
    i = 0
    while i < len(kept):
        if kept[i : i + 3] == [",", "lang", "="] and kept[i + 3 : i + 4] in (['"ja"'], ["'ja'"]):
            i += 4  # `, lang="ja"`: the widgets speak Japanese, nothing else changes
            continue
        out.append(kept[i])
        i += 1
    return out


def _widget_calls(source: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in WIDGETS
    ]


def _lang(call: ast.Call) -> object:
    for kw in call.keywords:
        if kw.arg == "lang":
            return kw.value.value if isinstance(kw.value, ast.Constant) else "<not a constant>"
    return None


def test_every_tutorial_is_in_japanese() -> None:
    assert [p.name for p in JAPANESE] == [p.name for p in ENGLISH]


@pytest.mark.parametrize("ja_path", JAPANESE, ids=lambda p: p.stem)
def test_japanese_notebook_runs_the_english_code(ja_path: Path) -> None:
    en_path = NOTEBOOKS / ja_path.name
    assert en_path.exists(), f"ja/{ja_path.name} has no English notebook {en_path.name}"
    en, ja = _read(en_path), _read(ja_path)
    en_cells = [(c.get("id"), c.cell_type) for c in en.cells]
    ja_cells = [(c.get("id"), c.cell_type) for c in ja.cells]
    assert ja_cells == en_cells, f"ja/{ja_path.name}: its cells are not the English ones in order"
    for e, j in zip(en.cells, ja.cells):
        if e.cell_type != "code":
            continue
        assert _code_tokens(j.source) == _code_tokens(e.source), (
            f"ja/{ja_path.name}, cell {j.get('id')}: the code differs from the English notebook "
            f'(only comments and lang="ja" may differ)\n--- English:\n{e.source}\n'
            f"--- Japanese:\n{j.source}"
        )
        for call in _widget_calls(e.source):
            assert _lang(call) is None, f"{en_path.name}, cell {e.get('id')}: lang in English"
        for call in _widget_calls(j.source):
            assert _lang(call) == "ja", (
                f'ja/{ja_path.name}, cell {j.get("id")}: {ast.unparse(call)} without lang="ja"'
            )


@pytest.mark.parametrize("ja_path", JAPANESE, ids=lambda p: p.stem)
def test_japanese_notebook_is_japanese_prose(ja_path: Path) -> None:
    ja = _read(ja_path)
    for cell in ja.cells:
        if cell.cell_type != "markdown":
            continue
        assert KANA.search(cell.source), f"ja/{ja_path.name}, cell {cell.get('id')} is not Japanese"
        for link in re.findall(r"\]\(([^)]+\.ipynb)\)", cell.source):
            assert (JA / link).resolve().parent == JA.resolve() and (JA / link).exists(), (
                f"ja/{ja_path.name} links {link}: links go to the Japanese tutorials"
            )


@pytest.mark.parametrize("path", ENGLISH + JAPANESE, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_each_notebook_introduces_the_memo(path: Path) -> None:
    first = _read(path).cells[0]
    name = "*メモ*" if path.parent == JA else "*The memo*"
    assert first.cell_type == "markdown" and name in first.source, (
        f"{path.relative_to(NOTEBOOKS)}: its first cell should say what {name} is"
    )


def test_the_rule_allows_comments_and_lang_only() -> None:
    en = "Stepper(sess, update)  # the plan\nx = 1\n"
    assert _code_tokens('Stepper(sess, update, lang="ja")  # 計画\n\nx = 1') == _code_tokens(en)
    assert _code_tokens('Stepper(sess, train, lang="ja")\nx = 1') != _code_tokens(en)
    assert _code_tokens('Stepper(sess, update, lang="en")\nx = 1') != _code_tokens(en)
    assert _code_tokens("if x:\n    y = 1\nz = 2") != _code_tokens("if x:\n    y = 1\n    z = 2")


def test_the_japanese_readmes_link_every_japanese_tutorial() -> None:
    for readme in (JA / "README.md", ROOT / "README.ja.md"):
        text = readme.read_text(encoding="utf-8")
        links = set(re.findall(r"\]\(([^)]+\.ipynb)\)", text))
        targets = {(readme.parent / link).resolve() for link in links}
        assert targets >= {p.resolve() for p in JAPANESE}, f"{readme.name} misses a tutorial"
        assert all(t.exists() for t in targets), f"{readme.name}: a link is broken"
