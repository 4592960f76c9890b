"""The compact postings (newscli.codec) find and score exactly what Whoosh's own format does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import TEXT, Schema
from whoosh.formats import Positions
from whoosh.qparser import QueryParser

from newscli.codec import INLINE_LIMIT, CompactPositions, NewsCodec
from newscli.store import AnalyzedText, build_schema

WORDS = "oil prices rose sharply as the bank said rates would stay high for a year".split()


def _documents(count: int) -> list[str]:
    chooser = random.Random(5)
    texts = []
    for number in range(count):
        words = [chooser.choice(WORDS) for _ in range(chooser.randint(5, 400))]
        words.insert(chooser.randrange(len(words)), f"rare{number % 37} oil")  # df 1-3 terms
        texts.append(" ".join(words))
    return texts


def _index(folder: Path, field: TEXT, codec: W3Codec, texts: list[str]) -> object:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), Schema(body=field))
    for start in range(0, len(texts), 40):  # several segments, then merged ones
        writer = ix.writer(codec=codec)
        for text in texts[start : start + 40]:
            writer.add_document(body=text)
        writer.commit()
    return ix


@pytest.mark.parametrize(
    "query",
    ['"oil prices"', '"the bank said"', "rates", "rare3", "rare36", '"rare5 oil"', "rare*", "zzz"],
)
def test_codec_same_hits_and_scores_as_whoosh(tmp_path: Path, query: str) -> None:
    texts = _documents(100)
    analyzer = build_schema()["body"].analyzer
    plain = _index(tmp_path / "plain", TEXT(analyzer=analyzer), W3Codec(), texts)
    compact = _index(tmp_path / "compact", AnalyzedText(analyzer=analyzer), NewsCodec(), texts)
    found = []
    for ix in (plain, compact):
        with ix.searcher() as searcher:  # type: ignore[attr-defined]
            parsed = QueryParser("body", searcher.schema).parse(query)
            found.append([(hit.docnum, round(hit.score, 9)) for hit in searcher.search(parsed)])
    assert found[0] == found[1]
    assert query == "zzz" or found[0]


def test_codec_inlines_rare_terms_and_encodes_small(tmp_path: Path) -> None:
    texts = _documents(40)  # one segment
    ix = _index(
        tmp_path / "ix", AnalyzedText(analyzer=build_schema()["body"].analyzer), NewsCodec(), texts
    )
    with ix.searcher() as searcher:  # type: ignore[attr-defined]
        reader = searcher.reader()
        assert reader.doc_frequency("body", "rare3") < INLINE_LIMIT
        # Inlined postings are read from the term dictionary through a ListMatcher.
        assert type(reader.postings("body", "rare3")).__name__ == "ListMatcher"
        assert type(reader.postings("body", "oil")).__name__ != "ListMatcher"
    assert CompactPositions().encode([7]) == b"B\x07"
    assert len(CompactPositions().encode([3, 300, 70_000])) == 1 + 3 * 4
    assert len(Positions().encode([7])) > 8


@pytest.mark.parametrize("positions", [[0], [5], [1, 2, 3], [4, 260], [0, 70_000, 70_001], []])
def test_codec_positions_round_trip(positions: list[int]) -> None:
    form = CompactPositions()
    encoded = form.encode(positions)
    assert form.decode_positions(encoded) == positions
    assert form.decode_frequency(encoded) == len(positions)
    assert form.decode_weight(encoded) == len(positions)


def test_codec_length_tables_read_what_whoosh_reads(tmp_path: Path) -> None:
    """Field lengths read from the in-memory tables equal Whoosh's column look-ups, including
    documents without the field and fields a segment has no lengths for."""
    from whoosh.codec.whoosh3 import W3PerDocReader
    from whoosh.reading import SegmentReader

    folder = tmp_path / "ix"
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), Schema(body=TEXT(), title=TEXT(), extra=TEXT()))
    writer = ix.writer(codec=NewsCodec())
    for number, text in enumerate(_documents(300)):
        fields = {"body": text} if number % 7 else {"title": text[:40]}
        writer.add_document(**fields)
    writer.commit()
    (segment,) = ix._segments()
    reader = SegmentReader(ix.storage, ix.schema, segment)
    ours = reader._perdoc
    theirs = W3PerDocReader(reader._storage, segment)
    assert type(ours) is not W3PerDocReader
    for field in ("body", "title", "extra", "missing"):
        expected = [theirs.doc_field_length(doc, field, 7) for doc in range(300)]
        assert [ours.doc_field_length(doc, field, 7) for doc in range(300)] == expected
    assert not any(ours.doc_field_length(doc, "body") for doc in range(0, 300, 7))
    assert all(ours.doc_field_length(doc, "body") for doc in range(1, 300, 7))
    assert ours.doc_field_length(5, "extra", 7) == 7
    with pytest.raises(IndexError):
        ours.doc_field_length(301, "body")
