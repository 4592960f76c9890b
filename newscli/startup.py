"""Import Whoosh, Click and dataclasses without the modules they import but newscli never uses.

``whoosh.compat`` imports ``urllib.request`` (which pulls in http.client, email and ssl) for a
download helper, the ``cached_property`` package imports ``asyncio`` to support coroutine
methods that Whoosh does not have, and ``whoosh.query`` imports ``whoosh.lang.morph_en``, which
compiles large regular expressions, for a query type newscli does not use: together about
130 ms of every ``newscli search``; ``whoosh.analysis`` imports ``whoosh.lang.dmetaphone`` for
a phonetic filter newscli does not use either. Smaller ones: ``html`` (for an HTML formatter),
``tempfile`` and ``shutil`` and with them ``bz2`` and ``lzma`` (for writing segments) and
``hashlib``, which loads OpenSSL, for the MD5 of term dictionary keys (the term dictionary
reader of :mod:`newscli.codec` uses the interpreter's built-in MD5): about 7 % of the
instructions of a cold search that finds nothing; ``random`` and ``queue`` (for the names of
new files and for multiprocessing writers): 1 % more. While
Whoosh's modules load, light stand-ins take their place in ``sys.modules``; they are removed
right after, so any later ``import urllib.request`` or ``import asyncio`` gets the real module,
and the stand-ins load the real module themselves if Whoosh ever calls them.

:mod:`dataclasses` and Click are imported the same way, without ``inspect`` (which imports
``ast``, ``dis`` and ``tokenize``) and, for Click, without ``uuid`` (which imports
``platform``): about 7 % of the instructions of a cold search. The ``inspect`` stand-in does
what they call while newscli starts (dedent an option's one-line help) itself.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Iterator
from typing import Any

__all__ = ["import_click", "import_dataclasses", "import_whoosh"]

_CO_COROUTINE = 0x80
"""``inspect.CO_COROUTINE``: the code flag of an ``async def`` function."""


def _stand_in(name: str, **attributes: Any) -> types.ModuleType:
    """A module named ``name`` that imports the real one on first unknown attribute."""
    module = types.ModuleType(name)

    def __getattr__(attribute: str) -> Any:  # PEP 562: called for missing attributes only
        if attribute.startswith("__"):  # the import system probing (__path__, ...)
            raise AttributeError(attribute)
        if sys.modules.get(name) is module:
            del sys.modules[name]
        return getattr(importlib.import_module(name), attribute)

    module.__dict__.update(attributes, __getattr__=__getattr__)
    return module


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str) -> Any:
    from whoosh.lang.morph_en import variations

    return variations(word)


def _double_metaphone(word: str) -> Any:
    from whoosh.lang.dmetaphone import double_metaphone

    return double_metaphone(word)


def _html_escape(*args: Any, **kwargs: Any) -> Any:
    from html import escape

    return escape(*args, **kwargs)


def _iscoroutinefunction(function: Any) -> bool:
    """``inspect.iscoroutinefunction``, without importing ``inspect`` for plain functions."""
    if type(function) is types.FunctionType and not hasattr(function, "_is_coroutine_marker"):
        return bool(function.__code__.co_flags & _CO_COROUTINE)
    from inspect import iscoroutinefunction

    return iscoroutinefunction(function)


def _cleandoc(doc: Any) -> Any:
    """``inspect.cleandoc``, without importing ``inspect`` for the one-line help of an option."""
    if isinstance(doc, str) and "\n" not in doc and "\t" not in doc and not doc[:1].isspace():
        return doc  # nothing to dedent or strip
    from inspect import cleandoc

    return cleandoc(doc)


def _md5(*args: Any, **kwargs: Any) -> Any:
    from hashlib import md5

    return md5(*args, **kwargs)


def _copyfileobj(*args: Any, **kwargs: Any) -> Any:
    from shutil import copyfileobj

    return copyfileobj(*args, **kwargs)


class _UUIDStandIn:
    """What ``click.types`` subscripts its UUID parameter type with while it loads."""


def import_click() -> None:
    """Import Click without ``uuid``, which loads ``platform`` and compiles its regular
    expressions (about 2 % of a cold search) for a parameter type newscli does not use, and
    without ``inspect`` (see :func:`import_dataclasses`).

    ``click.types`` names ``uuid.UUID`` when it defines that type: the stand-in answers with a
    placeholder class while Click loads, then forgets it, so that ``click.UUID`` (were it ever
    used) converts with the real ``uuid.UUID``.
    """
    if "click" in sys.modules:
        return
    uuid = _stand_in("uuid", UUID=_UUIDStandIn)
    with _standing_in({"uuid": uuid, "inspect": _inspect_stand_in()}):
        importlib.import_module("click")
    del uuid.UUID


def import_dataclasses() -> None:
    """Import :mod:`dataclasses` without :mod:`inspect`, which it uses to write the docstring
    of a class that has none (and Click to dedent help texts and to find its caller's
    package): ``inspect`` imports ``ast``, ``dis`` and ``tokenize``, about 5 % of the
    instructions of a cold search.
    """
    if "dataclasses" in sys.modules:
        return
    with _standing_in({"inspect": _inspect_stand_in()}):
        importlib.import_module("dataclasses")


def _inspect_stand_in() -> types.ModuleType:
    return _stand_in("inspect", cleandoc=_cleandoc, iscoroutinefunction=_iscoroutinefunction)


@contextlib.contextmanager
def _standing_in(stand_ins: dict[str, types.ModuleType]) -> Iterator[None]:
    """Put ``stand_ins`` in ``sys.modules`` where the real module is not loaded yet, for the
    duration of the block; then take them out (they stay bound where they were imported)."""
    installed = [name for name in stand_ins if name not in sys.modules]
    for name in installed:
        sys.modules[name] = stand_ins[name]
    try:
        yield
    finally:
        for name in installed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]


def import_whoosh() -> None:
    """Import the Whoosh modules newscli uses, skipping their unused heavy imports."""
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {
        "urllib.request": _stand_in("urllib.request", urlretrieve=_urlretrieve),
        "asyncio": _stand_in("asyncio", iscoroutinefunction=_iscoroutinefunction),
        "whoosh.lang.morph_en": _stand_in("whoosh.lang.morph_en", variations=_variations),
        "whoosh.lang.dmetaphone": _stand_in(
            "whoosh.lang.dmetaphone", double_metaphone=_double_metaphone
        ),
        "html": _stand_in("html", escape=_html_escape),
        "tempfile": _stand_in("tempfile"),
        "random": _stand_in("random"),  # whoosh.util and whoosh.classify: names of new files
        "queue": _stand_in("queue"),  # whoosh.compat: for multiprocessing writers
        "shutil": _stand_in("shutil", copyfileobj=_copyfileobj),
        "hashlib": _stand_in("hashlib", md5=_md5),
    }
    with _standing_in(stand_ins):
        importlib.import_module("whoosh.compat")
        importlib.import_module("whoosh.reading")  # the module that uses cached_property
        importlib.import_module("whoosh.query")  # binds morph_en.variations (Variations query)
        importlib.import_module("whoosh.analysis")  # binds dmetaphone.double_metaphone
        importlib.import_module("whoosh.codec.whoosh3")  # binds hashlib.md5, copyfileobj
        importlib.import_module("whoosh.searching")  # whoosh.classify binds random
