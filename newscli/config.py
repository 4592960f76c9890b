"""Settings and where the index lives (flag > $NEWSCLI_INDEX > XDG data dir)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Settings",
    "allow_private_hosts",
    "default_config_dir",
    "default_index_dir",
    "env_seconds",
]

DEFAULT_BATCH_SIZE = 500
"""Documents in a run's first commit (later ones grow, see ``store.BatchWriter``): one commit
per document is ~10x slower, one per run risks all."""
DEFAULT_BATCH_SECONDS = 30.0
"""Commit at least this often, so a killed run keeps most of its work."""
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
"""Inputs larger than this are refused: extraction time and memory grow with the page."""
DEFAULT_TIME_BUDGET = 60.0
"""Seconds one input may take to read, extract and clean before its worker is killed."""
DEFAULT_MEMORY_BUDGET_MB = 1024
"""Extra memory (MiB of address space) one worker may take for one input; 0 means no limit."""
DEFAULT_LOCK_WAIT = 0.0
"""Seconds to wait for another writer before giving up with exit status 75."""
DEFAULT_FETCH_TIMEOUT = 30.0
"""Total seconds allowed per URL (redirects and retries included)."""
DEFAULT_HOST_DELAY = 1.0
"""Seconds between two requests to the same host."""
DEFAULT_MAX_FETCH_BYTES = 10 * 1024 * 1024
"""Downloads larger than this are abandoned."""


def default_index_dir(environ: Mapping[str, str]) -> Path:
    """Return ``$XDG_DATA_HOME/newscli/index``, or ``~/.local/share/newscli/index``."""
    xdg = environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "newscli" / "index"


def default_config_dir(environ: Mapping[str, str]) -> Path:
    """Return ``$XDG_CONFIG_HOME/newscli``, or ``~/.config/newscli`` (holds ``aliases.toml``)."""
    xdg = environ.get("XDG_CONFIG_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return base / "newscli"


def default_cache_dir(environ: Mapping[str, str]) -> Path:
    """Return ``$XDG_CACHE_HOME/newscli``, or ``~/.cache/newscli`` (files that can be remade)."""
    xdg = environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "newscli"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a command needs to know besides its own arguments."""

    index_dir: Path
    debug: bool = False
    verbosity: int = 0
    batch_size: int | None = None
    """Documents per commit; None: 500 at first, growing with the run (``--batch-size``)."""
    batch_seconds: float = DEFAULT_BATCH_SECONDS
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    lock_wait: float = DEFAULT_LOCK_WAIT
    allow_private_hosts: bool = False
    """Fetch from loopback and private addresses too ($NEWSCLI_ALLOW_PRIVATE_HOSTS=1)."""
    fetch_timeout: float = DEFAULT_FETCH_TIMEOUT
    host_delay: float = DEFAULT_HOST_DELAY
    max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES
    config_dir: Path | None = None
    """Folder of user configuration files (``aliases.toml``)."""

    jobs: int | None = None
    """Worker processes for extraction; None: one per CPU."""
    time_budget: float = DEFAULT_TIME_BUDGET
    memory_budget_mb: int = DEFAULT_MEMORY_BUDGET_MB


def allow_private_hosts(environ: Mapping[str, str]) -> bool:
    """Return whether ``$NEWSCLI_ALLOW_PRIVATE_HOSTS`` allows fetching from private addresses."""
    return environ.get("NEWSCLI_ALLOW_PRIVATE_HOSTS", "").strip().lower() in ("1", "true", "yes")


def env_seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    """Return a non-negative number of seconds from ``environ[name]``, or ``default``."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}")
    return value
