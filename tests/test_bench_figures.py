"""The benchmark's machine-use figures: what they count, and that they add up to the HTML ratio."""

from __future__ import annotations

import os
import sys
import time

import pytest

from bench.bench import Figures, RunResult, machine_busy_seconds, put_machine_use


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/stat")
def test_machine_busy_seconds_counts_this_process_cpu_time() -> None:
    before = machine_busy_seconds()
    spent = time.process_time()
    while time.process_time() - spent < 0.3:  # keep one CPU busy for 0.3 s
        pass
    after = machine_busy_seconds()
    assert before is not None and after is not None
    assert after - before >= 0.2  # clock ticks of 10 ms; other processes only add to it


def test_machine_use_splits_the_html_ratio() -> None:
    pages, seconds, busy, single_rate = 300, 10.0, 15.0, 20.0
    figures = Figures(size=600)
    put_machine_use(figures, RunResult(seconds, 100.0, "", 0, busy), pages, single_rate)
    values = figures.values
    assert values["html_cpu_ms_per_page"] == pytest.approx(50.0)
    assert values["html_cpu_vs_trafilatura"] == pytest.approx(1.0)  # 50 ms against 1/20 s
    cpus = os.cpu_count() or 1
    assert values["html_cpus_busy"] == pytest.approx(busy / (cpus * seconds))
    ratio = pages / seconds / single_rate  # html_vs_trafilatura: 30 pages/s against 20
    assert ratio == pytest.approx(
        cpus * values["html_cpus_busy"] / values["html_cpu_vs_trafilatura"]
    )


def test_machine_use_is_left_out_without_proc_stat() -> None:
    figures = Figures(size=600)
    put_machine_use(figures, RunResult(10.0, 100.0, "", 0, None), 300, 20.0)
    assert figures.values == {}
