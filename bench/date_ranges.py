"""Term + publication-date-range search latency: this newscli against another query.py.

    git show main:newscli/query.py > /tmp/query_before.py
    .venv/bin/python bench/date_ranges.py --before /tmp/query_before.py INDEX [INDEX ...]

Opens each index read-only with Whoosh (any schema version) and times ``search`` (top 10 with
snippets, in-process, warm) of each query with both modules, interleaved round by round, and
checks that both return the same hits. Prints medians and the ratio before ÷ after.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from newscli import query as after

CASES: list[tuple[str, dict[str, Any]]] = [
    ("oil", {}),
    ("oil date:[1987-03-01 to 1987-03-31]", {}),
    ("bank date:[1987-04-01 to 1987-04-30]", {}),
    ("trade date:[1987-03-15 to 1987-04-15]", {}),
    ("prices date:1987-03", {}),
    ("oil", {"since": date(1987, 3, 1), "until": date(1987, 3, 31)}),
    ("bank", {"since": date(1987, 4, 1)}),
    ('"oil prices"', {"since": date(1987, 3, 1), "until": date(1987, 4, 30)}),
    ("oil", {"since": date(1987, 3, 1), "until": date(1987, 3, 31), "sort": "date"}),
]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("query_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="query.py to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("indexes", nargs="+", type=Path)
    args = parser.parse_args(argv)
    from whoosh import index

    before = _load(args.before)
    for folder in args.indexes:
        ix = index.open_dir(str(folder))
        with ix.searcher() as searcher:
            print(f"== {folder}: {searcher.doc_count():,} articles", flush=True)
            print(f"{'query':58} {'before ms':>10} {'after ms':>9} {'ratio':>6} hits")
            for text, options in CASES:
                times: dict[str, list[float]] = {"before": [], "after": []}
                pages: dict[str, Any] = {}
                for _ in range(args.rounds):
                    for name, module in (("before", before), ("after", after)):
                        started = time.perf_counter()
                        pages[name] = module.search(searcher, text, **options)
                        ms = (time.perf_counter() - started) * 1000
                        times[name].append(ms)
                ids = {name: [hit.id for hit in page.hits] for name, page in pages.items()}
                # A search for every hit skips no postings block: its first 10 are the exact top.
                exact = [h.id for h in after.search(searcher, text, limit=10**6, **options).hits]
                verdict = "same" if ids["before"] == ids["after"] else "DIFFERENT"
                if ids["after"] == exact[:10]:
                    verdict += ", after = exact top 10"
                old, new = (statistics.median(times[n]) for n in ("before", "after"))
                label = text + "".join(f" --{k} {v}" for k, v in options.items())
                print(
                    f"{label:58} {old:10.1f} {new:9.1f} {old / new:6.2f} "
                    f"{verdict} (total {pages['after'].total:,})",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
