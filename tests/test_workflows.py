"""The GitHub workflows cannot run here: parse them and check they name real things."""

import configparser
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
DISTS = sorted(p.name for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
COMPILED = sorted(d for d in DISTS if (ROOT / "packages" / d / "meson.build").exists())


def load(name):
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def tox_envs():
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "tox.ini")
    listed = config["tox"]["env_list"].split()
    named = {s.removeprefix("testenv:") for s in config.sections() if s.startswith("testenv:")}
    expanded = set()
    for item in listed:
        m = re.fullmatch(r"py3\{([\d,]+)\}-\{([^}]+)\}", item)
        if m:
            expanded |= {
                f"py3{v}-{d}" for v in m.group(1).split(",") for d in m.group(2).split(",")
            }
        else:
            expanded.add(item)
    return expanded, named


@pytest.mark.parametrize("name", ["ci.yml", "wheels.yml", "release.yml"])
def test_workflow_parses_with_jobs_and_steps(name):
    data = load(name)
    assert data["on"] and data["jobs"]
    for job in data["jobs"].values():
        assert "steps" in job or "uses" in job


def supported_pythons(dist):
    """Minor versions from the dist's requires-python (">=3.10" or ">=3.11")."""
    text = (ROOT / "packages" / dist / "pyproject.toml").read_text()
    low = int(re.search(r'requires-python = ">=3\.(\d+)"', text).group(1))
    return [str(v) for v in range(low, 14)]


def test_tox_matrix_covers_every_dist_and_supported_python():
    expanded, named = tox_envs()
    for dist in DISTS:
        for v in ("10", "11", "12", "13"):
            assert (f"py3{v}-{dist}" in expanded) == (v in supported_pythons(dist)), (v, dist)
    assert {"integration", "lint", "type", "docs", "bench"} <= expanded
    assert {"integration", "lint", "type", "docs", "bench"} <= named


def test_ci_matrix_uses_real_dists_and_tox_envs():
    ci = load("ci.yml")
    matrix = ci["jobs"]["test"]["strategy"]["matrix"]
    assert sorted(matrix["dist"]) == DISTS
    assert matrix["python"] == ["3.10", "3.11", "3.12", "3.13"]
    excluded = {(e["python"], e["dist"]) for e in matrix.get("exclude", [])}
    for dist in DISTS:
        for v in ("10", "11", "12", "13"):
            assert ((f"3.{v}", dist) in excluded) == (v not in supported_pythons(dist))
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    expanded, _ = tox_envs()
    assert set(ci["jobs"]["checks"]["strategy"]["matrix"]["env"]) <= expanded


def test_wheels_builds_exactly_the_compiled_dists_and_tests_them():
    wheels = load("wheels.yml")
    assert sorted(wheels["jobs"]["build"]["strategy"]["matrix"]["dist"]) == COMPILED
    step = next(s for s in wheels["jobs"]["build"]["steps"] if "cibuildwheel" in s.get("uses", ""))
    assert "pytest" in step["env"]["CIBW_TEST_COMMAND"]
    assert step["env"]["CIBW_TEST_EXTRAS"] == "test"


def test_release_publishes_with_trusted_publishing_after_checks():
    release = load("release.yml")
    publish = release["jobs"]["publish"]
    assert publish["permissions"]["id-token"] == "write"
    assert "meta-pins-published" in publish["needs"]
    for job in release["jobs"].values():
        for step in job.get("steps", []):
            for script in re.findall(r"scripts/[\w.]+", step.get("run", "")):
                assert (ROOT / script).exists(), script


def test_release_plan_reads_tags(run_script):
    ok = run_script("release_plan.py", "temporal-compare-v0.1.0")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["dist=temporal-compare", "version=0.1.0", "compiled=true"]
    pure = run_script("release_plan.py", "quic-multistream-v0.1.0")
    assert "compiled=false" in pure.stdout
    wrong = run_script("release_plan.py", "temporal-compare-v9.9.9")
    assert wrong.returncode == 1 and "the tree has temporal-compare 0.1.0" in wrong.stderr
    unknown = run_script("release_plan.py", "nothing-v0.1.0")
    assert unknown.returncode == 1 and "names no distribution" in unknown.stderr
