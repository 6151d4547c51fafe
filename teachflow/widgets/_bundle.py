"""Where the browser halves of the widgets live: ``static/<entry>.js``, built from widgets/src."""

from __future__ import annotations

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
