"""The compiled reader of results has no Python interface (``iati_native_results.pyx``)."""
