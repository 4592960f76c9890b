"""Loggers that import logging on first use behave as logging.getLogger(name)."""

from __future__ import annotations

import logging

import pytest

from newscli.logs import get_logger


def test_logs_records_reach_the_named_logger(caplog: pytest.LogCaptureFixture) -> None:
    log = get_logger("newscli.example")
    with caplog.at_level(logging.INFO, logger="newscli.example"):
        log.info("committed %d documents", 3)
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("newscli.example", "INFO", "committed 3 documents")
    ]
    assert log.isEnabledFor(logging.CRITICAL)


def test_logs_package_logger_gets_one_null_handler() -> None:
    get_logger("newscli.example").debug("first use")
    get_logger("newscli.other").debug("second logger")
    handlers = logging.getLogger("newscli").handlers
    assert sum(isinstance(handler, logging.NullHandler) for handler in handlers) == 1
