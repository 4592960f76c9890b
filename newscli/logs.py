"""Loggers that import :mod:`logging` when first used.

``logging`` (with ``traceback``, ``string`` and ``threading``) is 3-4 % of the instructions of
a cold ``newscli search``, which logs nothing; a module logs through ``get_logger(__name__)``
as it would through ``logging.getLogger(__name__)``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["get_logger", "install_null_handler"]

_PACKAGE = "newscli"


class _LazyLogger:
    """Stands for ``logging.getLogger(name)``; every attribute is the real logger's."""

    __slots__ = ("_logger", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: Any = None

    def __getattr__(self, attribute: str) -> Any:
        if self._logger is None:
            import logging

            install_null_handler()
            self._logger = logging.getLogger(self._name)
        return getattr(self._logger, attribute)


def get_logger(name: str) -> Any:
    """Return ``logging.getLogger(name)``, imported and looked up when first used."""
    return _LazyLogger(name)


def install_null_handler() -> None:
    """Give the package logger a NullHandler once (a library's records go nowhere by default)."""
    import logging

    logger = logging.getLogger(_PACKAGE)
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
