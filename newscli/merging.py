"""How the index's segments are merged: by size class, streaming the merged postings.

Imported by writers only (``import whoosh.writing`` is not needed to search).
"""

from __future__ import annotations

import contextlib
import heapq
import operator
from collections.abc import Iterator, Sequence
from typing import Any

from newscli.startup import import_whoosh

import_whoosh()

from whoosh.writing import IndexWriter, SegmentWriter  # noqa: E402 - after import_whoosh

from newscli.codec import NewsCodec, TermPostings, segment_terms, terms_of  # noqa: E402
from newscli.store import PreAnalyzed  # noqa: E402

__all__ = [
    "MAX_SEGMENTS",
    "MERGE_FACTOR",
    "MIN_MERGE_BUDGET",
    "StreamingMergeWriter",
    "choose_merges",
    "merge_by_size",
    "size_class",
]

_WRITER_LIMIT_MB = 80
"""Postings (in Whoosh's estimate of their memory) a writer holds before it sorts them into a
run on disk. A batch of 4,000 articles needs about 70: spilling runs and reading them back made
such a commit 2.2x slower (48 MB: 4.6 ms per article, 80 MB: 1.8 ms, 36 MB more peak memory).
Merged segments do not go through the pool (:class:`StreamingMergeWriter`)."""
MERGE_FACTOR = 10
"""Segments of one size class that are merged into one (see :func:`merge_by_size`)."""
_SMALLEST_CLASS = 1000
"""Segments with fewer live documents than this are all in the first size class."""
MIN_MERGE_BUDGET = 500
"""Documents any commit may rewrite by merging, however few it adds (about a second)."""
MAX_SEGMENTS = 30
"""Over this many segments, a full size class is merged whatever the budget: every search
opens every segment."""


def size_class(documents: int) -> int:
    """Return a segment's size class: 0 below 1,000 live documents, then one per power of 10."""
    klass = 0
    limit = _SMALLEST_CLASS
    while documents >= limit:
        klass += 1
        limit *= MERGE_FACTOR
    return klass


def choose_merges(segments: Sequence[tuple[int, int]], added: int) -> set[int]:
    """Return the positions of the segments, given as ``(live, deleted)`` document counts, that
    a commit adding ``added`` documents merges.

    Chosen are segments with more deleted than live documents, and the segments of the smallest
    size class that has :data:`MERGE_FACTOR` of them: each document is rewritten about once per
    size class it climbs (log10 of the index size). The documents rewritten stay within a
    budget proportional to what the commit adds (:data:`MERGE_FACTOR` times ``added``, at
    least :data:`MIN_MERGE_BUDGET`), taking a full class's smallest segments first, so a
    refresh of a few files never waits for the merge of a large class: that waits for a
    large ingest, unless the index has over :data:`MAX_SEGMENTS` segments.
    """
    budget = max(MIN_MERGE_BUDGET, MERGE_FACTOR * added)
    chosen: set[int] = set()
    for position, (live, deleted) in sorted(enumerate(segments), key=lambda item: item[1][0]):
        if (deleted > live or live == 0) and live <= budget:
            chosen.add(position)
            budget -= live
    classes: dict[int, list[int]] = {}
    for position, (live, _deleted) in enumerate(segments):
        if position not in chosen:
            classes.setdefault(size_class(live), []).append(position)
    full = [klass for klass, members in classes.items() if len(members) >= MERGE_FACTOR]
    if not full:
        return chosen
    members = sorted(classes[min(full)], key=lambda position: segments[position][0])
    if len(segments) - len(chosen) > MAX_SEGMENTS:
        return chosen | set(members)
    taken: list[int] = []
    for position in members:
        live = segments[position][0]
        if live > budget:
            break
        taken.append(position)
        budget -= live
    if len(taken) >= 2:
        chosen.update(taken)
    return chosen


def merge_by_size(writer: IndexWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: merge the segments :func:`choose_merges` chooses.

    Whoosh's own ``MERGE_SMALL`` merges every segment once there are about twenty of any size:
    on a 100,000-article index one 3,000-article ingest spent 33 of its 47 s rewriting all of
    them. Returns the segments kept as they are; the others are added to ``writer``.
    """
    from whoosh.reading import SegmentReader

    picked = choose_merges(
        [(segment.doc_count(), segment.deleted_count()) for segment in segments],
        added=writer.doc_count() if hasattr(writer, "doc_count") else 0,
    )
    chosen = {id(segments[position]) for position in picked}
    kept = []
    for segment in segments:
        if id(segment) not in chosen:
            kept.append(segment)
            continue
        reader = SegmentReader(writer.storage, writer.schema, segment)
        if isinstance(writer, StreamingMergeWriter):
            writer.add_reader(reader)  # it reads the postings later, and closes the reader
            continue
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return kept


class StreamingMergeWriter(SegmentWriter):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's segment writer, except that the postings of segments merged into it stream
    into the new segment a term at a time instead of going through its posting pool.

    Whoosh re-pools every posting of a merged segment: a Python tuple each, read through five
    matcher calls, sorted again and, beyond the pool's memory limit, pickled to a run file and
    read back. Each segment's terms already come in order and the merged segments' documents
    are renumbered in order, so a merge of the segments' term streams is enough, each term's
    postings read a block (or an inlined term) at a time (:func:`newscli.codec.segment_terms`):
    merging 4,000 articles took 1.2-1.6 ms per article this way, 2.5-5.4 ms before (per
    posting), 3.0-4.7 ms through an 80 MB pool, and the merge adds nothing to the pool's
    memory. The merge policy must leave the readers it adds open (:func:`merge_by_size`
    does): this writer reads them when it writes, then closes them.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("limitmb", _WRITER_LIMIT_MB)
        kwargs.setdefault("codec", NewsCodec())
        super().__init__(ix, **kwargs)
        self._merged_terms: list[Iterator[TermPostings]] = []
        self._merged_readers: list[Any] = []
        self._plain_fields: bool | None = None
        """Whether no field has term vectors or a spelling field (Whoosh features newscli
        does not use, left to Whoosh's own ``add_document``)."""

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document``; a pre-analysed field's postings are pooled at once.

        Whoosh calls the pool's ``add`` (a size estimate, checks) for each posting: most of the
        0.65 ms an average article's filing took in the writing process.
        """
        if self._plain_fields is None:
            self._plain_fields = not any(
                field.vector or field.separate_spelling() for _name, field in self.schema.items()
            )
        if not self._plain_fields:
            super().add_document(**fields)
            return
        self._check_state()
        schema, perdocwriter, docnum, pool = self.schema, self.perdocwriter, self.docnum, self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    if not isinstance(value, PreAnalyzed):
                        value = PreAnalyzed(tuple(field.index(value)))
                    boost = self._field_boost(fields, fieldname, docboost)
                    if field.scorable:
                        length = value.length
                    _pool_extend(
                        pool,
                        fieldname,
                        [
                            (fieldname, tbytes, docnum, weight * boost, vbytes)
                            for tbytes, _freq, weight, vbytes in value.postings
                        ],
                        value.pooled_size,
                    )
                stored = fields.get(f"_stored_{fieldname}", fields[fieldname])
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def commit(self, mergetype: Any = None, **kwargs: Any) -> None:
        """Commit, merging segments with :func:`merge_by_size` unless told otherwise."""
        super().commit(mergetype=mergetype or merge_by_size, **kwargs)

    def add_reader(self, reader: Any) -> None:
        """Add a segment's documents; the writer closes ``reader`` when it is done with it."""
        self._merged_readers.append(reader)
        super().add_reader(reader)

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        self._merged_terms.append(segment_terms(reader, startdoc, docmap))

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        terms = terms_of(self.pool.iter_postings())
        if self._merged_terms:  # heapq.merge keeps a term's sources in order: new, then merged
            terms = heapq.merge(terms, *self._merged_terms, key=_term_key)
        self.fieldwriter.add_terms(self.schema, lengths, terms)
        self.fieldwriter.close()
        if lengths is not None:
            lengths.close()

    def _close_segment(self) -> None:
        try:
            super()._close_segment()
        finally:
            readers, self._merged_readers = self._merged_readers, []
            self._merged_terms = []
            for reader in readers:
                with contextlib.suppress(Exception):
                    reader.close()


def _pool_extend(pool: Any, fieldname: str, items: list[tuple[Any, ...]], size: int) -> None:
    """Add postings to a Whoosh posting pool as its ``add`` does, with one size check.

    ``size`` is :attr:`PreAnalyzed.pooled_size`; Whoosh adds 150 bytes and the field name's
    length for each posting.
    """
    if not items:
        return
    pool.fieldnames.add(fieldname)
    pool.currentsize += size + (150 + len(fieldname)) * len(items)
    pool.current.extend(items)
    if pool.currentsize > pool.limit:
        pool.save()


_term_key = operator.itemgetter(0)
"""A term's sort key: field name and term bytes."""
