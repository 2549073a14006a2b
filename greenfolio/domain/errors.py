"""Errors the domain raises; each message says what is wrong and how to fix it."""


class GreenfolioError(Exception):
    """Base of every error Greenfolio reports to a person (exit code 2 in the CLI)."""


class ValidationError(GreenfolioError):
    """Input that breaks a rule of the domain (unknown code, bad value, wrong state)."""


class UnitMismatchError(GreenfolioError):
    """Quantities whose units cannot be added, named with the records that carry them."""


class NotFoundError(GreenfolioError):
    """A record, figure or code that does not exist."""
