"""Folder templates: lines that recur across the text files of one folder (one site's pages).

Learnt from a sample of each folder before its files are cleaned, and kept in the stat cache
(see ``filestate``) so that a refresh touching a few files does not read the folder again.
This module is light: the cleaning code is imported only when a template is learnt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, MutableMapping, Sequence

from newscli import decoding
from newscli.models import DocumentKind, Source
from newscli.sources import InputError, is_html_name, read_local

__all__ = ["MIN_TEMPLATE_FILES", "TemplateCache", "folder_templates"]

MIN_TEMPLATE_FILES = 3
"""A line must recur in at least this many files of a folder to count as template."""
_MAX_TEMPLATE_SAMPLE = 500
"""Files read per folder to learn its template: enough to see every recurring line."""

TemplateCache = MutableMapping[str, tuple[str, tuple[str, ...]]]
"""Templates learnt before, by folder: the digest of the sample they came from, and the lines."""


def folder_templates(
    sources: Sequence[Source],
    *,
    max_bytes: int,
    cache: TemplateCache | None = None,
    changed: Collection[str] = (),
) -> dict[str, frozenset[str]]:
    """Learn, per folder of plain-text files, the lines that recur across its files.

    Returns the template of each input's folder keyed by the input's path (inputs in folders
    with too few text files, and HTML inputs, get none; files named as HTML are not read).
    Unreadable files are left for the main pass to report.

    With a ``cache``, a folder's template is learnt again only when the files of its sample
    (the first :data:`_MAX_TEMPLATE_SAMPLE`) are not the ones it was learnt from, or more
    than a quarter of them are among the ``changed`` paths: a few corrected files leave a
    site's recurring lines as they were, and reading 500 files for each would dominate a
    small refresh.
    """
    folders: dict[str, list[Source]] = {}
    for source in sources:
        if source.path is not None and not is_html_name(source.path):  # not read for nothing
            # By the folder part of the key (an absolute file:// URI): the same folder given
            # as a relative path in another run finds its cached template.
            folders.setdefault(source.key.rpartition("/")[0], []).append(source)
    templates: dict[str, frozenset[str]] = {}
    for folder, members in folders.items():
        if len(members) < MIN_TEMPLATE_FILES:
            continue
        sample = members[:_MAX_TEMPLATE_SAMPLE]
        digest = _sample_digest(sample)
        known = cache.get(folder) if cache is not None else None
        fresh = sum(1 for source in sample if source.path in changed)
        if known is not None and known[0] == digest and fresh * 4 <= len(sample):
            template = frozenset(known[1])
        else:
            template = _learn_folder(sample, max_bytes=max_bytes)
            if cache is not None:
                cache[folder] = (digest, tuple(sorted(template)))
        if template:
            for source in members:
                templates[str(source.path)] = template
    return templates


def _sample_digest(sample: Sequence[Source]) -> str:
    joined = "\n".join(source.key for source in sample).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=12).hexdigest()


def _learn_folder(sample: Sequence[Source], *, max_bytes: int) -> frozenset[str]:
    from newscli.cleaning import learn_template  # its patterns take 0.1 s to compile

    texts: dict[str, str] = {}
    for source in sample:
        try:
            raw = read_local(source, max_bytes=max_bytes)
            if raw.kind is DocumentKind.TEXT and raw.source_hash not in texts:
                texts[raw.source_hash] = decoding.decode_text(raw.data)
        except (InputError, OSError, ValueError):
            continue
    return learn_template(texts.values())
