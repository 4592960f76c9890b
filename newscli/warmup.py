"""Imported by the worker fork server only: load what extraction loads on first use, once.

Importing this module runs a language detection (and a tiny extraction when trafilatura was
imported first), so that the language model and the extractor's lazily built tables are in the
fork server's memory and every worker forked from it (including replacements of killed
workers) starts warm. Nothing else imports it.
"""

from __future__ import annotations

import contextlib
import gc
import sys

from newscli.extract import extract_html
from newscli.language import detect_language

__all__ = ["warm_up"]

_WARM_HTML = (
    b"<html><head><title>Warm up</title></head><body><article><p>"
    + b"This short paragraph lets the extractor load what it loads on first use. " * 4
    + b"</p></article></body></html>"
)


def warm_up(*, html: bool = True) -> None:
    """Run one language detection and, with ``html``, prepare the extractor (errors ignored)."""
    with contextlib.suppress(Exception):
        detect_language("This sentence is here to load the language model before any input.")
    if html:
        with contextlib.suppress(Exception):
            extract_html(_WARM_HTML)
        with contextlib.suppress(Exception):
            _prepare_justext()


def _prepare_justext() -> None:
    """Build the union of justext's stoplists, which trafilatura builds on its first rescue.

    0.35 s and 19 MB: built once in the fork server, every worker shares it instead of building
    its own the first time a page needs the rescue (a worker lasts ~500 pages).
    """
    from trafilatura import external

    if getattr(external, "JT_STOPLIST", None) is None:
        external.jt_stoplist_init()


# The fork server imports trafilatura before this module when HTML is to be extracted.
warm_up(html="trafilatura" in sys.modules)
# Everything loaded so far lives as long as the fork server: keep the cyclic garbage collector
# of every forked worker from walking it, which writes to each object's header and so turns
# the pages the workers share with the server into private copies.
gc.freeze()
