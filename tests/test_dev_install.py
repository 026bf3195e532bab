"""scripts/dev_install.py: the tree stamp that lets a rerun skip, and the progress view."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))
import dev_install  # noqa: E402

PIP_LOG = """\
+ python -m pip install --no-build-isolation -e packages/temporal-compare -e packages/midstream
WARNING: Location 'file:///opt/pypi-more/x/' is ignored: it is neither a file nor a directory.
Obtaining file:///tmp/tree/packages/temporal-compare
  Checking if build backend supports build_editable: started
  Preparing editable metadata (pyproject.toml): started
  Preparing editable metadata (pyproject.toml): still running...
  Preparing editable metadata (pyproject.toml): finished with status 'done'
Obtaining file:///tmp/tree/packages/midstream
  Preparing editable metadata (pyproject.toml): started
Processing /opt/pypi/files/numpy-2.4.6-cp311-cp311-manylinux_2_28_x86_64.whl (from x)
Collecting aioquic<2,>=1.4 (from quic-multistream==0.1.0)
  Downloading aioquic-1.3.0.tar.gz (1.1 MB)
Building wheels for collected packages: temporal-compare, midstream
  Building editable for temporal-compare (pyproject.toml): started
  Building editable for temporal-compare (pyproject.toml): finished with status 'done'
  Created wheel for temporal-compare: filename=temporal_compare-0.1.0.whl size=10171
  Building editable for midstream (pyproject.toml): started
  Building editable for midstream (pyproject.toml): finished with status 'done'
Installing collected packages: numpy, aioquic, temporal-compare, midstream
Successfully installed numpy-2.4.6 aioquic-1.3.0 temporal-compare-0.1.0 midstream-0.1.0
"""


def test_progress_shows_one_line_per_step_and_no_pip_noise():
    out = io.StringIO()
    progress = dev_install.PipProgress(["temporal-compare", "midstream"], out, tty=False)
    for line in PIP_LOG.splitlines():
        progress.feed(line)
    progress.finish()
    assert out.getvalue().splitlines() == [
        "[1/2] preparing temporal-compare",
        "[2/2] preparing midstream",
        "resolving dependencies",
        "building temporal-compare",
        "building midstream",
        "installing 4 packages",
    ]


def test_progress_on_a_terminal_redraws_with_elapsed_time():
    out = io.StringIO()
    progress = dev_install.PipProgress(["midstream"], out, tty=True)
    progress.feed("Obtaining file:///t/packages/midstream")
    progress.tick()
    progress.finish()
    text = out.getvalue()
    assert text.startswith("\r[1/1] preparing midstream\r[1/1] preparing midstream ")
    assert " s\x1b[K\n" in text


def _git(tree: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True)


@pytest.fixture
def git_tree(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pkg = tmp_path / "packages" / "a"
    (pkg / "src").mkdir(parents=True)
    (pkg / "pyproject.toml").write_text('[project]\nname = "a"\n')
    (pkg / "src" / "a.py").write_text("x = 1\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    return tmp_path


def test_stamp_follows_the_tree_the_interpreter_and_the_options(git_tree):
    first = dev_install.tree_stamp(git_tree, ["editable=True"])
    assert dev_install.tree_stamp(git_tree, ["editable=True"]) == first
    assert dev_install.tree_stamp(git_tree, ["editable=False"]) != first
    # An unstaged edit of build metadata counts...
    pyproject = git_tree / "packages" / "a" / "pyproject.toml"
    pyproject.write_text('[project]\nname = "a"\ndependencies = ["numpy"]\n')
    assert dev_install.tree_stamp(git_tree, ["editable=True"]) != first
    pyproject.write_text('[project]\nname = "a"\n')
    assert dev_install.tree_stamp(git_tree, ["editable=True"]) == first
    # ...and so does any change to the tracked files.
    (git_tree / "packages" / "a" / "src" / "b.pyx").write_text("# new kernel\n")
    _git(git_tree, "add", "-A")
    assert dev_install.tree_stamp(git_tree, ["editable=True"]) != first


def test_stamp_without_git_uses_file_metadata(tmp_path):
    (tmp_path / "packages" / "a").mkdir(parents=True)
    f = tmp_path / "packages" / "a" / "pyproject.toml"
    f.write_text("x")
    first = dev_install.tree_stamp(tmp_path, [])
    assert dev_install.tree_stamp(tmp_path, []) == first
    f.write_text("xy")
    assert dev_install.tree_stamp(tmp_path, []) != first


def test_an_install_with_test_extras_serves_a_run_without(tmp_path):
    stamp = tmp_path / "stamp"
    assert not dev_install.is_current(stamp, "abc", test=False)
    stamp.write_text("abc test=True\n")
    assert dev_install.is_current(stamp, "abc", test=False)
    assert dev_install.is_current(stamp, "abc", test=True)
    assert not dev_install.is_current(stamp, "abd", test=False)
    stamp.write_text("abc test=False\n")
    assert not dev_install.is_current(stamp, "abc", test=True)
    stamp.write_text("garbage")
    assert not dev_install.is_current(stamp, "abc", test=False)


def test_failed_pip_keeps_its_output_in_the_log(tmp_path):
    log_path = tmp_path / "install.log"
    out = io.StringIO()
    progress = dev_install.PipProgress([], out, tty=False)
    with log_path.open("w") as log, pytest.raises(subprocess.CalledProcessError):
        dev_install.pip(
            "--no-index",
            "--find-links",
            str(tmp_path),
            "no-such-distribution-xyz",
            progress=progress,
            log=log,
        )
    text = log_path.read_text()
    assert "no-such-distribution-xyz" in text and "No matching distribution" in text
    assert out.getvalue() == ""  # nothing of pip's on the screen
