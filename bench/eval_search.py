"""Evaluate multilingual search on the judged fixture queries: recall@10 and precision@10.

Builds an index from the fixture corpus in ``tests/multilingual.py`` (English, Russian, Uzbek
Latin and Cyrillic, Tajik; two articles carry a wrong language label) and runs every judged
query three ways: exact fields only (newscli before folding), with folding, and with folding
and the starter alias list (the default). Prints one line per configuration, and with
``--per-query`` the misses and false hits of each query.

recall@10: relevant articles in the top 10 / relevant articles, averaged over queries.
precision@10: relevant articles in the top 10 / articles returned in the top 10, averaged over
the queries that returned anything (how many returned nothing is printed beside it).

Usage: python bench/eval_search.py [--per-query]      (or: make eval-search)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from newscli import Corpus  # noqa: E402 - after the path set-up above
from newscli.ids import article_id, file_key  # noqa: E402
from tests.multilingual import QUERIES, write_corpus  # noqa: E402

CONFIGS = (
    ("exact only", {"folding": False, "aliases": False}),
    ("+ folding", {"folding": True, "aliases": False}),
    ("+ folding + aliases", {"folding": True, "aliases": True}),
)
K = 10


def evaluate(corpus: Corpus, names: dict[str, str], *, per_query: bool) -> dict[str, float]:
    """Run every configuration; print and return its figures."""
    results: dict[str, float] = {}
    for label, options in CONFIGS:
        recalls: list[float] = []
        precisions: list[float] = []
        empty = 0
        for judged in QUERIES:
            page = corpus.search(judged.query, limit=K, **options)
            found = [names.get(hit.id, hit.id) for hit in page.hits]
            relevant = set(judged.relevant)
            good = relevant.intersection(found)
            recalls.append(len(good) / len(relevant))
            if found:
                precisions.append(len(good) / len(found))
            else:
                empty += 1
            if per_query and (good != relevant or len(good) != len(found)):
                missed = sorted(relevant - set(found))
                wrong = sorted(set(found) - relevant)
                print(f"  [{label}] {judged.query!r}: missed {missed} wrong {wrong}")
        recall = sum(recalls) / len(recalls)
        precision = sum(precisions) / len(precisions) if precisions else 0.0
        results[label] = recall
        print(
            f"{label:<22} recall@{K} {recall:.3f}   precision@{K} {precision:.3f}   "
            f"({len(QUERIES)} queries, {empty} with no hits)"
        )
    return results


def main() -> int:
    """Build the fixture index in a temporary folder and evaluate it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-query", action="store_true", help="show misses per query")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_corpus(Path(tmp) / "corpus")
        names = {article_id(file_key(path)): name for name, path in paths.items()}
        corpus = Corpus.open(Path(tmp) / "index", create=True)
        report = corpus.ingest([str(Path(tmp) / "corpus")])
        print(f"fixture corpus: {report.summary()}")
        evaluate(corpus, names, per_query=args.per_query)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
