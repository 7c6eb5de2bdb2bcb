"""Generate ``api/_generated/``: one module per endpoint group, real ``async def`` methods from the table.

Run ``python -m rayvision_async.api._generate`` after changing the endpoint table
(``--check`` exits 1 while the committed files are stale; a test does the same).
This module is the generator only: nothing imports it at run time.

Each group module holds two classes. ``QueryEndpoints``: one method per row,
with the row's parameters as annotated keywords (the official SDK's order, so
positional calls port unchanged) and the row's result type; its body is one call
of the group's caller with its table row. ``RawQueryEndpoints``: the same
signatures returning ``RawResponse[<result>]``, for ``api.with_raw_response``
(its caller is a raw one). ``__init__.py`` adds :class:`RawResponseView`, the
raw view of every group. Defaults that the client computes
(:class:`~._table.Context`) appear as ``None``. The group names and their order
come from the table's ``GROUPS``, as the client's do.
"""

from __future__ import annotations

import sys
import types
import typing
from pathlib import Path
from typing import Any

from ._row import REQUIRED, Context, Endpoint, Param, method_docstring
from ._table import ENDPOINTS, GROUPS

__all__ = ["GENERATED_DIR", "render", "render_all"]

GENERATED_DIR = Path(__file__).with_name("_generated")
COMMAND = "python -m rayvision_async.api._generate"

_TYPING_NAMES = {"Iterable": "collections.abc", "Mapping": "collections.abc", "date": "datetime",
                 "datetime": "datetime", "Any": "typing"}


def class_name(group: str) -> str:
    """``"query"`` → ``"QueryEndpoints"``: the generated class of a group."""
    return f"{group.capitalize()}Endpoints"


def raw_class_name(group: str) -> str:
    """``"query"`` → ``"RawQueryEndpoints"``: the generated raw-response class of a group."""
    return f"Raw{class_name(group)}"


def type_name(tp: Any, models: set[str]) -> str:
    """Source text of a return type, collecting the model names it uses into ``models``."""
    if tp is None or tp is type(None):
        return "None"
    if tp is Any:
        return "Any"
    origin = typing.get_origin(tp)
    if origin is types.UnionType or origin is typing.Union:
        return " | ".join(type_name(arg, models) for arg in typing.get_args(tp))
    if origin is not None:
        args = typing.get_args(tp)
        inner = ", ".join("..." if a is Ellipsis else type_name(a, models) for a in args)
        return f"{type_name(origin, models)}[{inner}]"
    if isinstance(tp, type):
        if tp.__module__.startswith("rayvision_async.models"):
            models.add(tp.__name__)
        return tp.__name__
    raise TypeError(f"cannot name type {tp!r}")


def _parameter(param: Param, aliased: set[str]) -> str:
    annotation = param.kind.annotation
    if param.default is REQUIRED and param.name in aliased:  # its alias keyword may give it instead
        return f"{param.name}: {annotation} | None = None"
    if param.default is REQUIRED:
        return f"{param.name}: {annotation}"
    default = param.default
    if default is None or isinstance(default, Context):
        return f"{param.name}: {annotation} | None = None"
    return f"{param.name}: {annotation} = {default!r}"


def _docstring(endpoint: Endpoint, indent: str) -> str:
    lines = method_docstring(endpoint).replace('"""', "'''").split("\n")
    body = "\n".join([lines[0], *(f"{indent}{line}" if line else "" for line in lines[1:])])
    return f'{indent}"""{body}\n{indent}"""' if len(lines) > 1 else f'{indent}"""{body}"""'


def _signature(endpoint: Endpoint, returns: str) -> str:
    aliased = {p.alias_for for p in endpoint.params if p.alias_for is not None}
    parameters = ["self", *(_parameter(p, aliased) for p in endpoint.params)]
    head = f"    async def {endpoint.name}({', '.join(parameters)}) -> {returns}:"
    if len(head) > 120:
        listed = "".join(f"        {p},\n" for p in parameters)
        head = f"    async def {endpoint.name}(\n{listed}    ) -> {returns}:"
    return head


def _call(endpoint: Endpoint, returns: str) -> str:
    values = ", ".join(f'"{p.name}": {p.name}' for p in endpoint.params)
    call = f'self._caller.call(ROWS["{endpoint.name}"], {{{values}}})'
    if len(call) + len(returns) > 78:
        pairs = "".join(f'            "{p.name}": {p.name},\n' for p in endpoint.params)
        call = f'self._caller.call(ROWS["{endpoint.name}"], {{\n{pairs}        }})'
    if returns == "None":
        return f"        await {call}"
    return f"        result: {returns} = await {call}\n        return result"


def _alias(endpoint: Endpoint, alias: str) -> str:
    """The official SDK's other name for a method, documented as such."""
    return f'\n    {alias} = {endpoint.name}\n    """The same as :meth:`{endpoint.name}` (the official SDK\'s name)."""'


def _method(endpoint: Endpoint, models: set[str]) -> str:
    returns = type_name(endpoint.returns, models)
    lines = ["    @checked_binding()", _signature(endpoint, returns), _docstring(endpoint, "        "),
             _call(endpoint, returns)]
    lines += [_alias(endpoint, alias) for alias in endpoint.aliases]
    return "\n".join(lines) + "\n"


def _raw_method(endpoint: Endpoint, models: set[str]) -> str:
    returns = f"RawResponse[{type_name(endpoint.returns, models)}]"
    doc = (f'        """{endpoint.doc}\n\n        The call of :meth:`{class_name(endpoint.group)}.{endpoint.name}`, '
           "returning a\n        :class:`~rayvision_async.RawResponse` around its result.\n        \"\"\"")
    lines = ["    @checked_binding()", _signature(endpoint, returns), doc, _call(endpoint, returns)]
    lines += [_alias(endpoint, alias) for alias in endpoint.aliases]
    return "\n".join(lines) + "\n"


def render(group: str) -> str:
    """The full text of ``_generated/{group}.py`` for the current table."""
    models: set[str] = set()
    rows = [endpoint for endpoint in ENDPOINTS if endpoint.group == group]
    methods = "\n".join(_method(endpoint, models) for endpoint in rows)
    raw_methods = "\n".join(_raw_method(endpoint, models) for endpoint in rows)
    text = methods + raw_methods
    stdlib: dict[str, set[str]] = {}
    for name, module in _TYPING_NAMES.items():
        if f"{name}[" in text or f" {name}" in text or f"[{name}" in text or f"({name}" in text:
            stdlib.setdefault(module, set()).add(name)
    imports = [f"from {module} import {', '.join(sorted(names))}" for module, names in sorted(stdlib.items())]
    model_import = ""
    if models:
        names = ", ".join(sorted(models))
        model_import = f"from ...models import {names}\n"
        if len(model_import) > 121:
            model_import = "from ...models import (\n" + "".join(f"    {n},\n" for n in sorted(models)) + ")\n"
    exported = ", ".join(f'"{name}"' for name in sorted([class_name(group), raw_class_name(group)]))
    header = (
        f"# Generated by `{COMMAND}` from the endpoint table; do not edit.\n"
        f'"""The ``{group}`` endpoints: one method per row of the endpoint table (``api/_table.py``), raw too."""\n\n'
        "from __future__ import annotations\n\n"
        + ("\n".join(imports) + "\n\n" if imports else "")
        + "from ..._arguments import checked_binding\n"
        "from ..._raw import RawGroupBase, RawResponse\n"
        + model_import
        + "from .._base import GroupBase\n"
        "from .._table import ROWS\n\n"
        f"__all__ = [{exported}]\n\n\n"
        f"class {class_name(group)}(GroupBase):\n"
        f'    """The ``{group}`` endpoints, generated; the hand-written group class subclasses this."""\n\n'
        "    __slots__ = ()\n\n"
    )
    raw_header = (
        f"\n\nclass {raw_class_name(group)}(RawGroupBase):\n"
        f'    """``api.with_raw_response.{group}``: each ``{group}`` endpoint returning a '
        '``RawResponse``."""\n\n'
        "    __slots__ = ()\n"
        f'    group_name = "{group}"\n\n'
    )
    return header + methods + raw_header + raw_methods


def render_init() -> str:
    """The text of ``_generated/__init__.py``: the classes, and the raw view of every group in ``GROUPS`` order."""
    ordered = sorted(GROUPS)
    exported = sorted([*(class_name(g) for g in GROUPS), *(raw_class_name(g) for g in GROUPS), "RawResponseView"])
    names = "".join(f'    "{name}",\n' for name in exported)
    assignments = "".join(f"        self.{g} = {raw_class_name(g)}(caller)\n" for g in GROUPS)
    slots = ", ".join(f'"{g}"' for g in sorted(GROUPS))
    return (
        f"# Generated by `{COMMAND}` from the endpoint table; do not edit.\n"
        '"""The generated endpoint classes, one module per group, and the raw view of all groups."""\n\n'
        "from __future__ import annotations\n\n"
        "from typing import TYPE_CHECKING\n\n"
        + "".join(f"from .{g} import {', '.join(sorted([class_name(g), raw_class_name(g)]))}\n" for g in ordered)
        + "\nif TYPE_CHECKING:\n    from ..._caller import Caller\n\n"
        + f"__all__ = [\n{names}]\n\n\n"
        "class RawResponseView:\n"
        '    """``api.with_raw_response``: every endpoint group, each call returning a ``RawResponse``."""\n\n'
        f"    __slots__ = ({slots})\n\n"
        "    def __init__(self, caller: Caller) -> None:\n"
        + assignments
        + "\n    def __repr__(self) -> str:\n"
        '        return f"<with_raw_response over {self.user._caller!r}>"\n'
    )


def render_all() -> dict[Path, str]:
    """Every generated file and its text."""
    files = {GENERATED_DIR / f"{group}.py": render(group) for group in GROUPS}
    files[GENERATED_DIR / "__init__.py"] = render_init()
    return files


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    files = render_all()
    if "--check" in argv:
        stale = [path for path, text in files.items()
                 if not path.exists() or path.read_text(encoding="utf-8") != text]
        for path in stale:
            print(f"{path} is stale: run {COMMAND}", file=sys.stderr)
        return 1 if stale else 0
    GENERATED_DIR.mkdir(exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
