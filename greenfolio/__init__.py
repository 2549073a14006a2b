"""Greenfolio: a results platform for environment and energy programmes.

The package is layered (see README): ``domain`` holds plain rules, ``store`` the
database, ``services`` the transactions, ``interfaces`` the CLI and report writers,
``refdata`` the reference tables with their sources.
"""

__version__ = "0.1.0"
