"""Run newscli as ``python -m newscli``."""

from newscli.cli import main

main()
