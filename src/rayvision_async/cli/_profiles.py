"""Profiles: named settings in a TOML config file, and how a command's settings are resolved.

The file is ``config.toml`` in the platform's user config folder:
``$XDG_CONFIG_HOME/rayvision-async/`` when that variable is set, else
``~/.config/rayvision-async/`` on Linux, ``~/Library/Application Support/rayvision-async/``
on macOS and ``%APPDATA%\\rayvision-async\\`` on Windows. It holds one table per profile::

    [profiles.default]
    access_id = "AKID..."
    domain = "task.renderbus.com"
    platform = "4"
    base_url = "https://task.renderbus.com"
    protocol = "current"
    access_key = "..."        # only when the key is not in the system keyring

``configure`` writes it with owner-only permissions (0600, its folder 0700); a file that
group or others may read or write is refused (exit code 3), as ssh refuses a readable key.
The access key comes from ``--access-key``, else ``$RAYVISION_API_KEY``, else the profile's
``access_key``, else the system keyring (when the ``keyring`` package is installed; service
``rayvision-async``, user the access id). Every other setting: the flag, else its
``RAYVISION_*`` variable, else the profile, else the built-in default. The profile is
``--profile``, else ``$RAYVISION_PROFILE``, else ``default`` (which may be absent).
"""

from __future__ import annotations

import os
import stat
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ._exit import EXIT_CONFIG
from ._failure import CommandError

__all__ = ["FIELDS", "KEYRING_SERVICE", "Settings", "config_path", "key_in_keyring", "keyring_module", "load_profiles",
           "resolve", "write_profile"]

APP = "rayvision-async"
KEYRING_SERVICE = "rayvision-async"
#: A profile's settings, in the order the file lists them, with their variable and built-in default.
FIELDS: dict[str, tuple[str, str | None]] = {
    "access_id": ("RAYVISION_API_ACCESS_ID", None),
    "domain": ("RAYVISION_DOMAIN", "task.renderbus.com"),
    "platform": ("RAYVISION_PLATFORM", "4"),
    "base_url": ("RAYVISION_BASE_URL", None),
    "protocol": ("RAYVISION_PROTOCOL", "current"),
}
SECRET = "access_key"


def config_path() -> Path:
    """Where the config file is (it may not exist)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        folder = Path(xdg)
    elif sys.platform == "win32":
        folder = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        folder = Path.home() / "Library" / "Application Support"
    else:
        folder = Path.home() / ".config"
    return folder / APP / "config.toml"


def _refuse(message: str) -> CommandError:
    return CommandError(message, EXIT_CONFIG)


def _check_private(path: Path, info: os.stat_result) -> None:
    if sys.platform != "win32" and info.st_mode & 0o077:
        raise _refuse(f"{path} may be read or changed by others (mode {stat.filemode(info.st_mode)}); it can hold "
                      f"an access key: run chmod 600 {path}")


def load_profiles(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Every profile of the config file (none if it does not exist); refused if others may read it."""
    path = path or config_path()
    try:
        with path.open("rb") as file:
            _check_private(path, os.fstat(file.fileno()))
            document = tomllib.load(file)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise _refuse(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise _refuse(f"{path} is not valid TOML: {exc}") from None
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise _refuse(f"{path}: 'profiles' must be a table of profiles")
    checked: dict[str, dict[str, str]] = {}
    for name, values in profiles.items():
        if not isinstance(values, dict) or not all(isinstance(value, str) for value in values.values()):
            raise _refuse(f"{path}: profile {name!r} must be a table of strings")
        unknown = set(values) - set(FIELDS) - {SECRET}
        if unknown:
            raise _refuse(f"{path}: profile {name!r} has unknown settings {sorted(unknown)}; known: "
                          f"{', '.join([*FIELDS, SECRET])}")
        checked[name] = dict(values)
    return checked


def keyring_module() -> Any:
    """The ``keyring`` module, or None when it is not installed."""
    try:
        import keyring
    except ImportError:
        return None
    return keyring


def key_in_keyring(access_id: str) -> str | None:
    """The access key the system keyring holds for ``access_id`` (None: no keyring, no backend, no key)."""
    keyring = keyring_module()
    if keyring is None:
        return None
    try:
        key: str | None = keyring.get_password(KEYRING_SERVICE, access_id)
    except Exception:  # keyring.errors.KeyringError and its backends' own: no usable keyring
        return None
    return key


@attrs.frozen(kw_only=True)
class Settings:
    """What a command connects with, and where each came from (``sources``: setting → flag/env/profile/default)."""

    profile: str
    access_id: str | None
    access_key: str | None = attrs.field(repr=False)
    domain: str
    platform: str
    base_url: str | None
    protocol: str
    sources: Mapping[str, str]


def _profile_name(flag: str | None) -> tuple[str, bool]:
    if flag:
        return flag, True
    named = os.environ.get("RAYVISION_PROFILE")
    return (named, True) if named else ("default", False)


def resolve(args: Any) -> Settings:
    """The settings of a command: its flags, else the ``RAYVISION_*`` variables, else the profile, else defaults."""
    name, named = _profile_name(getattr(args, "profile", None))
    path = config_path()
    profiles = load_profiles(path)
    if named and name not in profiles:
        listed = ", ".join(sorted(profiles)) or "none"
        raise _refuse(f"no profile {name!r} in {path} (profiles: {listed}); create it with: "
                      f"rayvision-async configure --profile {name}")
    profile = profiles.get(name, {})
    values: dict[str, str | None] = {}
    sources: dict[str, str] = {}
    for field, (variable, default) in FIELDS.items():
        for source, value in (("flag", getattr(args, field, None)), ("env", os.environ.get(variable)),
                              ("profile", profile.get(field)), ("default", default)):
            if value:
                values[field], sources[field] = value, source
                break
        else:
            values[field] = None
    access_id = values["access_id"]
    key = getattr(args, "access_key", None)
    key_source = "flag"
    if not key and os.environ.get("RAYVISION_API_KEY"):
        key, key_source = os.environ["RAYVISION_API_KEY"], "env"
    if not key and access_id and profile.get(SECRET) and profile.get("access_id") == access_id:
        key, key_source = profile[SECRET], "profile"
    if not key and access_id:
        key, key_source = key_in_keyring(access_id), "keyring"
    if key:
        sources[SECRET] = key_source
    return Settings(profile=name, access_id=access_id, access_key=key or None, domain=values["domain"] or "",
                    platform=values["platform"] or "", base_url=values["base_url"], protocol=values["protocol"] or "",
                    sources=sources)


def _toml_string(text: str) -> str:
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def render(profiles: Mapping[str, Mapping[str, str]]) -> str:
    """The config file's text for ``profiles`` (settings in :data:`FIELDS` order, the key last)."""
    lines = ["# rayvision-async profiles, written by `rayvision-async configure`.",
             "# Keep it private (chmod 600): it may hold an access key."]
    for name, values in profiles.items():
        lines += ["", f"[profiles.{_toml_string(name)}]"]
        lines += [f"{field} = {_toml_string(values[field])}" for field in [*FIELDS, SECRET] if values.get(field)]
    return "\n".join(lines) + "\n"


def write_profile(name: str, values: Mapping[str, str | None], path: Path | None = None) -> Path:
    """Set profile ``name``'s settings (``None`` removes one) and write the file, owner-only, atomically."""
    path = path or config_path()
    profiles = load_profiles(path)
    profile = dict(profiles.get(name, {}))
    for field, value in values.items():
        if value is None:
            profile.pop(field, None)
        else:
            profile[field] = value
    profiles[name] = profile
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(render(profiles))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _refuse(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
