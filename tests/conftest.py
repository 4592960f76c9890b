"""Shared fixtures: isolated environment, a CLI runner, real indexes built from real files."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from newscli.cli import cli
from tests.httpserver import TestSite

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SAMPLE_IDS = {
    "000": "000_599497af99412e51.txt",
    "001": "001_6171931e03c5a604.txt",
    "002": "002_4176fb2b23319c2e.txt",
    "003": "003_6784940f6f26a376.txt",
    "004": "004_3d498f64124ff52d.txt",
}


@pytest.fixture(autouse=True, scope="session")
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One cache folder for the session (it holds the language model's copy, made once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point every index location newscli might use into the test's temporary folder."""
    monkeypatch.setenv("NEWSCLI_INDEX", str(tmp_path / "default-index"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("NEWSCLI_ALLOW_PRIVATE_HOSTS", raising=False)
    monkeypatch.delenv("NEWSCLI_FETCH_TIMEOUT", raising=False)
    monkeypatch.delenv("NEWSCLI_HOST_DELAY", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    """A Click runner that keeps stdout and stderr apart."""
    return CliRunner()


def run(runner: CliRunner, *args: str, index: Path | None = None) -> Result:
    """Invoke ``newscli [--index INDEX] ARGS`` in-process."""
    prefix = ["--index", str(index)] if index is not None else []
    return runner.invoke(cli, [*prefix, *args])


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the five sample articles."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An index built once per module from ``corpus/``, for read-only tests."""
    index = tmp_path_factory.mktemp("sample") / "index"
    result = CliRunner().invoke(cli, ["--index", str(index), "ingest", str(CORPUS)])
    assert result.exit_code == 0, result.output
    yield index


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestSite]:
    """A real HTTP server on 127.0.0.1 (port 0), and the settings that let newscli reach it.

    ``NEWSCLI_ALLOW_PRIVATE_HOSTS=1`` lifts the loopback protection for this test only; the
    per-host delay is off and the per-URL deadline short, so failures cost little time.
    """
    monkeypatch.setenv("NEWSCLI_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("NEWSCLI_HOST_DELAY", "0")
    monkeypatch.setenv("NEWSCLI_FETCH_TIMEOUT", "1.5")
    server = TestSite().start()
    yield server
    server.stop()


def python_ok(code: str, *args: str) -> str:
    """Run ``python -c code args`` in a new interpreter; it must succeed. Return its stdout."""
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout
