"""Detect an article's language (ISO 639-1 code) from its text."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

from newscli.logs import get_logger

__all__ = ["detect_language", "load_model", "normalize_language"]

log = get_logger(__name__)

_SAMPLE_CHARS = 2000
"""Enough text to tell the language (the devset's detections agree with 3,000 on 989 of 990
pages); the model's time grows with the sample."""
_MIN_LETTERS = 20
_LETTER = re.compile(r"[^\W\d_]")
_CODE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


def normalize_language(value: str | None) -> str | None:
    """Return the primary subtag of a language tag in lower case (``en-GB`` -> ``en``)."""
    if not value:
        return None
    value = value.strip()
    if not _CODE.match(value):
        return None
    return value.replace("_", "-").split("-", 1)[0].lower()


def detect_language(text: str) -> str | None:
    """Return the most likely language of ``text``, or None when there is too little text."""
    sample = text[:_SAMPLE_CHARS]
    if len(_LETTER.findall(sample, 0, _MIN_LETTERS * 20)) < _MIN_LETTERS:
        return None
    import py3langid  # loads its model on first use; only ingestion pays for it

    load_model()
    code, _score = py3langid.classify(sample)
    return str(code) if code else None


_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")
"""The arrays of py3langid's model file (``model.npz.xz``), one ``.npy`` each in the cache."""


def load_model() -> None:
    """Give py3langid its model from an uncompressed copy in the user's cache, made once.

    py3langid decompresses its 4.6 MB LZMA model (68 MB of arrays) every time a process
    first classifies, about 0.9 s of every ingest that starts workers (1.6 s on a busy
    machine). The copy (``$XDG_CACHE_HOME/newscli/langid-*``) loads in about 0.05 s, its large
    table memory-mapped. Any problem with it, or another py3langid model layout, falls back
    to py3langid's own loading: the results are the same either way.
    """
    from py3langid import langid

    if langid.IDENTIFIER is not None:
        return
    with contextlib.suppress(Exception):  # an optimisation only: never fail detection
        langid.IDENTIFIER = _identifier_from_cache(langid)


def _identifier_from_cache(langid: Any) -> Any:
    import numpy as np
    from py3langid import modelio

    from newscli.config import default_cache_dir

    model = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    folder = default_cache_dir(os.environ) / f"langid-{_fingerprint(model)}"
    if not (folder / "out_feat.npy").is_file():
        _write_cache(model, folder)
    arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    return langid.LanguageIdentifier(  # as LanguageIdentifier.from_model_file builds it
        np.asarray(arrays["ptc"]),
        np.asarray(arrays["pc"]),
        arrays["classes"].tolist(),
        modelio._to_array(arrays["nextmove"]),
        arrays["out_feat"].tolist(),
        tk_row=modelio._to_array(arrays["nextmove_row"]),
    )


def _fingerprint(model: Path) -> str:
    """A short digest of the model file's size, head and tail: the same for every install of
    one model, so that virtual environments share one cached copy."""
    import hashlib

    chunk = 1 << 16
    with model.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(chunk)
        handle.seek(max(0, size - chunk))
        tail = handle.read(chunk)
    return hashlib.blake2b(b"%d:" % size + head + tail, digest_size=8).hexdigest()


def _write_cache(model: Path, folder: Path) -> None:
    """Decompress ``model`` into ``folder`` (written aside, then renamed into place)."""
    import lzma
    import tempfile

    import numpy as np

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        with tempfile.TemporaryFile(dir=staging) as npz:
            with lzma.open(model) as source:
                shutil.copyfileobj(source, npz, length=1 << 20)
            npz.seek(0)
            with np.load(npz, allow_pickle=False) as data:
                if set(_ARRAYS) - set(data.files):
                    raise ValueError(f"{model}: unknown model layout {sorted(data.files)}")
                for name in _ARRAYS:
                    np.save(staging / f"{name}.npy", data[name], allow_pickle=False)
        try:
            staging.rename(folder)
        except OSError:  # another process made it first
            if not (folder / "out_feat.npy").is_file():
                raise
        else:
            log.debug("cached py3langid's model in %s", folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
