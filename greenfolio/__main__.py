"""``python -m greenfolio``: the same command line as ``greenfolio``."""

from greenfolio.interfaces.cli.app import main

main()
