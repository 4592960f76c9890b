"""``newscli index check`` and ``newscli index rebuild`` on healthy and damaged indexes."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.codec import NewsCodec
from newscli.store import (
    INDEX_NAME,
    LOCK_FILE,
    META_FILE,
    SCHEMA_VERSION,
    RunLock,
    Store,
    _to_document,
)
from tests.conftest import CORPUS, run

# Whoosh leaves files open when it fails to read a damaged index; that is the damage shown.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _bodies(index: Path) -> dict[str, str]:
    with Store.open(index).searcher() as searcher:
        return {fields["id"]: fields["body"] for fields in searcher.all_stored_fields()}


@pytest.fixture
def two_segment_index(runner: CliRunner, tmp_path: Path) -> Path:
    """An index of the five sample articles committed in two batches (two segments)."""
    index = tmp_path / "ix"
    names = sorted(CORPUS.iterdir())
    assert run(runner, "ingest", *map(str, names[:2]), index=index).exit_code == 0
    assert run(runner, "ingest", *map(str, names[2:]), index=index).exit_code == 0
    assert len(list(index.glob("MAIN_*.seg"))) == 2
    return index


def test_index_check_healthy_plain_and_json(runner: CliRunner, two_segment_index: Path) -> None:
    result = run(runner, "index", "check", "-f", "plain", index=two_segment_index)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"index\t{two_segment_index}\nstatus\tok\ndocuments\t5\nschema\t{SCHEMA_VERSION}\n"
    )
    data = json.loads(run(runner, "index", "check", "--json", index=two_segment_index).stdout)
    assert data == {
        "index": str(two_segment_index),
        "ok": True,
        "documents": 5,
        "schema_version": SCHEMA_VERSION,
        "problems": [],
    }


def test_index_check_truncated_segment_then_rebuild(
    runner: CliRunner, two_segment_index: Path
) -> None:
    before = _bodies(two_segment_index)
    damaged = max(two_segment_index.glob("MAIN_*.seg"), key=lambda p: p.stat().st_size)
    with damaged.open("r+b") as handle:
        handle.truncate(damaged.stat().st_size // 2)
    check = run(runner, "index", "check", "--json", index=two_segment_index)
    assert check.exit_code == 1
    problems = json.loads(check.stdout)["problems"]
    assert len(problems) == 1
    assert problems[0].startswith(f"segment {damaged.name} is damaged")
    search = run(runner, "search", "Taliban", index=two_segment_index)
    assert search.exit_code == 1
    assert "newscli index rebuild" in search.stderr
    assert "Traceback" not in search.output

    rebuilt = run(runner, "index", "rebuild", index=two_segment_index)
    assert rebuilt.exit_code == 3, rebuilt.output
    lost = 5 - len(_bodies(two_segment_index))
    assert lost in (2, 3)
    assert rebuilt.stderr.startswith(f"index rebuild: {5 - lost} documents rebuilt, {lost} unre")
    assert "ingest their sources again" in rebuilt.stderr
    after = _bodies(two_segment_index)
    assert {key: before[key] for key in after} == after
    assert run(runner, "index", "check", index=two_segment_index).exit_code == 0
    # the way out: ingesting the sources again brings the lost articles back
    assert run(runner, "ingest", str(CORPUS), index=two_segment_index).exit_code == 0
    assert _bodies(two_segment_index) == before


def test_index_check_missing_toc(runner: CliRunner, two_segment_index: Path) -> None:
    for toc in two_segment_index.glob(f"_{INDEX_NAME}_*.toc"):
        toc.unlink()
    check = run(runner, "index", "check", "-f", "plain", index=two_segment_index)
    assert check.exit_code == 1
    assert "problem\tthe table of contents (_MAIN_N.toc) is missing; 2 segment files" in (
        check.stdout
    )
    for args in (["search", "x"], ["stats"], ["index", "rebuild"]):
        result = run(runner, *args, index=two_segment_index)
        assert result.exit_code == 1
        assert "table of contents is missing" in result.stderr
        assert len(result.stderr.splitlines()) == 1


def test_index_check_stray_temp_files_removed_by_ingest(
    runner: CliRunner, two_segment_index: Path
) -> None:
    toc = next(two_segment_index.glob(f"_{INDEX_NAME}_*.toc"))
    (two_segment_index / f"{toc.name}.1732240000.5").write_bytes(b"half a toc")
    (two_segment_index / f"{INDEX_NAME}_orphan0segment1.seg").write_bytes(b"uncommitted")
    check = run(runner, "index", "check", "-f", "plain", index=two_segment_index)
    assert check.exit_code == 1
    assert check.stdout.endswith(
        f"problem\tstray temporary files {INDEX_NAME}_orphan0segment1.seg, "
        f"{toc.name}.1732240000.5 (the next ingest removes them)\n"
    )
    assert run(runner, "ingest", str(CORPUS), index=two_segment_index).exit_code == 0
    assert run(runner, "index", "check", index=two_segment_index).exit_code == 0


def test_index_rebuild_after_schema_version_change(
    runner: CliRunner, two_segment_index: Path
) -> None:
    before = _bodies(two_segment_index)
    before_articles = [Corpus.open(two_segment_index).get(key) for key in sorted(before)]
    meta = two_segment_index / META_FILE
    meta.write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1}), encoding="utf-8")
    search = run(runner, "search", "Termez", index=two_segment_index)
    assert search.exit_code == 1
    assert "run `newscli index rebuild`" in search.stderr
    check = run(runner, "index", "check", "--json", index=two_segment_index)
    assert check.exit_code == 1
    assert json.loads(check.stdout)["problems"][0].startswith(
        f"schema version {SCHEMA_VERSION - 1}, this newscli uses {SCHEMA_VERSION}"
    )
    rebuilt = run(runner, "index", "rebuild", index=two_segment_index)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (
        rebuilt.stderr
        == f"index rebuild: 5 documents rebuilt, 0 unreadable, in {two_segment_index}\n"
    )
    assert json.loads(meta.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION
    corpus = Corpus.open(two_segment_index)
    assert [corpus.get(key) for key in sorted(before)] == before_articles
    assert len(corpus.search("Termez").hits) == 2
    assert two_segment_index.stat().st_mode & 0o777 == 0o700
    assert (two_segment_index / LOCK_FILE).exists()
    assert not list(two_segment_index.parent.glob(".ix.rebuild-*"))


def test_index_rebuild_converts_schema_3_index(
    runner: CliRunner, two_segment_index: Path, tmp_path: Path
) -> None:
    """A schema 3 index (stored documents compressed one by one) is read and converted."""
    corpus = Corpus.open(two_segment_index)
    ids = sorted(_bodies(two_segment_index))
    articles = [corpus.get(key) for key in ids]
    assert any(article and not article.body.isascii() for article in articles)
    index = tmp_path / "v3"
    Corpus.open(index, create=True)
    legacy = NewsCodec()
    del legacy.stored_blocks  # as a NewsCodec pickled by schema 3 comes back
    writer = Store.open(index)._ix.writer(codec=legacy)
    for article in articles:
        assert article is not None
        writer.add_document(**_to_document(article))
    writer.commit()
    (index / META_FILE).write_text(json.dumps({"schema_version": 3}), encoding="utf-8")
    assert run(runner, "search", "Termez", index=index).exit_code == 1
    rebuilt = run(runner, "index", "rebuild", index=index)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.stderr == f"index rebuild: 5 documents rebuilt, 0 unreadable, in {index}\n"
    store = Store.open(index)
    assert [segment.codec().stored_blocks for segment in store._ix._segments()] == [True]
    converted = Corpus.open(index)
    assert [converted.get(key) for key in ids] == articles
    assert len(converted.search("Termez").hits) == 2
    assert run(runner, "index", "check", index=index).exit_code == 0


def test_index_rebuild_converts_other_whoosh_schema(runner: CliRunner, tmp_path: Path) -> None:
    """An index written under another schema (a field gone, one added) is re-indexed."""
    from whoosh.fields import ID, STORED, TEXT, Schema
    from whoosh.filedb.filestore import FileStorage

    index = tmp_path / "old"
    index.mkdir(mode=0o700)
    (index / META_FILE).write_text('{"schema_version": 0}', encoding="utf-8")
    old = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True),
        body=TEXT(stored=True),
        date_text=STORED(),
        legacy=STORED(),
    )
    ix = FileStorage(str(index)).create_index(old, indexname=INDEX_NAME)
    with ix.writer() as writer:
        writer.add_document(
            id="0123456789ab",
            title="Old storm",
            body="A storm hit the coast.",
            date_text="2001-02-03",
            legacy="x",
        )
    check = run(runner, "index", "check", "--json", index=index)
    assert "schema mismatch in fields" in json.loads(check.stdout)["problems"][1]
    assert run(runner, "index", "rebuild", index=index).exit_code == 0
    article = Corpus.open(index).get("0123456789ab")
    assert (article.title, article.body, article.date) == (
        "Old storm",
        "A storm hit the coast.",
        "2001-02-03",
    )
    assert [hit.id for hit in Corpus.open(index).search("date:2001 storm").hits] == ["0123456789ab"]


def test_index_rebuild_lock_follows_swapped_folder(tmp_path: Path) -> None:
    """A run waiting for the lock during a rebuild gets in only after the rebuild is done."""
    folder, other = tmp_path / "ix", tmp_path / "new"
    folder.mkdir()
    other.mkdir()
    first = RunLock(folder, wait=0)
    first.acquire()
    acquired = threading.Event()
    waiter = RunLock(folder, wait=10)
    thread = threading.Thread(target=lambda: (waiter.acquire(), acquired.set()))
    thread.start()
    second = RunLock(other, wait=0)
    second.acquire()
    folder.rename(tmp_path / "gone")
    other.rename(folder)
    first.release()
    time.sleep(0.5)
    assert not acquired.is_set()  # the old folder's lock is free, but that is not the index
    second.release()
    thread.join(5)
    assert acquired.is_set()
    waiter.release()


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to give a folder to another user")
def test_index_check_refuses_other_users_folder(runner: CliRunner, two_segment_index: Path) -> None:
    os.chown(two_segment_index, 65534, 65534)
    for args in (["index", "check"], ["index", "rebuild"]):
        result = run(runner, *args, index=two_segment_index)
        assert result.exit_code == 1
        assert "owned by another user" in result.stderr


def test_index_check_without_index_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "index", "check", index=tmp_path / "none")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no index at {tmp_path / 'none'}\n"
