"""scripts/check_pins.py and scripts/bump.py on copies of the tree's metadata."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def meta_pins(root: Path) -> dict[str, str]:
    text = (root / "packages/midstream/pyproject.toml").read_text()
    return dict(re.findall(r'"([a-z-]+)(==[^"]+)"', text))


def test_tree_pins_are_consistent(run_script):
    result = run_script("check_pins.py", "--root", str(ROOT))
    assert result.returncode == 0, result.stderr
    assert "pins consistent across 7 distributions" in result.stdout


def test_planted_meta_pin_mismatch_fails(tree_copy, run_script):
    pyproject = tree_copy / "packages/midstream/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"temporal-compare==', '"temporal-compare==9')
    )
    result = run_script("check_pins.py", "--root", str(tree_copy))
    assert result.returncode == 1
    assert "midstream: pins temporal-compare==90.1.0" in result.stderr


def test_planted_version_change_without_pin_update_fails(tree_copy, run_script):
    meson = tree_copy / "packages/nanosecond-scheduler/meson.build"
    meson.write_text(meson.read_text().replace("version: '0.1.0'", "version: '0.2.0'"))
    result = run_script("check_pins.py", "--root", str(tree_copy))
    assert result.returncode == 1
    assert "expected ==0.2.0" in result.stderr


def test_missing_pin_and_unranged_sibling_fail(tree_copy, run_script):
    meta = tree_copy / "packages/midstream/pyproject.toml"
    meta.write_text(meta.read_text().replace('    "strange-loop==0.1.0",\n', ""))
    loop = tree_copy / "packages/strange-loop/pyproject.toml"
    loop.write_text(
        loop.read_text().replace("dependencies = [", 'dependencies = [\n    "temporal-compare",')
    )
    result = run_script("check_pins.py", "--root", str(tree_copy))
    assert result.returncode == 1
    assert "midstream: does not pin strange-loop" in result.stderr
    assert "strange-loop: requires temporal-compare without a version range" in result.stderr


def test_bump_moves_version_pins_ranges_and_meta_version(tree_copy, run_script):
    loop = tree_copy / "packages/strange-loop/pyproject.toml"
    loop.write_text(
        loop.read_text().replace(
            "dependencies = [", 'dependencies = [\n    "temporal-compare>=0.1,<0.2",'
        )
    )
    assert run_script("check_pins.py", "--root", str(tree_copy)).returncode == 0
    result = run_script("bump.py", "temporal-compare", "0.2.0", "--root", str(tree_copy))
    assert result.returncode == 0, result.stderr
    meson = (tree_copy / "packages/temporal-compare/meson.build").read_text()
    assert "version: '0.2.0'" in meson
    assert meta_pins(tree_copy)["temporal-compare"] == "==0.2.0"
    assert '"temporal-compare>=0.2,<0.3"' in loop.read_text()
    meta = (tree_copy / "packages/midstream/pyproject.toml").read_text()
    assert re.search(r'(?m)^version = "0\.1\.1"$', meta)
    assert (
        'name = "temporal-compare"'
        in (tree_copy / "packages/temporal-compare/pyproject.toml").read_text()
    )
    assert run_script("check_pins.py", "--root", str(tree_copy)).returncode == 0


def test_bump_rejects_unknown_dist_and_bad_version(tree_copy, run_script):
    bad = run_script("bump.py", "no-such-dist", "1.0", "--root", str(tree_copy))
    assert bad.returncode == 2 and "unknown distribution" in bad.stderr
    bad = run_script("bump.py", "strange-loop", "not.a.version", "--root", str(tree_copy))
    assert bad.returncode == 2 and "not a valid PEP 440 version" in bad.stderr
