"""Kill `newscli ingest` with SIGKILL at random moments and check the index after each kill.

Usage (from the repository, with the venv):

    .venv/bin/python bench/killtest.py                      # 2,000 articles, 50 kills
    .venv/bin/python bench/killtest.py --articles 300 --kills 5 --seed 1

It writes a corpus of real articles (half plain text, half HTML pages with navigation and
related-article blocks) from ``../shared/bench/news-20k.jsonl.gz`` (``NEWSCLI_SHARED`` overrides
the shared folder; without it the articles are synthesised), ingests it once without
interruption as the reference, then repeatedly starts ``newscli -v ingest CORPUS`` on a second
index and kills it: a third of the kills at a random time, a third while a commit is under way
(detected from the segment files a commit writes), a third shortly after a run started
(extraction of the first files). After every kill it checks that the index opens, ``search``
and ``stats`` exit 0, the document count never went down and covers every document the run had
logged as committed, every indexed article equals the reference, and no id is indexed twice.
At the end one more ``ingest`` runs to completion: the index must equal the reference and hold
no stale files. Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSCLI_SHARED", REPO.parent / "shared"))
NEWS = SHARED / "bench" / "news-20k.jsonl.gz"
COMMITTED = re.compile(r"committed (\d+) documents")
SEGMENT_PART = re.compile(r"^MAIN_[0-9a-z]+\.(?!seg$)\w+$")
BATCH_SIZE = "100"
TOC_TEMP = re.compile(r"^_MAIN_\d+\.toc\..+$")

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}">{date_meta}</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<main><article><h1>{title}</h1>
{paragraphs}
</article>
<aside><h2>Related articles</h2><ul><li><a href="/a">Markets close higher</a></li>
<li><a href="/b">Weather warning issued</a></li></ul></aside></main>
<footer><p>Copyright 2024 Example News. All rights reserved.</p></footer>
</body></html>
"""


def load_articles(count: int) -> list[dict[str, Any]]:
    """Return ``count`` real articles (Reuters and BBC interleaved), or synthetic ones."""
    if not NEWS.is_file():
        words = "storm border rocket council harvest election river market winter".split()
        return [
            {
                "title": f"Synthetic report {n}",
                "date": None,
                "paragraphs": [
                    " ".join(words[(n * 7 + k) % len(words)] for k in range(60)) + f" {n}."
                    for _ in range(3)
                ],
            }
            for n in range(count)
        ]
    reuters: list[dict[str, Any]] = []
    bbc: list[dict[str, Any]] = []
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            if len(" ".join(article["paragraphs"])) < 300:
                continue
            (bbc if article["source"] == "bbc" else reuters).append(article)
            if len(bbc) >= count // 2 and len(reuters) >= count:
                break
    mixed = [item for pair in zip(bbc, reuters, strict=False) for item in pair]
    return (mixed + reuters[len(bbc) :])[:count]


def write_corpus(folder: Path, articles: list[dict[str, Any]], html_share: float = 0.5) -> None:
    """Write articles as .txt files, and a share ``html_share`` of them as .html pages."""
    folder.mkdir(parents=True)
    every = max(1, round(1 / html_share)) if html_share > 0 else len(articles) + 1
    for number, article in enumerate(articles):
        title = " ".join(str(article["title"]).split())
        if number % every != every - 1:
            text = "\n\n".join([title, *article["paragraphs"]]) + "\n"
            (folder / f"{number:05d}.txt").write_text(text, encoding="utf-8")
        else:
            date = article.get("date")
            date_meta = (
                f'\n<meta property="article:published_time" content="{date}">' if date else ""
            )
            paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in article["paragraphs"])
            page = PAGE.format(title=html.escape(title), date_meta=date_meta, paragraphs=paragraphs)
            (folder / f"{number:05d}.html").write_text(page, encoding="utf-8")


def newscli(index: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "newscli", "--index", str(index), *args]


def indexed_bodies(index: Path) -> dict[str, tuple[int, str]]:
    """Return id -> (copies, body) for every live document, reading the index directly."""
    from newscli.store import Store

    store = Store.open(index)
    found: dict[str, tuple[int, str]] = {}
    with store.searcher() as searcher:
        for fields in searcher.all_stored_fields():
            copies, _ = found.get(fields["id"], (0, ""))
            found[fields["id"]] = (copies + 1, fields["body"])
    return found


def stale_files(index: Path) -> list[str]:
    """Names a killed writer may leave: temporary TOCs, segment parts, Whoosh's temp folder."""
    if not index.is_dir():
        return []
    names = sorted(entry.name for entry in index.iterdir())
    stale = [n for n in names if TOC_TEMP.match(n) or SEGMENT_PART.match(n) or n == "MAIN.tmp"]
    tocs = [n for n in names if re.match(r"^_MAIN_\d+\.toc$", n)]
    return stale + (tocs[:-1] if len(tocs) > 1 else [])


def listdir(folder: Path) -> list[str]:
    """Return the names in ``folder``; none if it does not exist (yet)."""
    try:
        return [entry.name for entry in folder.iterdir()]
    except FileNotFoundError:
        return []


def committing(index: Path, names: list[str]) -> bool:
    """Whether a commit is writing: segment parts (empty while documents are added) filled."""
    for name in names:
        if TOC_TEMP.match(name):
            return True
        if SEGMENT_PART.match(name):
            try:
                if (index / name).stat().st_size > 0:
                    return True
            except FileNotFoundError:
                return True  # assembled into the compound file just now
    return False


def wait_for_commit(index: Path, process: subprocess.Popen[bytes], limit: float) -> bool:
    """Poll the index folder until a commit is writing segment files; False on timeout."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        names = listdir(index)
        if committing(index, names):
            return True
        time.sleep(0.002)
    return False


def has_toc(index: Path) -> bool:
    """Return whether an index exists (a killed first run may have died before creating it)."""
    return any(re.match(r"^_MAIN_\d+\.toc$", n) for n in listdir(index))


def classify(index: Path) -> str:
    """Say where the kill landed, from what the killed writer left on disk."""
    names = listdir(index)
    if committing(index, names):
        return "inside commit (segment files being written)"
    if "MAIN.tmp" in names:
        return "while extracting and adding documents (batch pending)"
    return "between batches (startup, skipping unchanged files, extraction)"


class Failed(Exception):
    """A check failed."""


def check(index: Path, reference: dict[str, str], floor: int) -> int:
    """Run the post-kill checks; return the document count."""
    stats = subprocess.run(newscli(index, "stats", "--json"), capture_output=True, check=False)
    if stats.returncode != 0:
        raise Failed(f"stats exited {stats.returncode}: {stats.stderr.decode()[-300:]}")
    documents = int(json.loads(stats.stdout)["documents"])
    search = subprocess.run(
        newscli(index, "search", "market", "--json"), capture_output=True, check=False
    )
    if search.returncode != 0:
        raise Failed(f"search exited {search.returncode}: {search.stderr.decode()[-300:]}")
    found = indexed_bodies(index)
    twice = [key for key, (copies, _) in found.items() if copies > 1]
    if twice:
        raise Failed(f"indexed more than once: {twice[:5]}")
    wrong = [key for key, (_, body) in found.items() if reference.get(key) != body]
    if wrong:
        raise Failed(f"documents differ from the reference: {wrong[:5]}")
    if documents < floor:
        raise Failed(f"{documents} documents, but at least {floor} were committed")
    return documents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20240305)
    parser.add_argument("--html-share", type=float, default=0.5, help="share of HTML pages")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and indexes here")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    work = options.workdir or Path(tempfile.mkdtemp(prefix="newscli-killtest-"))
    corpus, reference_index, index = work / "corpus", work / "reference", work / "index"
    for path in (corpus, reference_index, index):
        shutil.rmtree(path, ignore_errors=True)
    write_corpus(corpus, load_articles(options.articles), options.html_share)
    print(
        f"corpus: {options.articles} articles in {corpus} (source: "
        f"{NEWS if NEWS.is_file() else 'synthetic'})"
    )

    started = time.monotonic()
    first = subprocess.run(
        newscli(reference_index, "ingest", "-q", str(corpus)), capture_output=True, check=False
    )
    if first.returncode not in (0, 3):
        raise SystemExit(f"reference ingest failed: {first.stderr.decode()}")
    print(first.stderr.decode().strip())
    full_run = time.monotonic() - started
    reference = {key: body for key, (_, body) in indexed_bodies(reference_index).items()}
    print(f"reference: {len(reference)} articles indexed in {full_run:.1f} s without kills")

    kinds: Counter[str] = Counter()
    documents = stale_seen = 0
    failures = 0
    log = work / "ingest.log"
    for kill in range(1, options.kills + 1):
        mode = ("random", "commit", "early")[kill % 3]
        with log.open("wb") as err:
            process = subprocess.Popen(
                newscli(index, "-v", "ingest", "--batch-size", BATCH_SIZE, str(corpus)),
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
            if mode == "commit":
                time.sleep(rng.choice([0.0, rng.uniform(0.0, 15.0)]))  # not always the first
                if not wait_for_commit(index, process, full_run * 2):
                    time.sleep(rng.uniform(0, 0.2))
                time.sleep(rng.uniform(0, 0.05))
            elif mode == "early":
                time.sleep(rng.uniform(0.8, 3.0))
            else:
                time.sleep(rng.uniform(0.2, min(full_run, 20.0)))
            finished = process.poll() is not None
            process.send_signal(signal.SIGKILL)
            process.wait()
        where = "after it finished" if finished else classify(index)
        kinds[where] += 1
        leftovers = stale_files(index)
        stale_seen += len(leftovers)
        committed = sum(int(m) for m in COMMITTED.findall(log.read_text(errors="replace")))
        try:
            floor = documents + committed
            documents = check(index, reference, floor) if has_toc(index) or floor else 0
            status = "ok"
        except Failed as exc:
            failures += 1
            status = f"FAILED: {exc}"
        print(
            f"kill {kill:3d} ({mode:6s}) {where}: {documents:5d} indexed, "
            f"{committed:4d} committed by this run, {len(leftovers)} stale files left: {status}"
        )
        if documents >= len(reference):
            shutil.rmtree(index)  # complete: start over so the next kills land in real work
            documents = 0

    final = subprocess.run(newscli(index, "ingest", str(corpus)), capture_output=True, check=False)
    again = subprocess.run(newscli(index, "ingest", str(corpus)), capture_output=True, check=False)
    found = indexed_bodies(index)
    problems = []
    if final.returncode != first.returncode:
        problems.append(f"final ingest exited {final.returncode}, not {first.returncode}")
    if {key: body for key, (_, body) in found.items()} != reference:
        problems.append("final index differs from the reference")
    if any(copies > 1 for copies, _ in found.values()):
        problems.append("some article indexed more than once")
    if stale_files(index):
        problems.append(f"stale files remain: {stale_files(index)}")
    if b" 0 added, 0 updated" not in again.stderr:
        problems.append(f"a second complete run still changed things: {again.stderr!r}")
    print()
    print(f"kills survived: {options.kills - failures} of {options.kills}")
    for where, count in kinds.most_common():
        print(f"  {count:3d} {where}")
    print(f"stale files left by kills: {stale_seen} (removed by the next run holding the lock)")
    print(f"final ingest: {final.stderr.decode().strip()}")
    print(f"rerun: {again.stderr.decode().strip()}")
    print(
        f"documents: {len(found)} indexed, {len(reference)} in the reference, "
        f"lost: {len(set(reference) - set(found))}"
    )
    for problem in problems:
        print(f"FAILED: {problem}")
    if not options.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
