"""Import Whoosh without the standard-library modules it imports but newscli never uses.

``whoosh.compat`` imports ``urllib.request`` (which pulls in http.client, email and ssl) for a
download helper, the ``cached_property`` package imports ``asyncio`` to support coroutine
methods that Whoosh does not have, and ``whoosh.query`` imports ``whoosh.lang.morph_en``, which
compiles large regular expressions, for a query type newscli does not use: together about
130 ms of every ``newscli search``. While
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

__all__ = ["import_whoosh"]


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


def import_whoosh() -> None:
    """Import the Whoosh modules newscli uses, skipping their unused heavy imports."""
    if "whoosh.reading" in sys.modules:
        return
    stand_ins = {
        "urllib.request": _stand_in("urllib.request", urlretrieve=_urlretrieve),
        "asyncio": _stand_in("asyncio", iscoroutinefunction=inspect.iscoroutinefunction),
        "whoosh.lang.morph_en": _stand_in("whoosh.lang.morph_en", variations=_variations),
    }
    installed = [name for name in stand_ins if name not in sys.modules]
    for name in installed:
        sys.modules[name] = stand_ins[name]
    try:
        importlib.import_module("whoosh.compat")
        importlib.import_module("whoosh.reading")  # the module that uses cached_property
        importlib.import_module("whoosh.query")  # binds morph_en.variations (Variations query)
    finally:
        for name in installed:
            if sys.modules.get(name) is stand_ins[name]:
                del sys.modules[name]
