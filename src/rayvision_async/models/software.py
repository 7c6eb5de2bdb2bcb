"""Software models: supported DCC software, versions and plugins, and user render environments."""

from __future__ import annotations

import attrs

from ._base import ServiceModel
from ._meta import int32

__all__ = [
    "CreatedRenderEnv",
    "Plugin",
    "PluginVersion",
    "RenderEnv",
    "Software",
    "SoftwareDetail",
    "SoftwareVersion",
    "SupportedSoftware",
]


@attrs.frozen(kw_only=True, weakref_slot=False)
class Software(ServiceModel):
    """A DCC application the farm renders (``cg_id`` 2000 Maya, 2001 3ds Max, 2004 Houdini, …).

    ``cg_type`` lists the scene-file suffixes, separated by ``;`` (see :attr:`file_suffixes`).
    """

    cg_id: int | None = int32()
    cg_name: str | None = None
    cg_type: str | None = None
    icon_path: str | None = None
    is_need_project_path: int | None = int32()
    is_need_analyse: int | None = int32()
    is_support_linux: int | None = int32()

    @property
    def file_suffixes(self) -> tuple[str, ...]:
        """The scene-file suffixes in ``cg_type`` (``"ma;mb"`` → ``("ma", "mb")``)."""
        if not self.cg_type:
            return ()
        return tuple(s.strip() for s in self.cg_type.split(";") if s.strip())


@attrs.frozen(kw_only=True, weakref_slot=False)
class SupportedSoftware(ServiceModel):
    """The software list (plugin/querySoftwareList), with the default and auto-commit setting."""

    is_auto_commit: int | None = int32()
    default_cg_id: int | None = int32()
    render_info_list: tuple[Software, ...] = ()


@attrs.frozen(kw_only=True, weakref_slot=False)
class PluginVersion(ServiceModel):
    """One version of a plugin; ``plugin_id`` is what render environments reference."""

    plugin_id: int | None = int32()
    plugin_name: str | None = None
    plugin_version: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class Plugin(ServiceModel):
    """A plugin available for one software version (``cv_id`` = :attr:`SoftwareVersion.id`)."""

    cv_id: int | None = int32()
    plugin_name: str | None = None
    plugin_versions: tuple[PluginVersion, ...] = ()


@attrs.frozen(kw_only=True, weakref_slot=False)
class SoftwareVersion(ServiceModel):
    """One supported version of a DCC application; ``id`` is the software-version id."""

    id: int | None = None
    cg_id: int | None = int32()
    cg_name: str | None = None
    cg_version: str | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class SoftwareDetail(ServiceModel):
    """Versions and plugins supported for one DCC application (plugin/querySoftwareDetail)."""

    cg_plugin: tuple[Plugin, ...] = ()
    cg_version: tuple[SoftwareVersion, ...] = ()

    @property
    def plugins(self) -> tuple[Plugin, ...]:
        """The supported plugins (``cgPlugin``)."""
        return self.cg_plugin

    @property
    def versions(self) -> tuple[SoftwareVersion, ...]:
        """The supported software versions (``cgVersion``)."""
        return self.cg_version


@attrs.frozen(kw_only=True, weakref_slot=False)
class RenderEnv(ServiceModel):
    """A user render environment ("user plugin config", plugin/getUserPluginConfig).

    ``os_name`` is 0 for Linux and 1 for Windows. The 2020 protocol spells ``cglId`` for
    ``cgId``; both are accepted. ``resp_user_plugin_info_vos`` is also available as
    :attr:`plugins`.
    """

    cg_id: int | None = int32("cglId")
    cg_name: str | None = None
    cg_version: str | None = None
    edit_name: str | None = None
    os_name: int | None = int32()
    render_layer_type: int | None = int32()
    is_default: int | None = int32()
    project_path: str | None = None
    is_main_user_id: int | None = None
    resp_user_plugin_info_vos: tuple[PluginVersion, ...] = ()

    @property
    def plugins(self) -> tuple[PluginVersion, ...]:
        """The environment's plugin versions (``respUserPluginInfoVos``)."""
        return self.resp_user_plugin_info_vos


@attrs.frozen(kw_only=True, weakref_slot=False)
class CreatedRenderEnv(ServiceModel):
    """Result of plugin/addUserPluginConfig: the name of the new render environment."""

    edit_name: str | None = None
