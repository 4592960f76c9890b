"""The compact postings (newscli.codec) find and score exactly what Whoosh's own format does."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3TermInfo
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.qparser import QueryParser

from newscli.codec import INLINE_LIMIT, CompactPositions, NewsCodec, _TermInfo
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
            reader = searcher.reader()
            found.append(
                [
                    (reader.doc_frequency("body", word), reader.frequency("body", word))
                    for word in ("rare3", "rare36", "oil", "zzz")
                ]
            )
    assert found[:2] == found[2:]
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


@pytest.mark.parametrize(
    ("ids", "weights", "values"),
    [
        ((5,), (1.0,), (b"B\x05",)),
        ((0, 300, 70_000), (1.0, 2.0, 400.0), (b"B\x01", b"H\x01\x00\x02\x01", b"")),
        ((7, 9), (1.5, 0.25), ()),  # an ID-like field: no values, fractional weights
        ((1, 2, 3), (3.0, 1.0, 70_000.0), ()),
    ],
)
def test_codec_inlined_postings_round_trip_and_read_old_pickles(
    ids: tuple[int, ...], weights: tuple[float, ...], values: tuple[bytes, ...]
) -> None:
    old = W3TermInfo(
        weight=sum(weights), df=len(ids), minlength=3, maxlength=90, maxweight=max(weights)
    )
    old._minid, old._maxid = ids[0], ids[-1]
    old.set_inlined(ids, weights, values)
    compact = _TermInfo(
        weight=sum(weights), df=len(ids), minlength=3, maxlength=90, maxweight=max(weights)
    )
    compact._minid, compact._maxid = ids[0], ids[-1]
    compact.set_inlined(ids, weights, values)
    old_bytes, compact_bytes = old.to_bytes(), compact.to_bytes()
    assert len(compact_bytes) < len(old_bytes)
    stock = W3TermInfo.from_bytes(old_bytes)  # Whoosh's reading (lengths rounded to a byte)
    for data in (old_bytes, compact_bytes):  # indexes of schema 3 hold pickled term infos
        read = _TermInfo.from_bytes(data)
        assert read.inlined_postings() == (ids, weights, values)
        assert (read.weight(), read.doc_frequency(), read.max_weight()) == (
            stock.weight(),
            len(ids),
            stock.max_weight(),
        )
        assert (read.min_length(), read.max_length()) == (stock.min_length(), stock.max_length())
        assert (read.min_id(), read.max_id()) == (ids[0], ids[-1])
    assert len(_TermInfo.from_bytes(compact_bytes).to_bytes()) == len(compact_bytes)


def _stored_index(folder: Path, codec: W3Codec, documents: list[dict[str, str]]) -> object:
    folder.mkdir()
    schema = Schema(id=ID(stored=True, unique=True), body=STORED(), words=TEXT())
    ix = whoosh_index.create_in(str(folder), schema)
    for start in range(0, len(documents), 60):  # several segments, then one merged
        writer = ix.writer(codec=codec)
        for document in documents[start : start + 60]:
            writer.add_document(**document)
        writer.commit()
    writer = ix.writer(codec=codec)
    writer.delete_by_term("id", "d7")
    writer.commit(optimize=True)
    return ix


def test_codec_stored_documents_round_trip_in_smaller_blocks(tmp_path: Path) -> None:
    chooser = random.Random(3)
    bodies = [
        " ".join(chooser.choice([*WORDS, "Термезе", "Oʻzbekiston", "naïve", "☃"]) for _ in range(n))
        for n in (chooser.randint(0, 300) for _ in range(150))
    ]
    bodies[3] = "x" * 40_000  # larger than a block
    bodies[4] = ""
    documents: list[dict[str, str]] = [
        {"id": f"d{number}", "body": body} for number, body in enumerate(bodies)
    ]
    documents[5] = {"words": "nothing stored in this one"}
    expected = [document for document in documents if document.get("id") != "d7"]
    sizes = []
    for name, codec in (("whoosh", W3Codec()), ("news", NewsCodec())):
        ix = _stored_index(tmp_path / name, codec, documents)
        with ix.searcher() as searcher:  # type: ignore[attr-defined]
            stored = list(searcher.all_stored_fields())
            assert stored == [
                {key: value for key, value in document.items() if key != "words"}
                for document in expected
            ]
            assert searcher.document(id="d3") == {"id": "d3", "body": "x" * 40_000}
            assert searcher.document(id="d149")["body"] == bodies[149]
        sizes.append(sum(path.stat().st_size for path in (tmp_path / name).iterdir()))
    assert sizes[1] < 0.75 * sizes[0]


def test_codec_reads_stored_documents_of_schema_3_segments(tmp_path: Path) -> None:
    """A codec unpickled from a schema 3 index has no ``stored_blocks``: Whoosh's own column."""
    legacy = NewsCodec()
    del legacy.stored_blocks  # as a NewsCodec pickled by schema 3 comes back
    documents = [{"id": f"d{number}", "body": f"Термез {number}"} for number in range(100)]
    ix = _stored_index(tmp_path / "v3", legacy, documents)
    reopened = whoosh_index.open_dir(str(tmp_path / "v3"))
    assert [segment.codec().stored_blocks for segment in reopened._segments()] == [False]
    with reopened.searcher() as searcher:
        assert searcher.document(id="d42") == {"id": "d42", "body": "Термез 42"}
        assert len(list(searcher.all_stored_fields())) == 99
    del ix


def test_codec_term_dictionary_finds_every_term_and_no_other(tmp_path: Path) -> None:
    texts = _documents(120)
    analyzer = build_schema()["body"].analyzer
    plain = _index(tmp_path / "plain", TEXT(analyzer=analyzer), W3Codec(), texts)
    compact = _index(tmp_path / "compact", AnalyzedText(analyzer=analyzer), NewsCodec(), texts)
    with plain.searcher() as expected, compact.searcher() as searcher:  # type: ignore[attr-defined]
        reader, stock = searcher.reader(), expected.reader()
        terms = list(stock.all_terms())
        assert len(terms) > 40
        assert list(reader.all_terms()) == terms
        for term in terms:
            assert term in reader
            assert reader.doc_frequency(*term) == stock.doc_frequency(*term)
        for missing in (b"rare37", b"oi", b"oill", b""):
            assert ("body", missing) not in reader
            assert reader.doc_frequency("body", missing) == 0
        for segment_reader in reader.leaf_readers():  # merges read the dictionary in one go
            table = segment_reader[0]._terms
            everything = [(key, vars(info)) for key, info in table.all_items()]
            assert everything == [(key, vars(info)) for key, info in table.items()]
            assert len(everything) > 40


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


def test_codec_block_postings_read_and_skip_as_whoosh_does(tmp_path: Path) -> None:
    texts = _documents(300)
    folder = tmp_path / "ix"
    folder.mkdir()
    schema = Schema(body=AnalyzedText(analyzer=build_schema()["body"].analyzer))
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer(codec=NewsCodec(blocklimit=16))  # one segment, many blocks per term
    for text in texts:
        writer.add_document(body=text)
    writer.commit()
    chooser = random.Random(11)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for word in ("oil", "bank", "rate"):
            terminfo = reader.term_info("body", word)
            assert not terminfo.is_inlined()
            fieldformat = schema["body"].format
            ours = reader.postings("body", word)
            whoosh = W3LeafMatcher(reader._terms._postfile, *terminfo.extent(), fieldformat)
            assert type(ours).__name__ == "_LeafMatcher"
            targets = sorted(chooser.sample(range(len(texts) + 5), 60))
            for target in targets:
                if not whoosh.is_active():
                    break
                ours.skip_to(target)
                whoosh.skip_to(target)
                assert ours.is_active() == whoosh.is_active()
                if whoosh.is_active():
                    assert (ours.id(), ours.weight(), ours.value()) == (
                        whoosh.id(),
                        whoosh.weight(),
                        whoosh.value(),
                    )
                    blocks = [
                        (m.block_max_id(), m.block_max_weight(), m.block_max_length())
                        for m in (ours, whoosh)
                    ]
                    assert blocks[0] == blocks[1]
            ours.reset()
            whoosh.reset()
            assert list(ours.all_ids()) == list(whoosh.all_ids())


def _segment_files(folder: Path) -> dict[str, bytes]:
    """The files of an index's one segment, by name with the segment's random id taken out."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    storage = FileStorage(str(folder))
    (segment,) = whoosh_index.open_dir(str(folder), indexname="MAIN")._segments()
    segment_id = segment.segment_id()
    compound = CompoundStorage(storage.open_file(segment.make_filename(".seg")), use_mmap=False)
    files = {}
    try:
        for name in compound.list():
            handle = compound.open_file(name)
            files[name.replace(segment_id, "X")] = handle.read()
            handle.close()
    finally:
        compound.close()
    return files


def _merge_all(writer: Any, segments: list[Any]) -> list[Any]:
    """A merge policy that merges every segment (a StreamingMergeWriter closes the readers)."""
    from whoosh.reading import SegmentReader

    from newscli.merging import StreamingMergeWriter

    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        if not isinstance(writer, StreamingMergeWriter):
            reader.close()
    return []


def _no_merge(writer: Any, segments: list[Any]) -> list[Any]:
    return segments


def _written_segment(folder: Path, *, whoosh_loops: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Ingest articles in three batches, replacing some of the first batch's (deletions), then
    merge all into one segment, with newscli's writer or with Whoosh's own ``SegmentWriter``
    and per-posting ``add_postings`` (same codec)."""
    from whoosh.codec.base import FieldWriter
    from whoosh.writing import SegmentWriter

    from newscli.codec import NewsCodec, _FieldWriter
    from newscli.models import Article
    from newscli.store import Store, _to_document, analyzed_document

    with monkeypatch.context() as patch:
        if whoosh_loops:
            patch.setattr(_FieldWriter, "add_postings", FieldWriter.add_postings)
        store = Store.open(folder, create=True)
        texts = _documents(120)
        for start in range(0, 120, 40):
            writer = (
                SegmentWriter(store._ix, codec=NewsCodec(), limitmb=80)
                if whoosh_loops
                else store._whoosh_writer()
            )
            numbers = [*range(start, start + 40), *(range(0, 40, 7) if start else ())]
            for number in numbers:
                article = Article(
                    id=f"{number:04x}" * 4,
                    title=f"Rare{number} report" if number % 3 else None,
                    body=texts[number] + (f" revised{start}" if number < start else ""),
                    language="en",
                    date=f"2022-04-{1 + number % 28:02}",
                    mentions=("2022-04-01",) if number % 2 else (),
                    content_hash=f"c{number}",
                    source_hash=f"s{number}",
                    ingested="2026-01-01T00:00:00Z",
                )
                if number % 4:
                    writer.update_document(**analyzed_document(article))
                else:  # as from an index made before pre-analysed fields
                    writer.update_document(**_to_document(article))
            writer.commit(mergetype=_merge_all if start == 80 else _no_merge)
        store.close()
    return _segment_files(folder)


def test_codec_term_at_a_time_writer_writes_what_whoosh_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """newscli's writer (bulk ``add_document``, term-at-a-time ``add_postings``, merges read a
    term at a time) writes segment files byte for byte as Whoosh's per-posting loops do, for
    new documents and merged segments with deleted documents."""
    ours = _written_segment(tmp_path / "ours", whoosh_loops=False, monkeypatch=monkeypatch)
    theirs = _written_segment(tmp_path / "theirs", whoosh_loops=True, monkeypatch=monkeypatch)
    assert sorted(ours) == sorted(theirs)
    assert any(name.endswith(".pst") for name in ours)
    for name in ours:
        assert ours[name] == theirs[name], name


def test_bulk_add_document_pools_as_whoosh_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk ``add_document`` pools the same postings with Whoosh's memory estimate, which
    decides when the pool spills to disk."""
    from whoosh.writing import SegmentWriter

    from newscli.merging import StreamingMergeWriter
    from newscli.models import Article
    from newscli.store import Store, analyzed_document

    pools = []
    for name, whoosh_loop in (("ours", False), ("theirs", True)):
        with monkeypatch.context() as patch:
            if whoosh_loop:
                patch.setattr(StreamingMergeWriter, "add_document", SegmentWriter.add_document)
            store = Store.open(tmp_path / name, create=True)
            writer = store._whoosh_writer()
            for number, text in enumerate(_documents(30)):
                article = Article(id=f"{number:016x}", title="Oil report", body=text, language="en")
                writer.add_document(**analyzed_document(article))
            pools.append((writer.pool.currentsize, writer.pool.fieldnames, writer.pool.current))
            writer.cancel()
            store.close()
    assert pools[0][0] > 0
    assert pools[0] == pools[1]
