"""Import Whoosh without the standard-library modules it imports but newscli never uses.

``whoosh.compat`` imports ``urllib.request`` (which pulls in http.client, email and ssl) for a
download helper, the ``cached_property`` package imports ``asyncio`` to support coroutine
methods that Whoosh does not have, and ``whoosh.query`` imports ``whoosh.lang.morph_en``, which
compiles large regular expressions, for a query type newscli does not use: together about
130 ms of every ``newscli search``; ``whoosh.analysis`` imports ``whoosh.lang.dmetaphone`` for
a phonetic filter newscli does not use either. Smaller ones: ``html`` (for an HTML formatter),
``tempfile`` and ``shutil`` and with them ``bz2`` and ``lzma`` (for writing segments) and
``hashlib``, which loads OpenSSL, for the MD5 of term dictionary keys (the term dictionary
reader of :mod:`newscli.codec` uses the interpreter's built-in MD5): about 7 % of the
instructions of a cold search that finds nothing. While
Whoosh's modules load, light stand-ins take their place in ``sys.modules``; they are removed
right after, so any later ``import urllib.request`` or ``import asyncio`` gets the real module,
and the stand-ins load the real module themselves if Whoosh ever calls them.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from typing import Any

__all__ = ["import_click", "import_whoosh"]


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
    expressions (about 2 % of a cold search) for a parameter type newscli does not use.

    ``click.types`` names ``uuid.UUID`` when it defines that type: the stand-in answers with a
    placeholder class while Click loads, then forgets it, so that ``click.UUID`` (were it ever
    used) converts with the real ``uuid.UUID``.
    """
    if "click" in sys.modules:
        return
    stand_in = _stand_in("uuid", UUID=_UUIDStandIn)
    installed = "uuid" not in sys.modules
    if installed:
        sys.modules["uuid"] = stand_in
    try:
        importlib.import_module("click")
    finally:
        if installed:
            del stand_in.UUID
            if sys.modules.get("uuid") is stand_in:
                del sys.modules["uuid"]


def import_whoosh() -> None:
    """Import the Whoosh modules newscli uses, skipping their unused heavy imports."""
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {
        "urllib.request": _stand_in("urllib.request", urlretrieve=_urlretrieve),
        "asyncio": _stand_in("asyncio", iscoroutinefunction=inspect.iscoroutinefunction),
        "whoosh.lang.morph_en": _stand_in("whoosh.lang.morph_en", variations=_variations),
        "whoosh.lang.dmetaphone": _stand_in(
            "whoosh.lang.dmetaphone", double_metaphone=_double_metaphone
        ),
        "html": _stand_in("html", escape=_html_escape),
        "tempfile": _stand_in("tempfile"),
        "shutil": _stand_in("shutil", copyfileobj=_copyfileobj),
        "hashlib": _stand_in("hashlib", md5=_md5),
    }
    installed = [name for name in stand_ins if name not in sys.modules]
    for name in installed:
        sys.modules[name] = stand_ins[name]
    try:
        importlib.import_module("whoosh.compat")
        importlib.import_module("whoosh.reading")  # the module that uses cached_property
        importlib.import_module("whoosh.query")  # binds morph_en.variations (Variations query)
        importlib.import_module("whoosh.analysis")  # binds dmetaphone.double_metaphone
        importlib.import_module("whoosh.codec.whoosh3")  # binds hashlib.md5, copyfileobj
    finally:
        for name in installed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]
