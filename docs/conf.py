"""Sphinx configuration for the Midstream docs (one page per distribution)."""

from __future__ import annotations

import os
from importlib import metadata

project = "Midstream"
author = "Midstream developers"
copyright = "2026, Midstream developers"
release = metadata.version("midstream")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
]
napoleon_numpy_docstring = True
napoleon_google_docstring = False
autodoc_typehints = "description"
autodoc_member_order = "bysource"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = ["_static"]
nitpicky = False

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
}
# Offline builds (tox -e docs, CI without internet) cannot fetch the inventories;
# links to Python/NumPy objects then render as plain text instead of failing -W.
if os.environ.get("MIDSTREAM_DOCS_OFFLINE"):
    intersphinx_mapping = {}
