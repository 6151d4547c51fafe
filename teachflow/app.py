"""``tf.app``: ``tf.app.run()`` and ``tf.app.flags``, TensorFlow 1.x's command-line flags.

A script defines flags, reads them through ``FLAGS`` and hands control to ``tf.app.run()``, which
parses ``sys.argv`` and calls ``main(argv)`` with the arguments no flag took (the program name
first), then exits with main's return value:

    flags = tf.app.flags
    flags.DEFINE_integer("epochs", 10, "How many passes over the data.")
    FLAGS = flags.FLAGS

    def main(argv):
        print(FLAGS.epochs)

    if __name__ == "__main__":
        tf.app.run()

``python lab.py --epochs=3`` prints 3. As in TensorFlow 1.x's first releases, reading a flag before
``tf.app.run`` parses ``sys.argv`` then (unknown arguments are left for ``main``).

>>> import teachflow as tf
>>> fv = tf.app.flags.FlagValues()
>>> tf.app.flags.DEFINE_float("rate", 0.1, "Learning rate.", flag_values=fv)
>>> tf.app.flags.DEFINE_boolean("fast", False, "Skip checks.", flag_values=fv)
>>> fv(["prog", "--rate=0.5", "--fast", "extra"])
['prog', 'extra']
>>> fv.rate, fv.fast
(0.5, True)
"""

from __future__ import annotations

import argparse
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


class Error(Exception):
    """A flag error (TensorFlow's ``flags.Error``)."""


class IllegalFlagValueError(Error, ValueError):
    """A flag's value cannot be parsed to the flag's type."""


class UnrecognizedFlagError(Error, AttributeError):
    """Reading a flag nobody defined."""


def _parse_bool(text: str) -> bool:
    low = str(text).lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"Non-boolean argument to boolean flag: {text!r}")


class _Flag:
    def __init__(self, name: str, default: Any, help: str, parse: Callable[[str], Any]) -> None:
        self.name = name
        self.default = default
        self.help = help
        self.parse = parse
        self.value = default
        self.present = False


class FlagValues:
    """The defined flags and their values: ``FLAGS.name`` reads one, ``FLAGS(argv)`` parses."""

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)

    def _define(self, flag: _Flag) -> None:
        if flag.name in self._flags:
            raise Error(
                f"The flag '{flag.name}' is defined twice.\n  Hint: define each flag once "
                "(re-running a notebook cell defines it again: restart the kernel)."
            )
        self._flags[flag.name] = flag

    def __call__(self, argv: Sequence[str], known_only: bool = True) -> list[str]:
        """Parses ``argv`` (program name first); returns the program name and unparsed args."""
        argv = list(argv)
        parser = argparse.ArgumentParser(prog=argv[0] if argv else None, allow_abbrev=False)
        for f in self._flags.values():
            if f.parse is _parse_bool:
                parser.add_argument(
                    f"--{f.name}", type=_parse_bool, default=argparse.SUPPRESS, help=f.help
                )
                parser.add_argument(
                    f"--no{f.name}", dest=f.name, action="store_false", default=argparse.SUPPRESS
                )
            else:
                parser.add_argument(
                    f"--{f.name}", type=f.parse, default=argparse.SUPPRESS, help=f.help
                )
        # a bare boolean flag never takes the next argument as its value: --fast means --fast=true
        bools = {f"--{n}" for n, f in self._flags.items() if f.parse is _parse_bool}
        args = [a + "=true" if a in bools else a for a in argv[1:]]
        try:
            ns, rest = parser.parse_known_args(args)
        except SystemExit as e:  # argparse printed usage (or --help): let the script stop
            raise SystemExit(e.code) from None
        for name, value in vars(ns).items():
            self._flags[name].value = value
            self._flags[name].present = True
        object.__setattr__(self, "_parsed", True)
        return argv[:1] + rest

    def __getattr__(self, name: str) -> Any:
        flags = self.__dict__["_flags"]
        if name.startswith("__") or name not in flags:
            if name.startswith("__"):
                raise AttributeError(name)
            raise UnrecognizedFlagError(f"Unknown command line flag '{name}'")
        if not self._parsed:
            self(sys.argv)
        return flags[name].value

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._flags:
            raise UnrecognizedFlagError(f"Unknown command line flag '{name}'")
        self._flags[name].value = value

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def __iter__(self) -> Any:
        return iter(self._flags)

    def is_parsed(self) -> bool:
        return bool(self._parsed)

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def _parse_flags(self, args: Sequence[str] | None = None) -> list[str]:
        """TensorFlow 1.0's spelling of ``FLAGS(sys.argv)``."""
        return self(sys.argv if args is None else [sys.argv[0], *args])

    def flag_values_dict(self) -> dict[str, Any]:
        if not self._parsed:
            self(sys.argv)
        return {name: f.value for name, f in self._flags.items()}

    def __repr__(self) -> str:
        return f"<FlagValues {sorted(self._flags)}>"


FLAGS = FlagValues()


def _definer(parse: Callable[[str], Any], convert: Callable[[Any], Any]) -> Callable[..., None]:
    def define(
        name: str,
        default: Any,
        help: str = "",  # TensorFlow's argument name
        flag_values: FlagValues = FLAGS,
        **kwargs: Any,
    ) -> None:
        try:
            value = None if default is None else convert(default)
        except (ValueError, TypeError, argparse.ArgumentTypeError) as e:
            raise IllegalFlagValueError(f"flag --{name}={default!r}: {e}") from None
        flag_values._define(_Flag(name, value, help, parse))

    return define


def _parse_list(text: str) -> list[str]:
    return [s.strip() for s in str(text).split(",") if s.strip()]


DEFINE_string = _definer(str, str)
DEFINE_integer = _definer(int, int)
DEFINE_float = _definer(float, float)
DEFINE_boolean = _definer(_parse_bool, lambda v: v if isinstance(v, bool) else _parse_bool(v))
DEFINE_bool = DEFINE_boolean
DEFINE_list = _definer(_parse_list, lambda v: list(v) if not isinstance(v, str) else _parse_list(v))


def DEFINE_enum(  # TensorFlow's name
    name: str,
    default: Any,
    enum_values: Sequence[str],
    help: str = "",
    flag_values: FlagValues = FLAGS,
    **kwargs: Any,
) -> None:
    choices = list(enum_values)

    def parse(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"value should be one of <{'|'.join(choices)}>")
        return text

    flag_values._define(_Flag(name, default, help, parse))


def mark_flag_as_required(name: str, flag_values: FlagValues = FLAGS) -> None:
    """Accepted; ``run`` then stops with a message when the flag is missing."""
    _required.append((name, flag_values))


_required: list[tuple[str, FlagValues]] = []

flags = types.ModuleType("teachflow.app.flags", "tf.app.flags: DEFINE_string, FLAGS...")
for _name, _value in {
    "FLAGS": FLAGS,
    "FlagValues": FlagValues,
    "DEFINE_string": DEFINE_string,
    "DEFINE_integer": DEFINE_integer,
    "DEFINE_float": DEFINE_float,
    "DEFINE_boolean": DEFINE_boolean,
    "DEFINE_bool": DEFINE_bool,
    "DEFINE_list": DEFINE_list,
    "DEFINE_enum": DEFINE_enum,
    "mark_flag_as_required": mark_flag_as_required,
    "Error": Error,
    "IllegalFlagValueError": IllegalFlagValueError,
    "UnrecognizedFlagError": UnrecognizedFlagError,
}.items():
    setattr(flags, _name, _value)
sys.modules[flags.__name__] = flags


def run(main: Callable[..., Any] | None = None, argv: Sequence[str] | None = None) -> None:
    """Parses the flags from ``argv`` (default ``sys.argv``), calls ``main(remaining_argv)``
    and exits with its return value (``sys.exit``), as TensorFlow 1.x's ``tf.app.run``."""
    argv = list(sys.argv if argv is None else argv)
    rest = FLAGS(argv)
    for name, fv in _required:
        if fv._flags[name].value is None:
            sys.exit(f"FATAL Flags parsing error: flag --{name} must have a value other than None.")
    if main is None:
        main = getattr(sys.modules["__main__"], "main", None)
        if main is None:
            raise AttributeError(
                "tf.app.run() found no main function: define `def main(argv):` in the script "
                "or pass tf.app.run(main=...)."
            )
    sys.exit(main(rest))
