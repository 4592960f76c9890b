"""Fast start: read-only commands import no extraction, date-parsing or terminal libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newscli.ids import article_id, file_key
from tests.conftest import CORPUS, SAMPLE_IDS, python_ok

HEAVY = (
    "trafilatura",
    "dateutil",
    "py3langid",
    "rich",
    "asyncio",
    "urllib.request",
    "lxml",
    # Smaller, but each costs a cold search a few milliseconds.
    "hashlib",
    "tempfile",
    "ctypes",
    "html",
    "importlib.resources",
    "logging",  # with traceback, string and threading: 3-4 % of a cold search
    "whoosh.qparser.dateparse",  # needed for date: and mentions: terms only
    "whoosh.lang.dmetaphone",
    "uuid",  # with platform: Click's UUID parameter type only
    "platform",
)
PROBE = """
import json, sys
from newscli.cli import cli
try:
    cli(sys.argv[1:], prog_name="newscli")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m in HEAVY
    or m.split(".")[0] in HEAVY)}), file=sys.stderr)
"""


def _loaded(*args: str) -> tuple[int, list[str]]:
    """Run newscli ARGS in a fresh interpreter; return its exit code and heavy modules loaded."""
    result = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return int(report["code"] or 0), list(report["loaded"])


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("search", "Termez", "--format", "plain"),
        ("search", "rocket", "--since", "2024", "--format", "json"),
        ("show", "SAMPLE", "--format", "plain"),
        ("stats", "--format", "json"),
    ],
)
def test_search_show_stats_help_import_nothing_heavy(
    sample_index: Path, args: tuple[str, ...]
) -> None:
    sample = article_id(file_key(CORPUS / SAMPLE_IDS["000"]))
    argv = [arg.replace("SAMPLE", sample) for arg in args]
    code, loaded = _loaded("--index", str(sample_index), *argv)
    assert code == 0
    assert loaded == []


def test_search_whoosh_stand_ins_are_gone_after_import() -> None:
    code = (
        "import sys, newscli.store\n"
        "assert 'urllib.request' not in sys.modules and 'asyncio' not in sys.modules\n"
        "for name in ('hashlib', 'tempfile', 'shutil', 'html', 'random', 'queue'):\n"
        "    assert name not in sys.modules, name\n"
        "import urllib.request, asyncio\n"
        "assert callable(urllib.request.urlopen) and callable(asyncio.run)\n"
        "from whoosh.query.terms import variations\n"
        "assert 'rockets' in variations('rocket')\n"
        "from whoosh.analysis import morph\n"
        "assert morph.double_metaphone('Smith') == ('SM0', 'XMT')\n"
        "import io, hashlib, html, tempfile, shutil\n"
        "from whoosh.filedb import compound, filestore, filetables\n"
        "from whoosh import compat\n"
        "assert filetables.md5(b'oil').digest() == hashlib.md5(b'oil').digest()\n"
        "assert compat.htmlescape('<b>') == html.escape('<b>') == '&lt;b&gt;'\n"
        "assert filestore.tempfile.gettempdir() == tempfile.gettempdir()\n"
        "copied = io.BytesIO()\n"
        "compound.copyfileobj(io.BytesIO(b'abc'), copied)\n"
        "assert copied.getvalue() == b'abc'\n"
        "from whoosh import classify, util\n"
        "assert len(util.random_name()) == 28 and 0 <= classify.random.random() < 1\n"
        "assert compat.queue.Queue().empty()\n"
        "from newscli.codec import _md5_hash\n"
        "for key in (b'', b'body\\x00oil', 'Термез'.encode()):\n"
        "    assert _md5_hash(key) == filetables.md5_hash(key)\n"
    )
    python_ok(code)


def test_search_process_freezes_its_modules_for_the_collector(sample_index: Path) -> None:
    code = (
        "import gc, sys\n"
        "from newscli import cli\n"
        "sys.argv = ['newscli', '--index', sys.argv[1], 'search', 'Termez', '--format', 'plain']\n"
        "assert gc.get_freeze_count() == 0\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "assert gc.isenabled() and gc.get_freeze_count() > 0  # frozen, still collecting\n"
    )
    lines = python_ok(code, str(sample_index)).count("\n")
    assert lines == 2  # the two sample articles that mention Termez


def test_search_defines_no_report_models_and_loads_no_inspect(sample_index: Path) -> None:
    code = (
        "import sys\n"
        "from newscli import cli\n"
        "sys.argv = ['newscli', '--index', sys.argv[1], 'search', 'Termez', '--format', 'json']\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "assert 'newscli._more_models' not in sys.modules\n"
        "assert 'inspect' not in sys.modules\n"
    )
    python_ok(code, str(sample_index))


def test_models_defined_on_first_use_are_models_types() -> None:
    code = (
        "import pickle, sys\n"
        "import newscli\n"
        "from newscli import models\n"
        "assert 'newscli._more_models' not in sys.modules\n"
        "from newscli.models import Failure, IngestReport, Source\n"
        "assert newscli.IngestReport is IngestReport is models.IngestReport\n"
        "assert IngestReport.__module__ == 'newscli.models'\n"
        "report = IngestReport(added=1, failed=[Failure('a.txt', 'unreadable')])\n"
        "assert pickle.loads(pickle.dumps(report)) == report\n"
        "assert b'newscli._more_models' not in pickle.dumps(report)\n"
        "from newscli.models import Article\n"
        "article = Article(id='a1', title=None, body='Text.', credits=('Picture: X',))\n"
        "assert pickle.loads(pickle.dumps(article)) == article\n"
        "assert repr(Source('k')) == "
        "\"Source(key='k', path=None, url=None, given='', signature=None)\"\n"
        "assert set(models.__all__) <= set(dir(models))\n"
    )
    python_ok(code)


def test_click_loads_without_uuid_and_converts_uuids_with_it() -> None:
    code = (
        "import sys\n"
        "from newscli import cli\n"
        "import click\n"
        "assert 'uuid' not in sys.modules\n"
        "value = click.UUID.convert('12345678123456781234567812345678', None, None)\n"
        "import uuid\n"
        "assert isinstance(value, uuid.UUID) and value.hex == '12345678123456781234567812345678'\n"
    )
    python_ok(code)


HELP_PROBE = """
import json, sys
if sys.argv[1] == "inspect-first":
    import inspect
from newscli.cli import cli

def walk(command, path):
    yield path, command.help, [(p.name, getattr(p, "help", None)) for p in command.params]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, f"{path} {name}")

print(json.dumps(list(walk(cli, "newscli"))))
"""


def test_help_texts_are_the_same_without_inspect_loaded() -> None:
    """Click dedents option help with the stand-in's cleandoc while inspect is not loaded."""
    texts = [
        subprocess.run(
            [sys.executable, "-c", HELP_PROBE, how],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for how in ("inspect-first", "as-newscli-starts")
    ]
    assert json.loads(texts[0]) == json.loads(texts[1])
    assert len(json.loads(texts[0])) > 10


def test_dataclasses_and_click_load_without_inspect() -> None:
    code = (
        "import sys\n"
        "from newscli import cli, query\n"
        "assert 'inspect' not in sys.modules\n"
        "import dataclasses, inspect\n"
        "from newscli.models import SearchPage\n"
        "@dataclasses.dataclass\n"
        "class Undocumented:\n"
        "    x: int\n"
        "assert Undocumented.__doc__ == 'Undocumented(x: int)'\n"
        "assert dataclasses.replace(SearchPage((), 1), total=2).total == 2\n"
        "assert cli.click.core.inspect.cleandoc('  a\\n    b') == 'a\\nb'\n"
        "import cached_property\n"
        "async def coroutine(): pass\n"
        "assert cached_property.asyncio.iscoroutinefunction(coroutine)\n"
        "assert not cached_property.asyncio.iscoroutinefunction(len)\n"
    )
    python_ok(code)
