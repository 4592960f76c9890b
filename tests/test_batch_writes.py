"""Index writes: text analysed in the workers, commits in the background, the stat cache."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from newscli import Corpus
from newscli.filestate import Entry, FileState
from newscli.store import (
    INDEX_NAME,
    META_FILE,
    SCHEMA_VERSION,
    AnalyzedText,
    _DurableStorage,
    _to_document,
    analyzed_document,
    build_schema,
)
from tests.conftest import CORPUS, run

QUERIES = [
    "Termez",
    "rocket",
    '"Islamic State"',
    "Uzbekistan OR Tajikistan",
    "termiz",
    "title:rocket",
]


def _results(index: Path) -> list[list[tuple[str, float, str]]]:
    corpus = Corpus.open(index)
    return [
        [(hit.id, hit.score, hit.snippet) for hit in corpus.search(query, limit=10).hits]
        for query in QUERIES
    ]


def test_ingest_analysed_in_workers_equals_analysis_by_writer(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Postings made in the workers give the same hits, scores and snippets as Whoosh's own
    analysis (``index rebuild`` re-indexes every stored article in the writing process)."""
    index = tmp_path / "ix"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    before = _results(index)
    assert any(before), "the queries must find something"
    assert run(runner, "index", "rebuild", index=index).exit_code == 0
    assert _results(index) == before


def test_analyzed_document_holds_the_analysers_postings() -> None:
    article = next(
        item
        for item in Corpus.extract([str(CORPUS / "001_6171931e03c5a604.txt")])
        if not hasattr(item, "reason")
    )
    schema = build_schema()
    plain = _to_document(article)
    analysed = analyzed_document(article, schema)
    for name, value in plain.items():
        if isinstance(schema[name], AnalyzedText):
            assert list(analysed[name].postings) == list(schema[name].index(value)), name
            assert analysed.get(f"_stored_{name}") == (value if schema[name].stored else None)
        else:
            assert analysed[name] == value


def _old_schema() -> Schema:
    """The schema as earlier newscli versions created it: plain TEXT fields."""
    fields = {}
    for name, field in build_schema().items():
        if isinstance(field, AnalyzedText):
            plain = TEXT.__new__(TEXT)
            plain.__dict__.update(field.__dict__)
            field = plain
        fields[name] = field
    assert all(not isinstance(field, AnalyzedText) for field in fields.values())
    assert {type(field) for field in fields.values()} <= {TEXT, ID, KEYWORD, STORED, DATETIME}
    return Schema(**fields)


def test_ingest_into_index_with_plain_text_fields(runner: CliRunner, tmp_path: Path) -> None:
    """An index made before the workers analysed text is still written, checked and searched."""
    index = tmp_path / "old"
    index.mkdir(mode=0o700)
    (index / META_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}), "utf-8")
    _DurableStorage(str(index)).create_index(_old_schema(), indexname=INDEX_NAME)
    result = run(runner, "ingest", str(CORPUS), index=index)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("ingest: 5 added")
    assert [hit.path for hit in Corpus.open(index).search("Termez").hits] == [
        str(CORPUS / "000_599497af99412e51.txt"),
        str(CORPUS / "001_6171931e03c5a604.txt"),
    ]
    check = run(runner, "index", "check", "--json", index=index)
    assert check.exit_code == 0, check.output
    assert json.loads(check.stdout)["problems"] == []


def test_ingest_small_batches_commit_everything_and_cache_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Batches of 2 commit in the background while later articles wait; all arrive, in order,
    and the next run finds every file in the stat cache."""
    folder, index = tmp_path / "in", tmp_path / "ix"
    folder.mkdir()
    for number in range(23):
        (folder / f"{number:03d}.txt").write_text(
            f"Headline number {number}\n\nThe council met on day {number} and agreed on a plan "
            f"for the canal, said the mayor of town{number}, after a long debate.\n",
            encoding="utf-8",
        )
    first = run(runner, "ingest", "--batch-size", "2", str(folder), index=index)
    assert first.exit_code == 0, first.output
    assert first.stderr.startswith("ingest: 23 added")
    corpus = Corpus.open(index)
    assert corpus.stats().documents == 23
    assert {hit.title for hit in corpus.search("town7 OR town22").hits} == {
        "Headline number 7",
        "Headline number 22",
    }
    second = run(runner, "ingest", "--batch-size", "2", str(folder), index=index)
    assert second.stderr.startswith("ingest: 0 added, 0 updated, 23 unchanged")


def test_filestate_save_upto_checkpoint(tmp_path: Path) -> None:
    state = FileState.load(tmp_path, generation=1)
    state.stage("a", Entry("sig-a", "indexed", "h1"))
    mark = state.checkpoint()
    state.stage("b", Entry("sig-b", "indexed", "h2"))
    state.save(2, upto=mark)
    saved = FileState.load(tmp_path, generation=2)
    assert saved.get("a") == Entry("sig-a", "indexed", "h1")
    assert saved.get("b") is None
    state.stage("a", Entry("sig-a2", "indexed", "h3"))  # staged again after the mark
    state.save(3)
    saved = FileState.load(tmp_path, generation=3)
    assert saved.get("a") == Entry("sig-a2", "indexed", "h3")
    assert saved.get("b") == Entry("sig-b", "indexed", "h2")


def test_batch_writer_new_article_put_twice_is_replaced_not_doubled(tmp_path: Path) -> None:
    """``new=True`` skips Whoosh's id look-up, but an id put earlier in the run still replaces."""
    import dataclasses

    from newscli.store import Store

    article = next(
        item
        for item in Corpus.extract([str(CORPUS / "001_6171931e03c5a604.txt")])
        if not hasattr(item, "reason")
    )
    store = Store.open(tmp_path / "ix", create=True)
    with store.writer(batch_size=1, batch_seconds=60, lock_wait=0) as writer:
        writer.put(article, new=True)
        writer.put(dataclasses.replace(article, body="Second version of the text."), new=True)
        other = dataclasses.replace(article, id="0123456789ab", body="Another article.")
        writer.put(other, new=True)
    corpus = Corpus.open(tmp_path / "ix")
    assert corpus.stats().documents == 2
    assert corpus.get(article.id).body == "Second version of the text."


def test_search_kept_searcher_sees_later_commits_and_rebuild(
    runner: CliRunner, tmp_path: Path
) -> None:
    """One open Corpus keeps its searcher between searches, and still sees what others write."""
    index, extra = tmp_path / "ix", tmp_path / "extra"
    assert run(runner, "ingest", str(CORPUS), index=index).exit_code == 0
    corpus = Corpus.open(index)
    assert len(corpus.search("Termez").hits) == 2
    extra.mkdir()
    (extra / "new.txt").write_text(
        "Termez bridge reopens\n\nThe bridge at Termez reopened to trucks on Monday, "
        "customs officials said, after a week of repairs.\n",
        encoding="utf-8",
    )
    assert run(runner, "ingest", str(extra), index=index).exit_code == 0
    assert len(corpus.search("Termez").hits) == 3
    assert corpus.stats().documents == 6
    assert run(runner, "index", "rebuild", index=index).exit_code == 0
    assert len(corpus.search("Termez").hits) == 3
    assert corpus.get(corpus.search("bridge").hits[0].id).title == "Termez bridge reopens"


def _tiny_article(number: int) -> Any:
    from newscli.models import Article

    return Article(
        id=f"{number:012x}",
        title=f"Story {number}",
        body=f"Customs at Termez cleared truck number {number} on the bridge.",
        content_hash=f"h{number}",
        source_hash=f"s{number}",
    )


def test_size_class_boundaries() -> None:
    from newscli.merging import MERGE_FACTOR, size_class

    assert [size_class(n) for n in (0, 1, 999, 1000, 9999, 10_000)] == [0, 0, 0, 1, 1, 2]
    assert size_class(1000 * MERGE_FACTOR**3) == 4


def test_merge_by_size_merges_small_segments_and_keeps_large_ones(tmp_path: Path) -> None:
    """Ten small segments are merged into one; a large segment is never rewritten for them."""
    from newscli.merging import MERGE_FACTOR
    from newscli.store import Store

    store = Store.open(tmp_path / "ix", create=True)
    with store.writer(batch_size=1000, batch_seconds=600, lock_wait=0) as writer:
        for number in range(1000):
            writer.put(_tiny_article(number), new=True)
    (large,) = store._ix._segments()
    with store.writer(batch_size=1, batch_seconds=600, lock_wait=0) as writer:
        for number in range(1000, 1000 + 2 * MERGE_FACTOR + 3):
            writer.put(_tiny_article(number), new=True)
            store._refresh()
            assert len(store._ix._segments()) <= MERGE_FACTOR + 1
    segments = store._ix._segments()
    assert large.segment_id() in {segment.segment_id() for segment in segments}
    assert sorted(segment.doc_count() for segment in segments)[-1] == 1000
    corpus = Corpus.open(tmp_path / "ix")
    assert corpus.stats().documents == 1000 + 2 * MERGE_FACTOR + 3
    assert corpus.get(f"{1000 + 2 * MERGE_FACTOR + 2:012x}") is not None


def test_merge_by_size_rewrites_mostly_deleted_segments(tmp_path: Path) -> None:
    import dataclasses

    from newscli.store import Store

    store = Store.open(tmp_path / "ix", create=True)
    articles = [_tiny_article(number) for number in range(40)]
    with store.writer(batch_size=40, batch_seconds=600, lock_wait=0) as writer:
        for article in articles:
            writer.put(article, new=True)
    with store.writer(batch_size=40, batch_seconds=600, lock_wait=0) as writer:
        for article in articles[:30]:
            writer.put(dataclasses.replace(article, body=article.body + " Updated."))
    store._refresh()
    segments = store._ix._segments()
    assert [segment.deleted_count() for segment in segments] == [0]  # the old one was merged
    assert Corpus.open(tmp_path / "ix").stats().documents == 40


def test_batch_writer_grows_batches_without_a_batch_size(tmp_path: Path) -> None:
    """No batch size: 500, 500, 1,000, ... documents per commit; a given size stays fixed."""
    from newscli.store import Store

    store = Store.open(tmp_path / "ix", create=True)
    sizes: list[int] = []
    with store.writer(batch_size=None, batch_seconds=600, lock_wait=0) as writer:
        writer.on_commit = lambda _mark: sizes.append(writer.committed)
        for number in range(2300):
            writer.put(_tiny_article(number), new=True)
    batches = [after - before for before, after in zip([0, *sizes], sizes, strict=False)]
    # A batch put while the previous one commits in the background may run over by a few.
    assert len(batches) == 4 and sum(batches) == 2300
    for batch, expected in zip(batches[:3], [500, 500, 1000], strict=True):
        assert expected <= batch <= expected + 5
    fixed: list[int] = []
    with store.writer(batch_size=300, batch_seconds=600, lock_wait=0) as writer:
        writer.on_commit = lambda _mark: fixed.append(writer.committed)
        for number in range(2300, 3300):
            writer.put(_tiny_article(number), new=True)
    assert len(fixed) == 4 and fixed[-1] == 1000
    assert all(300 <= b - a <= 305 for a, b in zip([0, *fixed[:2]], fixed[:3], strict=True))


def test_streaming_merge_writes_what_whoosh_pooled_merge_writes(tmp_path: Path) -> None:
    """Merging segments (with deleted documents) by streaming their postings gives the same
    postings, lengths and stored documents as Whoosh's merge through its posting pool."""
    import dataclasses

    from whoosh.reading import SegmentReader
    from whoosh.writing import SegmentWriter

    from newscli.codec import NewsCodec
    from newscli.merging import StreamingMergeWriter

    def contents(writer_class: type) -> tuple[list[Any], list[Any], list[Any]]:
        folder = tmp_path / writer_class.__name__
        store = Store.open(folder, create=True)
        articles = [_tiny_article(number) for number in range(120)]
        for start in range(0, 120, 30):  # four segments
            with store.writer(batch_size=30, batch_seconds=600, lock_wait=0) as writer:
                for article in articles[start : start + 30]:
                    writer.put(article, new=True)
        with store.writer(batch_size=10, batch_seconds=600, lock_wait=0) as writer:
            for article in articles[5:15] + articles[70:80]:  # deletions in two segments
                writer.put(dataclasses.replace(article, body=article.body + " Bridge closed."))
        store._refresh()
        ix = store._ix
        writer = writer_class(ix, codec=NewsCodec())

        def merge_all(whoosh_writer: Any, segments: list[Any]) -> list[Any]:
            for segment in segments:
                reader = SegmentReader(whoosh_writer.storage, whoosh_writer.schema, segment)
                whoosh_writer.add_reader(reader)
                if writer_class is SegmentWriter:  # the streaming writer closes its readers
                    reader.close()
            return []

        writer.commit(mergetype=merge_all)
        with ix.searcher() as searcher:
            reader = searcher.reader()
            postings = list(reader.iter_postings())
            lengths = [
                [reader.doc_field_length(doc, name) for name in ("title", "body", "folded")]
                for doc in range(reader.doc_count_all())
            ]
            stored = list(reader.all_stored_fields())
            assert len(ix._segments()) == 1
        return postings, lengths, stored

    from newscli.store import Store

    streamed = contents(StreamingMergeWriter)
    pooled = contents(SegmentWriter)
    assert streamed == pooled
    assert len(streamed[2]) == 130 - 10 and len(streamed[0]) > 1000


def test_choose_merges_keeps_a_small_refresh_small() -> None:
    """A commit of one article merges only what its budget allows, smallest segments first;
    a large batch merges the whole full class; too many segments force it."""
    from newscli.merging import MAX_SEGMENTS, MERGE_FACTOR, MIN_MERGE_BUDGET, choose_merges

    # as left by a 100,000-article ingest and a few one-file refreshes
    small = [(1, 0), (499, 1), (500, 0), (500, 0), (500, 0), (673, 0), (972, 0), (1, 0), (1, 0)]
    large = [(1026 + 100 * n, 0) for n in range(MERGE_FACTOR - 1)] + [(24_009, 0), (26_829, 0)]
    assert choose_merges(small + large, added=1) == set()  # class 0 holds 9: nothing full
    segments = [*small, (1, 0), *large]
    picked = choose_merges(segments, added=1)
    assert sorted(segments[p][0] for p in picked) == [1, 1, 1, 1]  # 499 more: over budget
    assert sum(segments[p][0] for p in picked) <= MIN_MERGE_BUDGET
    assert {segments[p][0] for p in choose_merges(segments, added=4000)} == {
        live for live, _deleted in [*small, (1, 0)]
    }  # a 4,000-article batch merges the whole class
    # the merged class then fills class 1, whose merge waits for a large enough commit
    tenth = [*large, (4148, 0)]
    assert choose_merges(tenth, added=1) == set()
    assert len(choose_merges(tenth, added=4000)) == MERGE_FACTOR
    crowded = tenth + [(n + 2, 0) for n in range(MAX_SEGMENTS - len(tenth) + 1)]
    assert len(crowded) > MAX_SEGMENTS
    assert {crowded[p][0] for p in choose_merges(crowded, added=1)} >= {2, 3}
    assert choose_merges([(10, 30), (5_000, 6_000), (40, 0)], added=1) == {0}  # budget
    assert choose_merges([(10, 30), (5_000, 6_000), (40, 0)], added=1000) == {0, 1}


def test_batch_writer_commit_marks_cover_only_what_was_committed(tmp_path: Path) -> None:
    """Each commit reports a mark (the caller's count of what it put, taken before the put)
    that covers only documents on disk. When puts outrun the first background commit, the
    articles that waited are committed in batches while others may still wait; their commit
    must not report those (the stat cache would record articles that are not written). How
    many wait depends on the machine's timing; the invariant must hold whatever it is."""
    import dataclasses

    from newscli.store import Store

    store = Store.open(tmp_path / "ix", create=True)
    put = [0]
    marks: list[tuple[int, int]] = []
    with store.writer(batch_size=None, batch_seconds=600, lock_wait=0) as writer:
        writer.on_commit_start = lambda: put[0]
        writer.on_commit = lambda mark: marks.append((mark, writer.committed))
        for number in range(1500):
            body = " ".join(f"w{number}x{word % 97}" for word in range(60))
            writer.put(
                dataclasses.replace(_tiny_article(number), body=body, language="en"), new=True
            )
            put[0] += 1
    assert len(marks) >= 3
    assert all(mark <= committed for mark, committed in marks), marks
    assert marks[-1] == (1500, 1500)


def test_batch_writer_adds_waiting_articles_a_few_per_put(tmp_path: Path) -> None:
    """Articles put during a background commit wait; once it is on disk they go to the next
    writer a few per put (so the caller keeps handing workers their inputs), not all at once,
    and every one of them is committed in the end."""
    import dataclasses

    from newscli.store import _REPLAYED_PER_PUT, Store

    def article(number: int) -> Any:
        body = " ".join(f"w{number}x{word % 97}" for word in range(60))
        return dataclasses.replace(_tiny_article(number), body=body, language="en")

    store = Store.open(tmp_path / "ix", create=True)
    with store.writer(batch_size=None, batch_seconds=600, lock_wait=0) as writer:
        for number in range(500):  # the first batch: its commit starts in the background
            writer.put(article(number), new=True)
        background = writer._background
        assert background is not None
        for number in range(500, 520):  # ~10 ms of puts against a commit of ~0.5 s
            writer.put(article(number), new=True)
        assert len(writer._waiting) == 20, "the first commit ended before the puts: too fast"
        background._thread.join()
        writer.put(article(520), new=True)
        assert writer._background is None
        assert len(writer._waiting) == 21 - _REPLAYED_PER_PUT
    assert writer.committed == 521
    assert store.document_count() == 521
