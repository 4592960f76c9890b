"""The README documents every command and option the CLI has."""

from __future__ import annotations

import click

from newscli.cli import cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        found[f"{prefix}{name}"] = command
        if isinstance(command, click.Group):
            found.update(_commands(command, f"{prefix}{name} "))
    return found


def test_readme_opens_with_demo_and_test() -> None:
    opening = README.split("```", 2)[1]
    assert [line.split("#")[0].strip() for line in opening.strip().splitlines()[1:]] == [
        "make demo",
        "make test",
    ]


def test_every_command_has_help_and_is_in_readme() -> None:
    for name, command in _commands(cli).items():
        assert command.help, f"{name} has no help text"
        assert len(command.help.splitlines()[0]) < 60, f"{name}: first help line too long"
        assert f"newscli {name}" in README, f"README does not document `newscli {name}`"


def test_every_option_is_in_readme() -> None:
    for name, command in _commands(cli).items():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                longest = max(param.opts, key=len)
                if longest in ("--help", "--version"):
                    continue
                assert longest in README, f"README does not document {longest} of {name}"
