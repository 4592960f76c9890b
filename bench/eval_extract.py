"""Score newscli's cleaning on the development set (``../shared/devset``), text and HTML apart.

Runs the very code ``newscli ingest`` uses (``Corpus.extract`` -> ``pipeline.build_article``)
over every case and scores the output with the devset README's rule: snippets of ``with`` found
in the output are true positives, missing ones false negatives; snippets of ``without`` found
are false positives. Prints precision, recall, F1, empty outputs and documents per second for
each input kind, then the cases with the most misses first.

    python bench/eval_extract.py [--devset DIR] [--kind txt|html] [--sample N] [--worst N]

The set is read from ``$NEWSCLI_DEVSET`` or ``../shared/devset`` beside the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newscli.api import Corpus
from newscli.models import Article

DEFAULT_DEVSET = Path(__file__).resolve().parents[1].parent / "shared" / "devset"
KINDS = {"txt": ("txt", ".txt"), "html": ("html", ".html.gz")}
_WHITESPACE = re.compile(r"\s+")


@dataclass(slots=True)
class CaseScore:
    """The snippet counts of one case."""

    case: str
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    empty: bool = False
    missed: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Score:
    """Micro-averaged snippet counts over many cases."""

    kind: str
    cases: list[CaseScore] = field(default_factory=list)
    seconds: float = 0.0

    def _sum(self, name: str) -> int:
        return sum(int(getattr(case, name)) for case in self.cases)

    @property
    def precision(self) -> float:
        tp, fp = self._sum("tp"), self._sum("fp")
        return tp / (tp + fp) if tp + fp else 0.0

    @property
    def recall(self) -> float:
        tp, fn = self._sum("tp"), self._sum("fn")
        return tp / (tp + fn) if tp + fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def empty(self) -> int:
        return self._sum("empty")

    @property
    def docs_per_second(self) -> float:
        return len(self.cases) / self.seconds if self.seconds else 0.0


def collapse(text: str) -> str:
    """Collapse every run of white space to one space, as the scoring rule says."""
    return _WHITESPACE.sub(" ", text).strip()


def output_text(article: Article) -> str:
    """The text ``extract`` prints for an article and the scorer looks in: title and body."""
    return "\n\n".join(part for part in (article.title, article.body) if part)


def score_case(case: str, expected: dict[str, list[str]], output: str | None) -> CaseScore:
    """Score one case's output (None or empty: nothing extracted)."""
    text = collapse(output or "")
    result = CaseScore(case, empty=not text)
    for snippet in expected.get("with", []):
        if collapse(snippet) in text:
            result.tp += 1
        else:
            result.fn += 1
            result.missed.append(snippet)
    for snippet in expected.get("without", []):
        if collapse(snippet) in text:
            result.fp += 1
            result.leaked.append(snippet)
        else:
            result.tn += 1
    return result


def load_cases(devset: Path) -> dict[str, dict[str, list[str]]]:
    """Read ``cases.json``; exit with a clear message when the set is missing."""
    cases_file = devset / "cases.json"
    if not cases_file.is_file():
        raise SystemExit(
            f"eval-extract: no development set at {devset} (expected {cases_file}); "
            "put it at ../shared/devset beside the repository or set NEWSCLI_DEVSET"
        )
    loaded: dict[str, dict[str, list[str]]] = json.loads(cases_file.read_text(encoding="utf-8"))
    return loaded


def evaluate(devset: Path, kind: str, case_ids: Sequence[str]) -> Score:
    """Run ``Corpus.extract`` over the cases' files of one kind and score the outputs.

    Every file is judged on its own (no template learnt across the set's folder): the cases
    come from hundreds of different sites, as unseen pages would.
    """
    cases = load_cases(devset)
    folder, suffix = KINDS[kind]
    paths = {str(devset / folder / f"{case}{suffix}"): case for case in case_ids}
    outputs: dict[str, str | None] = {}
    started = time.perf_counter()
    for item in Corpus.extract(list(paths), learn_templates=False):
        path = item.path if isinstance(item, Article) else item.source
        outputs[paths[str(path)]] = output_text(item) if isinstance(item, Article) else None
    score = Score(kind, seconds=time.perf_counter() - started)
    score.cases = [score_case(case, cases[case], outputs.get(case)) for case in case_ids]
    return score


def select_cases(devset: Path, sample: int | None, seed: int = 20240305) -> list[str]:
    """All case ids in order, or a fixed pseudo-random sample of them."""
    ids = sorted(load_cases(devset))
    if sample is not None and sample < len(ids):
        ids = sorted(random.Random(seed).sample(ids, sample))
    return ids


def report(score: Score, *, worst: int) -> None:
    """Print the figures of one kind and its worst cases."""
    tp, fn, fp = score._sum("tp"), score._sum("fn"), score._sum("fp")
    print(
        f"{score.kind:<4} cases={len(score.cases)} precision={score.precision:.3f} "
        f"recall={score.recall:.3f} f1={score.f1:.3f} empty={score.empty} "
        f"tp={tp} fn={fn} fp={fp} docs/s={score.docs_per_second:.1f}"
    )
    ranked = sorted(score.cases, key=lambda c: (-(c.fn + c.fp), c.case))
    for case in ranked[:worst]:
        if not case.fn and not case.fp:
            break
        missed = "; ".join(repr(s[:50]) for s in case.missed)
        leaked = "; ".join(repr(s[:50]) for s in case.leaked)
        empty = " EMPTY" if case.empty else ""
        print(f"  {case.case}{empty} fn={case.fn} fp={case.fp}  missed: {missed}  kept: {leaked}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, default=None)
    parser.add_argument("--kind", choices=sorted(KINDS), action="append")
    parser.add_argument("--sample", type=int, default=None, help="score a fixed sample of N")
    parser.add_argument("--worst", type=int, default=25, help="list this many worst cases")
    args = parser.parse_args(argv)
    devset = args.devset or Path(os.environ.get("NEWSCLI_DEVSET") or DEFAULT_DEVSET)
    print(f"development set: {devset}")
    case_ids = select_cases(devset, args.sample)
    for kind in args.kind or ["txt", "html"]:
        report(evaluate(devset, kind, case_ids), worst=args.worst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
