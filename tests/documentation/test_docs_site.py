"""The built documentation site shows every public name, method and model field.

The site is built once, as CI builds it (``mkdocs build --strict``), into a temporary directory. What
it shows is read from the mkdocstrings inventory ``objects.inv`` (every documented object, by its
dotted name) and from the HTML (the field and code tables the hook adds, by their anchors). The lists
of what must appear are derived from the code: ``__all__`` of each public module, the public members
of every public class (the client and the endpoint groups included), the attrs fields of every public
attrs class and the members of every status enum. A name another change adds is checked with no edit
here.
"""

from __future__ import annotations

import html
import importlib
import inspect
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import pytest

import rayvision_async
from rayvision_async.api._groups import GROUP_CLASSES
from rayvision_async.models import ServiceModel
from rayvision_async.models._converter import wire_name
from rayvision_async.models._meta import ALIASES
from rayvision_async.models.enums import TolerantIntEnum

ROOT = Path(__file__).resolve().parents[2]
#: The public modules: every name of their ``__all__`` is documented.
PUBLIC_MODULES = ("rayvision_async", "rayvision_async.models", "rayvision_async.errors", "rayvision_async.simulator")


class Site(NamedTuple):
    root: Path
    inventory: dict[str, str]  # dotted name → page URI (with its anchor)
    pages: dict[str, str]  # page path → its HTML

    def rows(self) -> Iterator[tuple[str, str]]:
        """``(anchor id, row HTML)`` of every table row that carries an anchor."""
        for text in self.pages.values():
            for row in re.findall(r"<tr>.*?</tr>", text, re.S):
                for anchor in re.findall(r'<a [^>]*id="([^"]+)"', row):
                    yield anchor, row


def read_inventory(path: Path) -> dict[str, str]:
    """Sphinx inventory v2: four header lines, then zlib-compressed ``name role priority uri display`` lines."""
    data = path.read_bytes()
    lines = data.split(b"\n", 4)
    assert lines[0] == b"# Sphinx inventory version 2", lines[0]
    entries: dict[str, str] = {}
    for line in zlib.decompress(lines[4]).decode("utf-8").splitlines():
        match = re.fullmatch(r"(\S+)\s+(\S+)\s+(-?\d+)\s+(\S*)\s+(.*)", line)
        assert match, line
        name, uri = match.group(1), match.group(4)
        entries[name] = uri.replace("$", name) if uri.endswith("$") else uri
    return entries


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stdout}\n{built.stderr}"
    pages = {str(page.relative_to(out)): page.read_text(encoding="utf-8") for page in out.rglob("*.html")}
    return Site(out, read_inventory(out / "objects.inv"), pages)


def public_names() -> Iterator[tuple[str, str, Any]]:
    """``(module, name, object)`` for every name of every public module's ``__all__``."""
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            yield module_name, name, getattr(module, name)


def own_members(cls: type) -> list[str]:
    """Public methods and properties ``cls`` has from this package, in the order ``dir`` lists them.

    Not: what object, ``Exception``, ``enum`` or httpx define, nor a method overriding one of theirs
    (``handle_async_request``: its base documents it); not data (fields, enum members, constants).
    """
    names = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        owners = [klass for klass in cls.__mro__ if name in vars(klass)]
        if not owners or any(not ours(klass) for klass in owners):
            continue
        member = vars(owners[0])[name]
        if isinstance(member, property | staticmethod | classmethod) or inspect.isfunction(member):
            names.append(name)
    return names


def ours(cls: type) -> bool:
    return cls.__module__.startswith(("rayvision_async", "_rayvision_async"))


def has_docstring(cls: type, name: str) -> bool:
    member = next(vars(klass)[name] for klass in cls.__mro__ if name in vars(klass))
    function = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
    return bool(getattr(function, "__doc__", None))


def public_classes() -> Iterator[tuple[tuple[str, ...], type]]:
    """``(the dotted names it is public under, class)``: the public modules' classes and the endpoint groups."""
    names: dict[type, list[str]] = {}
    for module_name, name, target in public_names():
        if isinstance(target, type):
            names.setdefault(target, []).append(f"{module_name}.{name}")
    for cls in GROUP_CLASSES.values():
        names.setdefault(cls, [])
    for cls, dotted in names.items():
        yield (*dotted, f"{cls.__module__}.{cls.__qualname__}"), cls


def documented(site: Site, dotted: str) -> bool:
    """Whether the inventory has ``dotted``, or (for a name given without its module) some ``*.dotted``
    (the groups are documented under their private module's path)."""
    return dotted in site.inventory or any(name.endswith("." + dotted) for name in site.inventory)


def test_every_name_of_every_public_module_is_in_the_site(site: Site) -> None:
    missing = [f"{module}.{name}" for module, name, _ in public_names() if f"{module}.{name}" not in site.inventory]
    assert not missing, f"not in the built site (add a ::: block to a reference page): {missing}"


def test_every_public_method_of_the_client_and_of_each_group_is_in_the_site(site: Site) -> None:
    client = own_members(rayvision_async.AsyncRayvisionAPI)
    assert {"submit_analysis", "with_raw_response", "close", "poll", "wait", "user_info"} <= set(client)
    groups = {cls.__name__: own_members(cls) for cls in GROUP_CLASSES.values()}
    assert {"get_frame_thumbnall", "get_custome_frames"} <= set(groups["QueryGroup"])  # the official SDK's names
    missing = [f"AsyncRayvisionAPI.{name}" for name in client
               if not documented(site, f"rayvision_async.AsyncRayvisionAPI.{name}")]
    missing += [f"{group}.{name}" for group, names in groups.items() for name in names
                if not documented(site, f"{group}.{name}")]
    assert not missing, f"not in the built site (give them a docstring): {missing}"


def test_every_documented_method_of_every_public_class_is_in_the_site(site: Site) -> None:
    missing = [f"{dotted[0]}.{name}" for dotted, cls in public_classes() for name in own_members(cls)
               if has_docstring(cls, name) and not any(documented(site, f"{path}.{name}") for path in dotted)]
    assert not missing, f"documented in the code, not in the built site: {missing}"


def attrs_classes() -> Iterator[tuple[tuple[str, ...], type]]:
    for dotted, cls in public_classes():
        if attrs.has(cls):
            yield dotted, cls


def cells(row: str) -> list[str]:
    """The row's cells as text."""
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def row_of(rows: dict[str, str], paths: tuple[str, ...], name: str) -> str | None:
    """The table row anchored at ``path.name`` for any of the class's dotted paths."""
    return next((rows[f"{path}.{name}"] for path in paths if f"{path}.{name}" in rows), None)


def test_every_field_of_every_model_is_in_the_site_with_its_wire_name_and_meaning(site: Site) -> None:
    rows = dict(site.rows())
    classes = dict(attrs_classes())
    assert rayvision_async.TaskInfo in classes.values()
    problems = []
    for paths, cls in classes.items():
        for field in attrs.fields(cls):
            if field.name.startswith("_"):
                continue
            row = row_of(rows, paths, field.name)
            if row is None:
                problems.append(f"{paths[0]}.{field.name}: no row")
                continue
            name, _, third, meaning = cells(row)
            assert name == field.name
            if not meaning:
                problems.append(f"{paths[0]}.{field.name}: no meaning")
            if issubclass(cls, ServiceModel):
                wires = [wire_name(field), *field.metadata.get(ALIASES, ())]
                if not third.startswith(wires[0]) or not all(wire in third for wire in wires):
                    problems.append(f"{paths[0]}.{field.name}: wire names {wires}, the site says {third!r}")
    assert not problems, problems
    task_info = [anchor for anchor in rows if anchor.startswith("rayvision_async.models.TaskInfo.")]
    assert len(task_info) == len(attrs.fields(rayvision_async.TaskInfo)) >= 56


def test_every_member_of_every_status_code_enum_is_in_the_site_with_its_code(site: Site) -> None:
    rows = dict(site.rows())
    enums = [(paths, cls) for paths, cls in public_classes() if issubclass(cls, TolerantIntEnum) and len(cls)]
    assert len(enums) >= 3
    problems = []
    for paths, cls in enums:
        for member in cls:
            row = row_of(rows, paths, member.name)
            if row is None or cells(row)[1] != str(member.value) or not cells(row)[2]:
                problems.append(f"{paths[0]}.{member.name}")
    assert not problems, problems


def test_the_client_page_shows_the_methods_the_issue_found_missing(site: Site) -> None:
    page = site.pages[str(Path("reference") / "client" / "index.html")]
    for name in ("submit_analysis", "check_analysis", "with_raw_response", "close", "user_info", "get_user_id"):
        assert f'id="rayvision_async.AsyncRayvisionAPI.{name}"' in page, name


def test_every_public_function_is_documented_with_its_docstring(site: Site) -> None:
    for module, name, target in public_names():
        if inspect.isfunction(target) and target.__doc__:
            first = target.__doc__.strip().splitlines()[0]
            uri = site.inventory.get(f"{module}.{name}")
            assert uri is not None, f"{module}.{name}"
            page = site.pages[uri.split("#")[0] + "index.html" if uri.split("#")[0].endswith("/") else uri]
            words = re.sub(r"[`:*]|\w+:", "", first).split()[:3]
            assert all(html.escape(word, quote=False) in page for word in words), (name, words)
