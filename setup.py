"""Build the compiled IATI reader (``iati_native*.pyx``: the activity, its results, and
the nodes and values both read).

Why a setup.py: the extension is built against lxml's own headers (``lxml.get_include()``),
which only code can name. The build is optional: without a C compiler Greenfolio installs
all the same and reads IATI files with its Python readers alone (slower, same records).
"""

from __future__ import annotations

import lxml
from setuptools import Extension, setup

MODULES = ("iati_native_values", "iati_native_results", "iati_native")

setup(
    ext_modules=[
        Extension(
            f"greenfolio.services.exchange.{name}",
            [f"greenfolio/services/exchange/{name}.pyx"],
            include_dirs=lxml.get_include(),
            optional=True,
        )
        for name in MODULES
    ]
)
