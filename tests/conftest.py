import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """A copy of every package's metadata files (pyproject.toml, meson.build), nothing else."""
    for pkg in (ROOT / "packages").iterdir():
        for name in ("pyproject.toml", "meson.build"):
            if (pkg / name).exists():
                (tmp_path / "packages" / pkg.name).mkdir(parents=True, exist_ok=True)
                shutil.copy(pkg / name, tmp_path / "packages" / pkg.name / name)
    return tmp_path


def _run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def run_script():
    """Run ``scripts/<name>`` with the test's interpreter; returns the CompletedProcess."""
    return _run_script
