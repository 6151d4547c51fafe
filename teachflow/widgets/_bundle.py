"""Where the browser halves of the widgets live: ``static/<entry>.js``, built from widgets/src."""

from __future__ import annotations

import functools
import hashlib
import pathlib

STATIC = pathlib.Path(__file__).parent / "static"


def path(name: str) -> pathlib.Path:
    """The built bundle file ``name``; a clear error when the bundle has not been built."""
    file = STATIC / name
    if not file.is_file():
        raise FileNotFoundError(
            f"The teachflow widget bundle {file} is missing. Build it from the project root "
            "with `make bundle` (it runs `npm ci && npm run build` in widgets/); an installed "
            "teachflow wheel ships it already."
        )
    return file


@functools.cache
def code(name: str) -> tuple[str, str]:
    """``(text, key)`` of a shared code bundle: the browser imports each key once per page."""
    text = path(name).read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode()).hexdigest()[:16]
