"""Interfaces: thin layers that parse input, call services and render output."""
