"""The ``greenfolio`` command line."""
