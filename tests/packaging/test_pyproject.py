"""Packaging metadata that set-up reads: no deprecated forms that make setuptools warn."""

from __future__ import annotations

import re
import sys

import pytest

from tests.conftest import ROOT

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else None


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_license_is_an_spdx_string_and_setuptools_reads_it() -> None:
    assert tomllib is not None
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    # A table (`{text = ...}`) makes setuptools >= 77 print a deprecation warning per build step.
    assert data["project"]["license"] == "Apache-2.0"
    (setuptools,) = [r for r in data["build-system"]["requires"] if r.startswith("setuptools")]
    floor = re.fullmatch(r"setuptools>=(\d+)", setuptools)
    assert floor is not None and int(floor.group(1)) >= 77  # the first to accept the string form


@pytest.mark.skipif(tomllib is None, reason="tomllib needs Python 3.11")
def test_the_distribution_is_not_the_package_indexs_unrelated_govkit() -> None:
    assert tomllib is not None
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # The import name and the command stay `govkit`; the distribution name is govkit's own.
    assert project["name"] == "govkit-unity-catalog"
    assert project["scripts"] == {"govkit": "govkit.cli.main:main"}
