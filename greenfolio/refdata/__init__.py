"""Reference tables shipped with the package, each with its source."""
