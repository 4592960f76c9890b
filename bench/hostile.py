"""Ingest very large and pathological inputs one by one; print time, peak RSS and the outcome.

Usage: ``.venv/bin/python bench/hostile.py [--only NAME ...] [--timeout SECONDS]``

Each input is generated in a temporary folder and ingested by a real ``newscli ingest``
subprocess, started from a small wrapper whose ``getrusage(RUSAGE_CHILDREN)`` gives the peak
resident memory of that one run. A run over ``--timeout`` is killed and reported as such: those
inputs need the extraction worker pool's per-input time budget.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSCLI_SHARED", REPO.parent / "shared"))
NEWS = SHARED / "bench" / "news-20k.jsonl.gz"
MB = 1024 * 1024
PARAGRAPH = (
    "The council met on Tuesday to discuss the harvest and the new bridge over the river. "
    "Officials said the repairs would finish before winter and that traffic would resume. "
)
WRAPPER = """
import resource, subprocess, sys, json, time
started = time.monotonic()
try:
    done = subprocess.run(sys.argv[2:], capture_output=True, timeout=float(sys.argv[1]))
    code, err = done.returncode, done.stderr.decode(errors="replace")
except subprocess.TimeoutExpired as exc:
    code, err = None, (exc.stderr or b"").decode(errors="replace")
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "stderr": err, "seconds": time.monotonic() - started,
                  "peak_kb": peak}))
"""


def _paragraphs(total: int) -> list[str]:
    """Real article paragraphs (repeated as needed) adding up to about ``total`` bytes."""
    found: list[str] = []
    if NEWS.is_file():
        with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
            for line in lines:
                found.extend(json.loads(line)["paragraphs"])
                if sum(map(len, found)) > min(total, 20 * MB):
                    break
    found = found or [PARAGRAPH]
    out: list[str] = []
    size = 0
    while size < total:
        for paragraph in found:
            out.append(paragraph)
            size += len(paragraph) + 1
            if size >= total:
                break
    return out


def big_text(path: Path) -> None:
    path.write_text("A very long article\n\n" + "\n\n".join(_paragraphs(50 * MB)), "utf-8")


def big_html(path: Path) -> None:
    body = "".join(f"<p>{p}</p>\n" for p in _paragraphs(50 * MB))
    path.write_text(f"<html><head><title>Huge</title></head><body>{body}</body></html>", "utf-8")


def nested(path: Path) -> None:
    text = "".join(f"<p>Paragraph {n}. {PARAGRAPH}</p>" for n in range(10))
    path.write_text(
        "<html><head><title>Nested</title></head><body>"
        + "<div>" * 100_000
        + text
        + "</div>" * 100_000
        + "</body></html>"
    )


def flat(path: Path) -> None:
    text = "".join(f"<p>Paragraph {n}. {PARAGRAPH}</p>" for n in range(10))
    path.write_text(
        f"<html><head><title>Flat</title></head><body>{text}"
        + "<span>x</span>" * 1_000_000
        + "</body></html>"
    )


def attribute(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        text = "".join(f"<p>Paragraph {n}. {PARAGRAPH}</p>" for n in range(10))
        path.write_text(
            f'<html><head><title>Attribute</title></head><body><div data-x="{"a" * size}">'
            f"</div>{text}</body></html>"
        )

    return write


INPUTS: dict[str, tuple[str, Callable[[Path], None]]] = {
    "text-50mb": ("big.txt", big_text),
    "html-50mb": ("big.html", big_html),
    "nested-100k": ("nested.html", nested),
    "flat-1m": ("flat.html", flat),
    "attribute-10mb": ("attribute.html", attribute(10 * MB)),
    "attribute-20mb": ("attribute20.html", attribute(20 * MB)),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(INPUTS), default=sorted(INPUTS))
    parser.add_argument("--timeout", type=float, default=300.0)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newscli-hostile-"))
    try:
        for name in options.only:
            filename, generate = INPUTS[name]
            folder = work / name
            folder.mkdir()
            generate(folder / filename)
            size = (folder / filename).stat().st_size
            command = [
                sys.executable,
                "-m",
                "newscli",
                "--index",
                str(work / f"ix-{name}"),
                "-v",
                "ingest",
                str(folder),
            ]
            measured = json.loads(
                subprocess.run(
                    [sys.executable, "-c", WRAPPER, str(options.timeout), *command],
                    capture_output=True,
                    check=True,
                    text=True,
                ).stdout
            )
            lines = [
                line
                for line in measured["stderr"].splitlines()
                if line.startswith(("ingest:", "failed:")) or "fallback" in line
            ]
            outcome = (
                f"timed out after {options.timeout:.0f} s"
                if measured["code"] is None
                else f"exit {measured['code']}"
            )
            print(
                f"{name:15s} {size / MB:6.1f} MB  {measured['seconds']:6.1f} s  "
                f"peak RSS {measured['peak_kb'] / 1024:7.0f} MB  {outcome}"
            )
            for line in lines:
                print(f"{'':17s}{line[:150]}")
            sys.stdout.flush()
            shutil.rmtree(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
