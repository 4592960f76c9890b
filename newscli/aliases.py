"""Name variants from TOML alias files: Termez / Termiz / Термез, ISIS-K / ISKP / ИГИЛ-Хорасан.

A starter list ships in ``newscli/data/aliases.toml``. Users add or replace groups in
``aliases.toml`` in the config folder (``$XDG_CONFIG_HOME/newscli/``) or beside the index (the
index's file is read last and wins). Files are read only when a search runs, and again only
when one of them has changed (size, modification time or inode). Spellings are
matched by their folded key (``analysis.fold_key``), so case, script, apostrophes and Russian
case endings do not matter when looking a query word up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscli.analysis import fold_key
from newscli.errors import BadAliases

__all__ = ["ALIAS_FILE", "AliasTable", "alias_files", "load_aliases"]

ALIAS_FILE = "aliases.toml"
_STARTER = Path(__file__).with_name("data") / ALIAS_FILE
"""The starter list (package data; read as a file: ``importlib.resources`` costs a cold
search more than reading it)."""


@dataclass(frozen=True, slots=True)
class AliasTable:
    """Groups of spellings of one name, looked up by folded key."""

    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _by_key: dict[str, str] = field(default_factory=dict)
    max_words: int = 1
    """Most words in any spelling (how many query words to try together)."""

    @classmethod
    def from_groups(cls, groups: dict[str, tuple[str, ...]]) -> AliasTable:
        """Index groups by the folded key of each spelling (a later group wins a shared key)."""
        by_key: dict[str, str] = {}
        cleaned: dict[str, tuple[str, ...]] = {}
        most = 1
        for name, spellings in groups.items():
            unique: dict[str, str] = {}
            for spelling in (name, *spellings):
                words = spelling.split()
                if words and fold_key(spelling):
                    unique.setdefault(" ".join(words).casefold(), " ".join(words))
                    most = max(most, len(words))
            cleaned[name] = tuple(unique.values())
            by_key.update(dict.fromkeys((fold_key(s) for s in unique.values()), name))
        return cls(groups=cleaned, _by_key=by_key, max_words=most)

    def variants(self, text: str) -> tuple[str, ...]:
        """Return the other spellings of ``text`` (none when it is in no group).

        Single-word spellings that fold to the same key as ``text`` (Термез for Termez) are left
        out: the folded field already matches them, and repeating them would let the other
        spellings outscore an exact match.
        """
        key = fold_key(text)
        name = self._by_key.get(key)
        if name is None:
            return ()
        typed = " ".join(text.split()).casefold()
        return tuple(
            spelling
            for spelling in self.groups[name]
            if spelling.casefold() != typed
            and not (_is_one_word(spelling) and _is_one_word(typed) and fold_key(spelling) == key)
        )


def _is_one_word(text: str) -> bool:
    """One word without spaces or hyphens: folding alone matches its same-key spellings."""
    return not any(ch.isspace() or ch in "-\u2010\u2011" for ch in text)


def alias_files(index_dir: Path | None, config_dir: Path | None) -> list[Path]:
    """Return the user alias files that exist, in reading order (config folder, then index)."""
    candidates = [folder / ALIAS_FILE for folder in (config_dir, index_dir) if folder is not None]
    return [path for path in candidates if path.is_file()]


def _parse(text: str, origin: str) -> dict[str, Any]:
    """What ``tomllib.loads`` makes of ``text``; for the starter list's text, without tomllib
    (importing it costs a cold search about 5 % of its instructions)."""
    from newscli import _starter_aliases

    if text == _starter_aliases.TEXT:
        return _starter_aliases.DATA
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadAliases(f"cannot read alias file {origin}: {exc}") from exc


def _read(text: str, origin: str) -> tuple[bool, dict[str, tuple[str, ...]]]:
    data = _parse(text, origin)
    starter = data.get("starter", True)
    groups = data.get("groups", {})
    if not isinstance(starter, bool) or not isinstance(groups, dict):
        raise BadAliases(
            f"alias file {origin}: expected `starter = true|false` and a [groups] table"
        )
    result: dict[str, tuple[str, ...]] = {}
    for name, spellings in groups.items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            raise BadAliases(
                f"alias file {origin}: group {name!r} must be a list of strings, "
                'e.g. Termez = ["Termiz", "Термез"]'
            )
        result[name] = tuple(s for s in spellings if s.strip())
    return starter, result


_TABLES: dict[tuple[tuple[str, int, int, int], ...], AliasTable] = {}
"""Tables already made, by the files' identity (a search made one each time: 1.8 ms)."""


def _identity(paths: Sequence[Path]) -> tuple[tuple[str, int, int, int], ...] | None:
    try:
        return tuple(
            (str(path), info.st_mtime_ns, info.st_size, info.st_ino)
            for path in paths
            for info in (path.stat(),)
        )
    except OSError:
        return None  # read as usual, which reports the problem


def load_aliases(files: Sequence[Path] | Iterable[Path] = ()) -> AliasTable:
    """Read the starter list, then each user file (later files replace same-named groups).

    The table is kept and returned again while none of the files has changed.
    """
    files = list(files)
    identity = _identity([_STARTER, *files])
    known = _TABLES.get(identity) if identity is not None else None
    if known is not None:
        return known
    table = _load(files)
    if identity is not None:
        if len(_TABLES) >= 8:
            _TABLES.clear()
        _TABLES[identity] = table
    return table


def _load(files: Sequence[Path]) -> AliasTable:
    starter_text = _STARTER.read_text(encoding="utf-8")
    _, merged = _read(starter_text, "newscli/data/aliases.toml")
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadAliases(f"cannot read alias file {path}: {exc}") from exc
        keep_starter, groups = _read(text, str(path))
        if not keep_starter:
            merged = {}
        merged.update(groups)
    return AliasTable.from_groups(merged)
