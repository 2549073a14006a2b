"""Report writers: turn a ``Document`` into files. No business rules here."""
