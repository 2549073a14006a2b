"""Report definitions: which figures a report prints, and its templates per language."""
