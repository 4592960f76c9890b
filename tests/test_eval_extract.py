"""The cleaning evaluation on a fixed sample of the development set (``../shared/devset``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import eval_extract

DEVSET = Path(os.environ.get("NEWSCLI_DEVSET") or eval_extract.DEFAULT_DEVSET)
SAMPLE = 50
# A little under what the current rules reach on this sample (txt 0.852, html 0.908; see the
# README, "Cleaning quality").
FLOORS = {"txt": 0.83, "html": 0.88}
# Text recall on the same sample is 0.934 (0.953 on the whole set).
RECALL_FLOORS = {"txt": 0.92}

needs_devset = pytest.mark.skipif(
    not (DEVSET / "cases.json").is_file(),
    reason=f"no development set at {DEVSET} (set NEWSCLI_DEVSET to run this test)",
)


@needs_devset
@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_eval_extract_sample_stays_above_floor(kind: str) -> None:
    cases = eval_extract.select_cases(DEVSET, SAMPLE)
    assert len(cases) == SAMPLE
    score = eval_extract.evaluate(DEVSET, kind, cases)
    assert score.f1 >= FLOORS[kind], f"{kind}: F1 {score.f1:.3f} < {FLOORS[kind]}"
    recall_floor = RECALL_FLOORS.get(kind, 0.0)
    assert score.recall >= recall_floor, f"{kind}: recall {score.recall:.3f} < {recall_floor}"
    assert score.empty <= 2


def test_eval_extract_says_when_the_set_is_missing(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no development set at"):
        eval_extract.main(["--devset", str(tmp_path / "nowhere")])


def test_eval_extract_scoring_rule() -> None:
    expected = {"with": ["kept  text", "lost"], "without": ["menu", "gone"]}
    score = eval_extract.score_case("0001", expected, "Some kept\ntext and a menu")
    assert (score.tp, score.fn, score.fp, score.tn, score.empty) == (1, 1, 1, 1, False)
    assert eval_extract.score_case("0002", expected, None).empty
