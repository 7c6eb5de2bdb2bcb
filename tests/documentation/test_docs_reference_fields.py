"""The API reference's field and code tables (docs/_hooks/reference_fields.py), without building the site.

The tables come from the attrs classes, the converter's wire names and ``field_meanings.toml``; these
tests hold that table to the code: every entry names a real field, none repeats a ``#:`` comment, and a
field nobody described fails the build with its name. ``test_docs_site.py`` checks the built pages.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from types import ModuleType

import attrs
import pytest

from helpers.docs_hooks import load_hook
from rayvision_async import models
from rayvision_async.models.enums import TolerantIntEnum

PUBLIC_MODULES = ("rayvision_async", "rayvision_async.models", "rayvision_async.errors", "rayvision_async.simulator")


@pytest.fixture(scope="module")
def fields() -> ModuleType:
    return load_hook("reference_fields")


def tabled_classes() -> Iterator[type]:
    """Every public class the reference gives a field or code table."""
    seen: set[type] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            target = getattr(module, name)
            if isinstance(target, type) and target not in seen and (
                    attrs.has(target) or issubclass(target, TolerantIntEnum)):
                seen.add(target)
                yield target


def test_every_entry_of_the_meanings_table_is_a_field_of_a_documented_class(fields: ModuleType) -> None:
    classes = {cls.__name__: cls for cls in tabled_classes()}
    for cls in tabled_classes():
        for base in cls.__mro__[1:]:
            if attrs.has(base) and base.__module__.startswith("rayvision_async"):
                classes.setdefault(base.__name__, base)
    stale = []
    for class_name, entries in fields.table_meanings().items():
        cls = classes.get(class_name)
        if cls is None:
            stale.append(f"[{class_name}]: no documented class has this name")
            continue
        own = ({field.name for field in attrs.fields(cls)} if attrs.has(cls) else set(cls.__members__))
        inherited = {name for base in cls.__mro__[1:] if attrs.has(base) for name in attrs.fields_dict(base)}
        for key in entries:
            if key not in own or key in inherited:
                stale.append(f"{class_name}.{key}: not a field or member defined by {class_name}")
            elif key in fields.comment_meanings(cls):
                stale.append(f"{class_name}.{key}: described twice (a '#:' comment in the class and the table)")
    assert not stale, stale


def test_every_field_and_code_of_every_documented_class_has_a_meaning(fields: ModuleType) -> None:
    classes = list(tabled_classes())
    assert models.TaskInfo in classes
    assert models.TaskStatus in classes
    for cls in classes:
        identifier = f"{cls.__module__}.{cls.__name__}"
        table = fields.table_for(identifier)
        expected = (len([f for f in attrs.fields(cls) if not f.name.startswith("_")]) if attrs.has(cls) else len(cls))
        if expected:
            assert table is not None, cls
            assert len(re.findall(r"^\| \[\]\(\)\{#", table, re.M)) == expected, cls


def test_a_model_row_shows_wire_name_aliases_type_links_and_meaning(fields: ModuleType) -> None:
    attrs.resolve_types(models.TaskInfo)  # as the converter does: the annotations as written still show
    table = fields.render_fields(models.TaskInfo, "rayvision_async.models.TaskInfo")
    rows = {row.split("`")[1]: row for row in table.splitlines() if row.startswith("| [](){#")}
    assert len(rows) == len(attrs.fields(models.TaskInfo))
    assert rows["munu_task_id"] == (
        "| [](){#rayvision_async.models.TaskInfo.munu_task_id}`munu_task_id` | `str | None` | "
        "`munuTaskId` (also `menuTaskId`) | Dispatcher task id; older documents spell the key ``menuTaskId``. |")
    assert ("[`TaskKeyValue`][rayvision_async.models.TaskKeyValue] `| None`" in rows["task_key_value_vo"])
    assert "`tuple[`[`TaskInfo`][rayvision_async.models.TaskInfo]`, ...]`" in rows["resp_rendering_task_list"]
    assert "| `taskAlias` | Task name" in rows["task_alias"]


def test_a_class_that_is_not_a_model_shows_defaults_instead_of_wire_names(fields: ModuleType) -> None:
    from rayvision_async import RetryPolicy, Timeouts

    retry = fields.render_fields(RetryPolicy, "rayvision_async.RetryPolicy")
    assert "| field | type | default | meaning |" in retry
    assert "`attempts` | `int` | `3` | Tries in all" in retry
    timeouts = fields.render_fields(Timeouts, "rayvision_async.Timeouts")
    assert "`extension` | `Mapping[str, float | None]` | computed | The ``timeout`` request extension" in timeouts


def test_a_field_nobody_described_fails_with_its_name_and_where_to_describe_it(fields: ModuleType) -> None:
    @attrs.frozen
    class Undescribed:
        #: Described by its comment.
        known: int = 0
        unknown: int = 0

    assert fields.meaning(Undescribed, "known") == "Described by its comment."
    with pytest.raises(fields.UndescribedError, match=r"Undescribed\.unknown .*#:.*field_meanings\.toml"):
        fields.render_fields(Undescribed, "x.Undescribed")


def test_an_inherited_field_is_described_where_it_is_defined(fields: ModuleType) -> None:
    assert fields.meaning(models.TaskInfoPage, "items") == fields.meaning(models.Page, "items")
    assert "total consumption" in fields.meaning(models.TaskInfoPage, "user_account_consume")


def test_cells_escape_pipes_outside_code_spans_only(fields: ModuleType) -> None:
    assert fields.cell("a | b `c | d`\nnext") == "a \\| b `c | d` next"


def test_the_models_page_has_a_block_for_every_public_name_of_models(fields: ModuleType) -> None:
    page = fields.render_model_reference()
    blocks = re.findall(r"^::: rayvision_async\.models\.(\w+)$", page, re.M)
    assert sorted(blocks) == sorted(models.__all__)
    assert page.index("## Tasks") < page.index("::: rayvision_async.models.TaskInfo") < page.index("## Frames")


def test_tables_follow_the_blocks_of_attrs_classes_and_status_enums_only(fields: ModuleType) -> None:
    markdown = ("::: rayvision_async.models.TaskKeyValue\n    options:\n      heading_level: 3\n\n"
                "::: rayvision_async.models.FrameType\n\n::: rayvision_async.AsyncRayvisionAPI\n\nText.\n")
    rendered = fields.append_tables(markdown)
    assert rendered.index("heading_level: 3") < rendered.index("**Fields of `TaskKeyValue`**")
    assert rendered.index("**Fields of `TaskKeyValue`**") < rendered.index("::: rayvision_async.models.FrameType")
    assert "**Codes of `FrameType`**" in rendered
    assert "| [](){#rayvision_async.models.FrameType.MAX_CHANNEL}`MAX_CHANNEL` | 9 |" in rendered
    assert rendered.count("**") == 4  # no table after the client (not an attrs class)
    assert rendered.endswith("Text.\n")
