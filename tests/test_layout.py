"""Every distribution has the files and metadata a published package needs."""

import importlib
import re
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
# aioquic >= 1.4, which quic-multistream needs, is not published for Python 3.10.
REQUIRES_PYTHON = {"quic-multistream": ">=3.11", "midstream": ">=3.11"}
ERROR_BASES = {
    "temporal_compare": ("TemporalCompareError", ValueError),
    "nanosecond_scheduler": ("SchedulerError", Exception),
    "temporal_attractor_studio": ("AttractorError", ValueError),
    "temporal_neural_solver": ("TemporalLogicError", ValueError),
    "strange_loop": ("StrangeLoopError", Exception),
    "quic_multistream": ("QuicError", Exception),
    "midstream": ("MidstreamError", ValueError),
}


def test_seven_distributions():
    assert [p.name for p in PACKAGES] == sorted(name.replace("_", "-") for name in ERROR_BASES)


@pytest.mark.parametrize("pkg", PACKAGES, ids=lambda p: p.name)
def test_package_files_and_metadata(pkg):
    data = tomllib.loads((pkg / "pyproject.toml").read_text())
    project = data["project"]
    imp = project["name"].replace("-", "_")
    assert project["name"] == pkg.name
    assert project["requires-python"] == REQUIRES_PYTHON.get(pkg.name, ">=3.10")
    assert project["readme"] == "README.md"
    assert any("Typing :: Typed" in c for c in project["classifiers"])
    for name in ("README.md", "CHANGELOG.md"):
        assert (pkg / name).read_text().strip(), name
    src = pkg / "src" / imp
    assert (src / "py.typed").exists()
    assert any((pkg / "tests").glob("test_*.py"))
    for pyx in src.glob("*.pyx"):
        assert pyx.name.startswith("_"), f"compiled modules are private: {pyx}"
        assert pyx.with_suffix(".pyi").exists(), f"missing stub for {pyx}"
        assert f"'src/{imp}/{pyx.name}'" in (pkg / "meson.build").read_text()
    if any(src.glob("*.pyx")):
        build = data["build-system"]
        assert build["build-backend"] == "mesonpy"
        assert not any(r.startswith("numpy") for r in build["requires"]), "no numpy headers"
        # Directives are set once, in meson.build, never per file.
        for pyx in src.glob("*.pyx"):
            assert not re.search(r"^#\s*cython:", pyx.read_text(), re.M), pyx


@pytest.mark.parametrize("imp", sorted(ERROR_BASES))
def test_version_and_error_base_exported(imp):
    from importlib.metadata import version

    module = importlib.import_module(imp)
    assert module.__version__ == version(imp.replace("_", "-"))
    name, builtin = ERROR_BASES[imp]
    err = getattr(module, name)
    assert issubclass(err, builtin) and name in module.__all__
