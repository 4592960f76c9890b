"""Hostile inputs, all generated here: each gets one line (or is read correctly), the rest lands.

The very large ones (50 MB files, a million elements, a 10 MB attribute) are measured by
``bench/hostile.py``; they need the extraction worker pool's time budget to be safe in a test.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from newscli import Corpus
from newscli.ids import article_id, file_key
from tests.conftest import run

RUSSIAN = (
    "Вчера в Термезе прошло заседание городского совета. Депутаты обсудили ремонт моста "
    "через реку и подготовку к зиме. Глава района сообщил, что работы завершатся к осени, "
    "и жители получат новые дороги и освещение улиц в ближайшие месяцы."
)
ENGLISH = (
    "The council met on Tuesday to discuss the harvest and the new bridge over the river. "
    "Officials said the repairs would finish before winter and that traffic would resume."
)


def _png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _page(body: str, *, charset: str | None = None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (
        f"<html><head>{meta}<title>Заседание совета</title></head>"
        f"<body><article>{body}</article></body></html>"
    )


def _articles(index: Path) -> dict[str, str]:
    corpus = Corpus.open(index)
    with corpus._store.searcher() as searcher:
        return {Path(f["path"]).name: f["body"] for f in searcher.all_stored_fields()}


def _ingest(runner: CliRunner, folder: Path, index: Path) -> tuple[int, dict[str, str]]:
    """Ingest ``folder``; return the exit code and the failure lines by file name."""
    result = run(runner, "ingest", str(folder), index=index)
    lines = result.stderr.splitlines()
    failures = {}
    for line in lines[1:]:
        prefix, _, rest = line.partition(": ")
        assert prefix == "failed", line
        path, _, reason = rest.partition(": ")
        failures[Path(path).name] = reason
    return result.exit_code, failures


def test_ingest_hostile_encodings_and_types(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    files: dict[str, bytes] = {
        "good.txt": f"Good news\n\n{ENGLISH}\n".encode(),
        "invalid-utf8.txt": f"Broken bytes\n\n{ENGLISH}\n".encode() + b"\xff\xfe\xc3\x28 end.\n",
        "cp1251.txt": f"Заседание совета\n\n{RUSSIAN} (1)\n".encode("cp1251"),
        "koi8r.txt": f"Заседание совета\n\n{RUSSIAN} (2)\n".encode("koi8-r"),
        "cp1251.html": _page(f"<p>{RUSSIAN}</p><p>{RUSSIAN} (3)</p>").encode("cp1251"),
        "koi8r.html": _page(f"<p>{RUSSIAN}</p><p>{RUSSIAN} (4)</p>").encode("koi8-r"),
        "utf16.txt": f"Bom article\n\n{ENGLISH}\n".encode("utf-16"),
        "utf16.html": _page(f"<p>{RUSSIAN}</p><p>{RUSSIAN} (5)</p>").encode("utf-16"),
        "png.txt": _png(),
        "png.html": _png(),
        "pdf.txt": _pdf(),
        "pdf.html": _pdf(),
        "empty.txt": b"",
        "blank.html": b"  \n\t\n",
        "nul-heavy.txt": b"\x00" * 500 + ENGLISH.encode(),
        "one-nul.txt": f"A title\n\n{ENGLISH}\x00 And more.\n".encode(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    code, failures = _ingest(runner, folder, tmp_path / "ix")
    assert code == 3
    assert failures == {
        "png.txt": "not an article: PNG image",
        "png.html": "not an article: PNG image",
        "pdf.txt": "not an article: PDF document",
        "pdf.html": "not an article: PDF document",
        "empty.txt": "empty file",
        "blank.html": "empty file",
        "nul-heavy.txt": "not an article: binary data (NUL bytes)",
    }
    bodies = _articles(tmp_path / "ix")
    assert set(bodies) == set(files) - set(failures)
    for name in ("cp1251.txt", "koi8r.txt", "cp1251.html", "koi8r.html", "utf16.html"):
        assert "Депутаты обсудили ремонт моста" in bodies[name], (name, bodies[name][:80])
    assert bodies["utf16.txt"].startswith("The council met on Tuesday")
    assert bodies["invalid-utf8.txt"].startswith("The council met on Tuesday")
    assert "\x00" not in bodies["one-nul.txt"]


def test_ingest_file_vanishing_or_changing_mid_run(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for number in range(6):
        (folder / f"a{number}.txt").write_text(f"Story {number}\n\n{ENGLISH} {number}\n")
    doomed = {"a2.txt": "vanish", "a4.txt": "directory"}

    def progress(done: int, total: int, current: str) -> None:
        if done == 0 and not (folder / "a4.txt").is_dir():  # found, not read yet
            (folder / "a2.txt").unlink()
            (folder / "a4.txt").unlink()
            (folder / "a4.txt").mkdir()

    corpus = Corpus.open(tmp_path / "ix", create=True)
    report = corpus.ingest([str(folder)], progress=progress)
    reasons = {Path(failure.source).name: failure.reason for failure in report.failed}
    assert reasons == {"a2.txt": "no such file or directory", "a4.txt": "is a directory"}
    assert report.added == 4
    assert set(doomed) <= {f"a{n}.txt" for n in range(6)}


@pytest.mark.skipif(os.getuid() == 0, reason="root reads files whatever their mode")
def test_ingest_unreadable_file(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(f"Good\n\n{ENGLISH}\n")
    secret = folder / "secret.txt"
    secret.write_text(f"Secret\n\n{ENGLISH}\n")
    secret.chmod(0)
    code, failures = _ingest(CliRunner(), folder, tmp_path / "ix")
    assert (code, failures) == (3, {"secret.txt": "permission denied"})


def test_ingest_symlink_loop_and_fifo(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(f"Good\n\n{ENGLISH}\n")
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder)  # a folder loop: not followed
    os.mkfifo(folder / "pipe.txt")
    code, failures = _ingest(runner, folder, tmp_path / "ix")
    assert code == 3
    assert failures == {
        "loop-a.txt": "too many levels of symbolic links",
        "loop-b.txt": "too many levels of symbolic links",
        "pipe.txt": "not a regular file",
    }
    assert list(_articles(tmp_path / "ix")) == ["good.txt"]


@pytest.mark.parametrize("raw", ["31/02/2024", "99999", "9" * 5000, "0000-00-00", "-1"])
def test_ingest_absurd_dates_become_undated(runner: CliRunner, tmp_path: Path, raw: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "story.txt").write_text(f"{raw}\n\nA story\n\n{ENGLISH}\n")
    (folder / "side.txt").write_text(f"Sidecar story\n\n{ENGLISH} Again.\n")
    (folder / "side.txt.json").write_text(json.dumps({"date": raw}))
    (folder / "page.html").write_text(
        f'<html><head><meta property="article:published_time" content="{raw}">'
        f"<title>Page</title></head><body><article><p>{ENGLISH}</p><p>{ENGLISH}</p>"
        "</article></body></html>"
    )
    result = run(runner, "ingest", str(folder), index=tmp_path / "ix")
    assert result.exit_code == 0, result.output
    corpus = Corpus.open(tmp_path / "ix")
    for name in ("story.txt", "side.txt"):
        article = corpus.get(article_id(file_key(folder / name)))
        assert article.date is None, (name, article.date)
    # page.html: lands; its date is trafilatura's (htmldate) guess, e.g. 2024-02-01 for
    # "31/02/2024", which is the dates module's business, not a crash.
    assert corpus.get(article_id(file_key(folder / "page.html"))).body.startswith("The council")


@pytest.mark.slow
def test_ingest_deeply_nested_page_uses_fallback(runner: CliRunner, tmp_path: Path) -> None:
    """trafilatura returns nothing for 100,000 nested <div>s; the fallback keeps the text."""
    folder = tmp_path / "in"
    folder.mkdir()
    depth = 100_000
    paragraphs = "".join(f"<p>Paragraph {n}. {ENGLISH}</p>" for n in range(10))
    (folder / "nested.html").write_text(
        "<html><head><title>Deep</title><script>var x = 'no';</script></head><body>"
        + "<div>" * depth
        + paragraphs
        + "</div>" * depth
        + "</body></html>"
    )
    code, failures = _ingest(runner, folder, tmp_path / "ix")
    assert (code, failures) == (0, {})
    body = _articles(tmp_path / "ix")["nested.html"]
    assert body.count("The council met on Tuesday") == 10
    assert "var x" not in body


def test_ingest_small_page_without_article_is_not_rescued(
    runner: CliRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "menu.html").write_text("<html><body><img src='a.png'><br></body></html>")
    (folder / "good.txt").write_text(f"Good\n\n{ENGLISH}\n")
    code, failures = _ingest(runner, folder, tmp_path / "ix")
    assert (code, failures) == (3, {"menu.html": "no article text found in the HTML"})
