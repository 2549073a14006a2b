"""``python -m greenfolio``: the same command line as ``greenfolio``."""

from greenfolio.interfaces.cli.app import main

if __name__ == "__main__":
    main()
