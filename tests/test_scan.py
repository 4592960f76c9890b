"""The folder walk and the stat cache: what a rescan of unchanged files relies on."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest

from newscli import filestate
from newscli.filestate import Entry, FileState
from newscli.ids import file_key
from newscli.models import Source
from newscli.sources import expand


def _tree(root: Path) -> None:
    for relative in [
        "b.txt",
        "a.html",
        "a.html.json",
        "z/one.txt",
        "z/one.json",
        "m/deep/x.txt",
        "m/y.txt",
        "m/notes.pdf",
        ".hidden.txt",
        ".git/config.txt",
        "sp ace/é.txt",
    ]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Text of {relative}\n")
    (root / "linked").symlink_to(root / "m", target_is_directory=True)


def _reference(root: Path) -> list[str]:
    """The order of ``os.walk``: sorted names, a folder's files before its subfolders."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [str(Path(folder, n)) for n in sorted(files) if not n.startswith(".")]
    return found


def test_walk_order_keys_and_signatures(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _tree(root)
    items = list(expand([str(root)]))
    sources = [item for item in items if isinstance(item, Source)]
    skipped = [item for item in items if not isinstance(item, Source)]
    expected = [
        p
        for p in _reference(root)
        if not p.endswith((".json", ".pdf")) and "/linked/" not in p  # links are not followed
    ]
    assert [s.path for s in sources] == expected
    assert [s.key for s in sources] == [file_key(Path(p)) for p in expected]
    assert any(s.key.endswith("/sp%20ace/%C3%A9.txt") for s in sources)
    assert [item.reason for item in skipped] == ["skipped: unsupported file type '.pdf'"]
    for source in sources:
        assert source.path is not None
        assert source.signature == filestate.signature(source.path)
    sidecar = {s.path.rsplit("/", 1)[-1]: s.signature for s in sources if s.path}
    assert "|a.html.json=" in (sidecar["a.html"] or "")
    assert "|one.json=" in (sidecar["one.txt"] or "")
    assert "|" not in (sidecar["b.txt"] or "")


def test_signature_changes_with_the_sidecar(tmp_path: Path) -> None:
    root = tmp_path / "in"
    _tree(root)
    before = {s.path: s.signature for s in expand([str(root)]) if isinstance(s, Source)}
    sidecar = root / "z" / "one.json"
    sidecar.write_text('{"date": "2024-05-01", "title": "A longer title than before"}')
    after = {s.path: s.signature for s in expand([str(root)]) if isinstance(s, Source)}
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {str(root / "z" / "one.txt")}


def test_filestate_survives_a_torn_file_and_migrates_the_old_one(tmp_path: Path) -> None:
    state = FileState.load(tmp_path, generation=1)
    state.stage("k", Entry("1:2", filestate.INDEXED, "h"))
    state.save(2)
    assert FileState.load(tmp_path, generation=2).get("k") == Entry("1:2", "indexed", "h")
    assert FileState.load(tmp_path, generation=3).get("k") is None  # another generation
    saved = tmp_path / filestate.STATE_FILE
    saved.write_bytes(saved.read_bytes()[:30])  # torn: read as no cache, not as an error
    assert FileState.load(tmp_path, generation=2).get("k") is None

    saved.unlink()
    old = tmp_path / "filestate.sqlite"
    with contextlib.closing(sqlite3.connect(old)) as db, db:
        db.executescript(
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE files (key TEXT PRIMARY KEY, signature TEXT NOT NULL,"
            " status TEXT NOT NULL, detail TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('generation', '7');"
            "INSERT INTO files VALUES ('old', '5:6', 'failed', 'no article text found');"
        )
    migrated = FileState.load(tmp_path, generation=7)
    assert migrated.get("old") == Entry("5:6", "failed", "no article text found")
    migrated.save(7)  # nothing staged: still written once in the new form
    assert not old.exists()
    assert FileState.load(tmp_path, generation=7).get("old") == Entry(
        "5:6", "failed", "no article text found"
    )


def _site(folder: Path, count: int, footer: str) -> list[Source]:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"story{n}.txt").write_text(
            f"Story number {n}\n\nThe minister of department {n} spoke to reporters at length "
            f"about the rockets that fell near the river on Tuesday.\n\n{footer}\n"
        )
    return [s for s in expand([str(folder)]) if isinstance(s, Source)]


def test_folder_templates_cached_until_the_sample_changes(tmp_path: Path) -> None:
    from newscli.templates import folder_templates

    folder = tmp_path / "site"
    footer = "Subscribe to the Border Weekly briefing"
    sources = _site(folder, 8, footer)
    cache: dict[str, tuple[str, tuple[str, ...]]] = {}
    first = folder_templates(sources, max_bytes=1 << 20, cache=cache)
    assert footer in first[str(folder / "story0.txt")]
    assert list(cache) == [folder.as_uri()]

    sources = _site(folder, 8, "A different last line in every file")  # rewritten on disk
    one = {str(folder / "story3.txt")}
    kept = folder_templates(sources, max_bytes=1 << 20, cache=cache, changed=one)
    assert footer in kept[str(folder / "story0.txt")]  # one corrected file: not read again

    every = {s.path for s in sources if s.path}
    relearnt = folder_templates(sources, max_bytes=1 << 20, cache=cache, changed=every)
    assert footer not in relearnt.get(str(folder / "story0.txt"), frozenset())
    assert footer not in cache[folder.as_uri()][1]

    sources = _site(folder, 8, footer)
    grown = _site(folder, 9, footer)  # a file more: another sample, learnt again
    assert len(grown) == len(sources) + 1
    assert (
        footer
        in folder_templates(grown, max_bytes=1 << 20, cache=cache)[str(folder / "story8.txt")]
    )


def test_folder_templates_sample_text_files_only(tmp_path: Path) -> None:
    """HTML pages are not read to learn a folder's template: a folder whose first 500 files
    are HTML still learns it from its text files."""
    from newscli.templates import folder_templates

    folder = tmp_path / "site"
    footer = "Subscribe to the Border Weekly briefing"
    _site(folder, 4, footer)
    for number in range(500):
        (folder / f"page{number:03}.html").write_text("<p>page</p>", encoding="utf-8")
    sources = [s for s in expand([str(folder)]) if isinstance(s, Source)]
    assert sources[0].path == str(folder / "page000.html")
    templates = folder_templates(sources, max_bytes=1 << 20)
    assert footer in templates[str(folder / "story0.txt")]
    assert str(folder / "page000.html") not in templates


def test_ingest_keeps_templates_in_the_stat_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newscli import Corpus

    folder = tmp_path / "site"
    _site(folder, 5, "Subscribe to the Border Weekly briefing")
    index = tmp_path / "ix"
    corpus = Corpus.open(index, create=True)
    assert corpus.ingest([str(folder)]).added == 5
    state = FileState.load(index, generation=corpus._store.generation())
    assert state.templates[folder.as_uri()][1] == ("Subscribe to the Border Weekly briefing",)
    story = folder / "story2.txt"
    story.write_text(story.read_text().replace("Tuesday", "Wednesday"))
    monkeypatch.chdir(tmp_path)
    report = Corpus.open(index).ingest(["site"])  # the same folder, named relatively
    assert (report.updated, report.unchanged) == (1, 4)
    after = Corpus.open(index)
    state = FileState.load(index, generation=after._store.generation())
    assert list(state.templates) == [folder.as_uri()]
    assert len(after.search("Wednesday").hits) == 1
    assert not after.search("Subscribe").hits  # the template still applies


def test_read_ahead_never_blocks_or_fails(tmp_path: Path) -> None:
    import threading

    from newscli.sources import read_ahead

    article = tmp_path / "a.txt"
    article.write_text("Rockets were fired at Termez.\n")
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)  # no writer: a blocking open would wait for ever
    done: list[str] = []

    def run() -> None:
        for path in (article, pipe, tmp_path, tmp_path / "missing.txt"):
            read_ahead(str(path))
            done.append(path.name)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    assert done == ["a.txt", "pipe.txt", tmp_path.name, "missing.txt"]
    assert article.read_text() == "Rockets were fired at Termez.\n"
