"""Measure ingest speed and index size on real English news (the cost of the folded field).

Writes the first N articles of ``../shared/bench/news-20k.jsonl.gz`` as text files (title,
blank line, paragraphs) into a folder, ingests them into a fresh index and prints docs/s and
the index size (the machine is shared, so docs per CPU-second is the steadier figure). Run it
once on this tree and once with an older ``newscli`` first on PYTHONPATH to compare:

    python bench/index_cost.py -n 5000
    git archive a9cfd23 newscli | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before python bench/index_cost.py -n 5000

``NEWSCLI_SHARED`` overrides where the shared folder is.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import newscli
from newscli import Corpus
from newscli.store import SCHEMA_VERSION

SHARED = Path(
    os.environ.get("NEWSCLI_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)


def write_articles(folder: Path, count: int) -> int:
    """Write ``count`` benchmark articles as text files; return how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    with gzip.open(SHARED / "bench" / "news-20k.jsonl.gz", "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if written >= count:
                break
            record = json.loads(line)
            text = f"{record['title']}\n\n" + "\n\n".join(record["paragraphs"]) + "\n"
            (folder / f"{number:05d}.txt").write_text(text, encoding="utf-8")
            written += 1
    return written


def main() -> int:
    """Ingest N benchmark articles into a fresh index and print speed and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="articles to ingest (default 5000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus_dir = Path(tmp) / "corpus"
        count = write_articles(corpus_dir, args.n)
        index = Path(tmp) / "index"
        corpus = Corpus.open(index, create=True)
        started = time.perf_counter()
        cpu_started = time.process_time()
        report = corpus.ingest([str(corpus_dir)])
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        size = sum(entry.stat().st_size for entry in index.iterdir() if entry.is_file())
        print(
            f"newscli {Path(newscli.__file__).parent} schema {SCHEMA_VERSION}: "
            f"{count} articles ({report.added} indexed) in {elapsed:.1f} s = "
            f"{report.added / elapsed:.0f} docs/s wall, {report.added / cpu:.0f} docs/s of CPU "
            f"time; index {size / 1e6:.2f} MB"
        )
        shutil.rmtree(index)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
