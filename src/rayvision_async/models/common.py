"""Miscellaneous models: platforms, error-code details, hardware configs, pack nodes, projects."""

from __future__ import annotations

from datetime import datetime

import attrs

from .._arguments import checked_binding
from ..api._kinds import text
from ._base import ServiceModel
from ._meta import int32

__all__ = [
    "ErrorCodeInfo",
    "HardwareConfig",
    "NotSupportedCgVersion",
    "PackNode",
    "Platform",
    "Project",
    "ProjectList",
]

#: A name looked up in a model: a str of valid Unicode, at most 4096 characters.
_NAME = text()


@attrs.frozen(kw_only=True, weakref_slot=False)
class Platform(ServiceModel):
    """A render platform (cluster) the account can use (common/queryPlatforms).

    ``type`` is 0 GPU, 1 CPU, 2 picture; ``status`` 0..3 is the platform's load state.
    """

    platform: int | None = int32()
    name: str | None = None
    type: int | None = int32()
    status: int | None = None
    task_prefix: str | None = None
    is_show: int | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class ErrorCodeInfo(ServiceModel):
    """Description and solution of an analysis error code (submit/queryAnalyseErrorDetail).

    ``code`` is a string on the wire (e.g. ``"15000"``). ``type`` is 0 for a warning that can
    be ignored and 1 for an error; ``language_flag`` 0 Chinese, 1 English. ``update_time`` is UTC.
    """

    id: int | None = None
    code: str | None = None
    type: int | None = int32()
    language_flag: int | None = int32()
    des_description_cn: str | None = None
    des_solution_cn: str | None = None
    solution_path: str | None = None
    is_repair: int | None = int32()
    is_delete: int | None = None
    is_open: int | None = int32()
    last_modify_admin: str | None = None
    update_time: datetime | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class NotSupportedCgVersion(ServiceModel):
    """A software version a hardware configuration cannot render."""

    cg_id: int | None = int32()
    cg_version_name: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class HardwareConfig(ServiceModel):
    """A render-node hardware configuration (hardwareConfig/list).

    ``type`` is 1 CPU, 2 GPU; ``current`` marks the configuration in use.
    ``not_support_plugin_list`` holds regular expressions of unsupported plugin names. No
    example response is documented: ``ram`` and ``not_support_code`` keep an integer when the
    value is numeric and the raw string otherwise.
    """

    id: int | None = None
    type: int | None = int32()
    model: str | None = None
    gpu_num: int | None = None
    ram: int | str | None = None
    platform: int | None = int32()
    current: bool | None = None
    status: int | None = None
    not_support_cg_id: tuple[int, ...] = ()
    not_support_code: int | str | None = None
    not_support_cg_versions: tuple[NotSupportedCgVersion, ...] = ()
    not_support_plugin_list: tuple[str, ...] = ()


@attrs.frozen(kw_only=True, weakref_slot=False)
class PackNode(ServiceModel):
    """A pack node the account may submit through (submit/getUserPackNodeInfo)."""

    pack_node_id: int | str | None = None
    pack_name: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class Project(ServiceModel):
    """A project (a.k.a. label) name and its id."""

    project_id: int | None = None
    project_name: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class ProjectList(ServiceModel):
    """The account's projects (project/getList and project/list)."""

    project_name_list: tuple[Project, ...] = ()

    @property
    def projects(self) -> tuple[Project, ...]:
        """The projects (``projectNameList``)."""
        return self.project_name_list

    @checked_binding()
    def find(self, name: str) -> Project | None:
        """The project named exactly ``name``, or None."""
        _NAME.check(name, "project name")
        for project in self.project_name_list:
            if project.project_name == name:
                return project
        return None
