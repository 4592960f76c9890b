"""Simulate power cuts during real ingests by recording what was fsynced (run as a script).

``python tests/powerloss.py MODE INDEX SNAPSHOTS FOLDER...`` ingests each FOLDER in turn with a
small batch size, with ``os.fsync`` wrapped so that it also records what it made durable: a
file's bytes at its last fsync, a folder's listing at its last fsync. From that record it writes
"what a disk would hold after a power cut" as snapshot folders under SNAPSHOTS:

* ``NNNN-lazy``: after each commit returns, the folder as last fsynced, each file with the
  bytes of its last fsync (never fsynced: empty), the pessimistic model of "committed";
* ``NNNN-eager``: after every rename and fsync inside the index, the folder as it is now (all
  metadata reached the disk) but each file's bytes only as last fsynced (never: empty), the
  model of a file system that orders metadata before data, as delayed allocation can.

Each snapshot has ``expected.json`` beside it: the id and body of every article whose commit had
returned before the snapshot was taken. MODE ``newscli`` runs ``Corpus.ingest``; MODE ``whoosh``
writes the same documents with plain Whoosh (``create_in`` + ``writer().commit()``) as the
control that shows what the snapshots catch.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

_real_fsync = os.fsync
_real_rename = os.rename
_real_replace = os.replace

durable_files: dict[int, bytes] = {}
durable_listing: dict[str, int] | None = None
committed: dict[str, str] = {}
pending: dict[str, str] = {}
counter = 0
INDEX = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else Path()
SNAPSHOTS = Path(sys.argv[3]).resolve() if len(sys.argv) > 3 else Path()


def _listing(folder: Path) -> dict[str, int]:
    return {
        entry.name: entry.inode()
        for entry in os.scandir(folder)
        if entry.is_file(follow_symlinks=False)
    }


def recording_fsync(fd: int) -> None:
    global durable_listing
    _real_fsync(fd)
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        if Path(f"/proc/self/fd/{fd}").readlink() == INDEX:
            durable_listing = _listing(INDEX)
    elif stat.S_ISREG(info.st_mode):
        with Path(f"/proc/self/fd/{fd}").open("rb") as handle:
            durable_files[info.st_ino] = handle.read()
    snapshot("eager")


def recording_rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
    _real_rename(src, dst, *args, **kwargs)
    snapshot("eager")


def recording_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
    _real_replace(src, dst, *args, **kwargs)
    snapshot("eager")


def snapshot(model: str) -> None:
    """Write what a power cut now would leave of INDEX, and what must have survived."""
    global counter
    if not INDEX.is_dir():
        return
    listing = dict(durable_listing or {}) if model == "lazy" else _listing(INDEX)
    counter += 1
    target = SNAPSHOTS / f"{counter:04d}-{model}"
    (target / "index").mkdir(parents=True)
    for name, inode in listing.items():
        (target / "index" / name).write_bytes(durable_files.get(inode, b""))
    (target / "expected.json").write_text(json.dumps(committed), encoding="utf-8")


def run_newscli(folders: list[str]) -> None:
    from newscli import Corpus
    from newscli.store import BatchWriter

    original_put = BatchWriter.put
    original_start = BatchWriter._commit
    original_done = BatchWriter._committed
    in_flight: list[dict[str, str]] = []  # articles of each commit begun, oldest first

    def put(self: BatchWriter, article: Any, document: Any = None, *, new: bool = False) -> None:
        pending[article.id] = article.body
        original_put(self, article, document, new=new)

    def start(self: BatchWriter, *, background: bool) -> None:
        if self._writer is not None:  # a commit begins: it holds what was put so far
            in_flight.append(dict(pending))
            pending.clear()
        original_start(self, background=background)

    def done(self: BatchWriter, count: int, mark: Any) -> None:
        original_done(self, count, mark)
        committed.update(in_flight.pop(0))
        snapshot("lazy")

    BatchWriter.put = put  # type: ignore[method-assign]
    BatchWriter._commit = start  # type: ignore[method-assign]
    BatchWriter._committed = done  # type: ignore[method-assign]
    for folder in folders:
        corpus = Corpus.open(INDEX, create=True, batch_size=7)
        corpus.ingest([folder])


def run_whoosh(folders: list[str]) -> None:
    from whoosh import index
    from whoosh.fields import ID, TEXT, Schema

    INDEX.mkdir(parents=True)
    ix = index.create_in(
        str(INDEX), Schema(id=ID(stored=True, unique=True), body=TEXT(stored=True))
    )
    for folder in folders:
        writer = ix.writer()
        batch = {}
        for path in sorted(Path(folder).iterdir()):
            body = path.read_text(encoding="utf-8")
            writer.update_document(id=path.name, body=body)
            batch[path.name] = body
        writer.commit()
        committed.update(batch)
        snapshot("lazy")


def main() -> None:
    os.fsync = recording_fsync
    os.rename = recording_rename
    os.replace = recording_replace
    mode, folders = sys.argv[1], sys.argv[4:]
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    if mode == "newscli":
        run_newscli(folders)
    else:
        run_whoosh(folders)


if __name__ == "__main__":
    main()
