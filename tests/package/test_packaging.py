"""The package's metadata agrees with itself: version and CHANGELOG, license and LICENSE, URLs and the site.

``pyproject.toml`` reads the version from ``_version.py``; the CHANGELOG (Keep a Changelog) names the
releases. A release is cut by moving the ``[Unreleased]`` entries under a new ``## [X.Y.Z] - date``
heading and setting the version to X.Y.Z: these tests fail when one half is done without the other.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

import rayvision_async

ROOT = Path(__file__).resolve().parents[2]
#: ``## [0.3.0] - 2026-12-07``
RELEASE = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.M)
HEADING = re.compile(r"^## \[([^\]]+)\]", re.M)


@pytest.fixture(scope="module")
def changelog() -> str:
    return (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return data


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_the_version_is_the_newest_release_of_the_changelog(changelog: str) -> None:
    releases = RELEASE.findall(changelog)
    assert releases, "CHANGELOG.md has no '## [X.Y.Z] - YYYY-MM-DD' heading"
    assert rayvision_async.__version__ == releases[0][0], (
        f"_version.py says {rayvision_async.__version__}, the newest release in CHANGELOG.md is {releases[0][0]}")


def test_the_changelog_has_unreleased_on_top_then_releases_newest_first(changelog: str) -> None:
    headings = HEADING.findall(changelog)
    assert headings[0] == "Unreleased", headings[:2]
    releases = RELEASE.findall(changelog)
    assert [version for version, _ in releases] == headings[1:], "every heading after Unreleased is a dated release"
    versions = [version_tuple(version) for version, _ in releases]
    dates = [dt.date.fromisoformat(date) for _, date in releases]
    assert versions == sorted(versions, reverse=True), versions
    assert len(set(versions)) == len(versions), versions
    assert dates == sorted(dates, reverse=True), dates


def test_the_changelog_links_compare_each_release_with_the_one_before(changelog: str, project: dict[str, Any]) -> None:
    links = dict(re.findall(r"^\[([^\]]+)\]: (\S+)$", changelog, re.M))
    versions = [version for version, _ in RELEASE.findall(changelog)]
    source = project["urls"]["Source"]
    assert links["Unreleased"] == f"{source}/compare/v{versions[0]}...HEAD"
    for newer, older in itertools.pairwise(versions):
        assert links[newer] == f"{source}/compare/v{older}...v{newer}"
    assert links[versions[-1]] == f"{source}/releases/tag/v{versions[-1]}"


def test_the_license_file_is_the_mit_license_the_metadata_names(project: dict[str, Any]) -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4} rayvision-async contributors$", text, re.M)
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    # PEP 639: a license expression and "License ::" classifiers must not be mixed
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]


def test_the_metadata_names_authors_urls_and_classifiers(project: dict[str, Any]) -> None:
    assert project["authors"] == [{"name": "rayvision-async contributors"}]
    urls = project["urls"]
    assert {"Documentation", "Changelog", "Issues", "Source"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    assert urls["Changelog"] == urls["Source"] + "/blob/main/CHANGELOG.md"
    assert urls["Issues"] == urls["Source"] + "/issues"
    prefixes = {classifier.split(" :: ")[0] for classifier in project["classifiers"]}
    assert {"Development Status", "Operating System", "Topic", "Programming Language", "Typing"} <= prefixes
    supported = {classifier.rsplit(" :: ", 1)[1] for classifier in project["classifiers"]
                 if classifier.startswith("Programming Language :: Python :: 3.")}
    assert min(supported, key=version_tuple) == project["requires-python"].removeprefix(">=")


def test_the_documentation_site_lives_where_the_metadata_says(project: dict[str, Any]) -> None:
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(rf"^site_url: {re.escape(project['urls']['Documentation'])}$", mkdocs, re.M)
    assert re.search(rf"^repo_url: {re.escape(project['urls']['Source'])}$", mkdocs, re.M)
