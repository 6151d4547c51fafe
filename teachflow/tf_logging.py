"""``tf.logging``: TensorFlow 1.x's logging calls, on Python's ``logging``.

>>> import teachflow as tf
>>> tf.logging.set_verbosity(tf.logging.ERROR)
"""

from __future__ import annotations

import logging
from typing import Any

DEBUG = logging.DEBUG
INFO = logging.INFO
WARN = logging.WARNING
WARNING = logging.WARNING
ERROR = logging.ERROR
FATAL = logging.FATAL

_logger = logging.getLogger("teachflow")


def set_verbosity(level: int) -> None:
    _logger.setLevel(level)


def get_verbosity() -> int:
    return _logger.getEffectiveLevel()


def debug(msg: str, *args: Any) -> None:
    _logger.debug(msg, *args)


def info(msg: str, *args: Any) -> None:
    _logger.info(msg, *args)


def warning(msg: str, *args: Any) -> None:
    _logger.warning(msg, *args)


warn = warning


def error(msg: str, *args: Any) -> None:
    _logger.error(msg, *args)


def fatal(msg: str, *args: Any) -> None:
    _logger.critical(msg, *args)
