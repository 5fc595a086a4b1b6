"""A quiet install: pyproject.toml passes setuptools' own checks without a warning, and building
the package metadata prints nothing that pip would show as a warning."""

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

setuptools = pytest.importorskip("setuptools")
# The checks are those of the setuptools that builds the package (build-system: >=77, which
# the dev extra installs); an older one, as a bare venv carries, warns about other things.
if int(setuptools.__version__.split(".")[0]) < 77:
    pytest.skip(f"setuptools {setuptools.__version__} is older than the build's (>=77): pip install -e '.[dev]'",
                allow_module_level=True)


def read_with_setuptools(project):
    """Apply `project`/pyproject.toml to a setuptools Distribution, every warning an error."""
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return apply_configuration(Distribution(), project / "pyproject.toml")


def test_pyproject_passes_setuptools_validation_without_warnings(monkeypatch):
    monkeypatch.chdir(ROOT)  # license-files and readme are relative to the project
    distribution = read_with_setuptools(ROOT)
    assert distribution.metadata.name == "neurona"
    assert distribution.metadata.license_expression == "MIT"


def test_the_check_catches_the_license_table_setuptools_deprecates(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "example"\nversion = "1.0"\nlicense = {text = "MIT"}\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Warning, match="project.license"):
        read_with_setuptools(tmp_path)


def test_building_the_metadata_prints_no_warning(tmp_path):
    """What `pip install -e .` runs first (PEP 517's prepare_metadata_for_build_wheel), in a
    fresh interpreter so every warning setuptools emits reaches stderr."""
    script = ("import sys; from setuptools import build_meta; "
              "print(build_meta.prepare_metadata_for_build_wheel(sys.argv[1]))")
    result = subprocess.run([sys.executable, "-W", "always", "-c", script, str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if "warning" in line.lower() or "deprecat" in line.lower()]
    assert lines == [], "\n".join(lines)
    metadata = (tmp_path / result.stdout.split()[-1] / "METADATA").read_text(encoding="utf-8")
    assert "License-Expression: MIT" in metadata
