"""Entities, value objects and rules: plain Python, no I/O."""
