"""Every example in a package README and in a public module's docstrings runs as shown."""

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READMES = sorted((ROOT / "packages").glob("*/README.md"))
PACKAGES = [p.parent.name.replace("-", "_") for p in READMES]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def public_modules():
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield name
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_"):
                yield f"{name}.{info.name}"


def python_blocks(markdown: str) -> str:
    """The ```python fenced blocks of a Markdown text, joined; fences themselves dropped."""
    return "\n\n".join(re.findall(r"```python\n(.*?)```", markdown, flags=re.S))


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.parent.name)
def test_readme_examples(readme):
    source = python_blocks(readme.read_text())
    test = doctest.DocTestParser().get_doctest(source, {}, readme.name, str(readme), 0)
    assert test.examples, f"{readme} has no runnable example"
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


@pytest.mark.parametrize("module", sorted(public_modules()))
def test_module_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=FLAGS)
    assert result.failed == 0
