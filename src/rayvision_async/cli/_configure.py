"""``configure``: write a profile of the config file, or show one (never its access key).

Flags set what they name; on a terminal with no flag, each setting is asked
for (Enter keeps the current value) and the access key is read with
``getpass`` (no echo). ``--access-key-stdin`` reads the key from standard input
instead (for scripts). The key goes to the system keyring when ``keyring`` is
installed and works (``--key-store auto``), else into the file, which is
written owner-only (see :mod:`._profiles`).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from ._exit import EXIT_CONFIG, EXIT_OK, EXIT_USAGE
from ._failure import CommandError
from ._output import print_json
from ._profiles import (
    FIELDS,
    KEYRING_SERVICE,
    SECRET,
    config_path,
    key_in_keyring,
    keyring_module,
    load_profiles,
    write_profile,
)

__all__: list[str] = []

_PROMPTS = {"access_id": "Access id", "domain": "Domain (task.renderbus.com, task.foxrenderfarm.com…)",
            "platform": "Platform", "base_url": "Base URL (empty: https://DOMAIN)", "protocol": "Path set "
            "(current or 2018)"}


def _profile_name(args: argparse.Namespace) -> str:
    return args.profile or os.environ.get("RAYVISION_PROFILE") or "default"


def _key_source(profile: dict[str, str]) -> str | None:
    if profile.get(SECRET):
        return "file"
    access_id = profile.get("access_id")
    if access_id and key_in_keyring(access_id):
        return "keyring"
    return None


def _show(args: argparse.Namespace, name: str) -> int:
    path = config_path()
    profiles = load_profiles(path)
    if name not in profiles:
        raise CommandError(f"configure: no profile {name!r} in {path} (profiles: "
                           f"{', '.join(sorted(profiles)) or 'none'})", EXIT_CONFIG)
    profile = profiles[name]
    shown: dict[str, Any] = {"profile": name, "path": str(path),
                             **{field: profile.get(field) for field in FIELDS}, "access_key": _key_source(profile)}
    if args.json:
        print_json(shown)
    else:
        for key, value in shown.items():
            label = "access_key" if key == "access_key" else key
            text = ("stored in the " + value if value else "not stored") if key == "access_key" else (value or "")
            print(f"{label:<11} {text}")
    return EXIT_OK


def _ask(current: dict[str, str]) -> tuple[dict[str, str | None], str | None]:
    values: dict[str, str | None] = {}
    for field, prompt in _PROMPTS.items():
        now = current.get(field) or FIELDS[field][1] or ""
        answer = input(f"{prompt} [{now}]: ").strip()
        if answer:
            values[field] = answer
        elif field not in current and now:
            values[field] = now
    key = getpass.getpass("Access key (not shown; Enter keeps the current one): ").strip()
    return values, key or None


def _store_key(args: argparse.Namespace, access_id: str | None, key: str) -> str:
    """Put ``key`` in the keyring (returns "keyring") or leave it for the file (returns "file")."""
    if args.key_store == "file":
        return "file"
    if not access_id:
        raise CommandError("configure: the access key needs an access id (--access-id)", EXIT_USAGE)
    keyring = keyring_module()
    if keyring is None:
        if args.key_store == "keyring":
            raise CommandError("configure: --key-store keyring needs the keyring package: pip install keyring",
                               EXIT_CONFIG)
        return "file"
    try:
        keyring.set_password(KEYRING_SERVICE, access_id, key)
    except Exception as exc:  # keyring.errors.KeyringError, NoKeyringError, a backend's own
        if args.key_store == "keyring":
            raise CommandError(f"configure: the keyring refused the key: {type(exc).__name__}", EXIT_CONFIG) from None
        return "file"
    return "keyring"


def run_configure(args: argparse.Namespace) -> int:
    """Write (or, with ``--show``, print) the profile."""
    name = _profile_name(args)
    if args.show:
        return _show(args, name)
    if args.json:
        raise CommandError("configure: --json goes with --show", EXIT_USAGE)
    current = load_profiles().get(name, {})
    values: dict[str, str | None] = {field: getattr(args, field) for field in FIELDS if getattr(args, field)}
    key: str | None = None
    if args.access_key_stdin:
        key = sys.stdin.readline().strip()
        if not key:
            raise CommandError("configure: --access-key-stdin read no key", EXIT_USAGE)
    if not values and key is None:
        if not sys.stdin.isatty():
            raise CommandError("configure: nothing to set: pass settings as flags (see --help), or run it on a "
                               "terminal to be asked", EXIT_USAGE)
        values, key = _ask(current)
    stored = "unchanged"
    if key is not None:
        access_id = values.get("access_id") or current.get("access_id")
        stored = _store_key(args, access_id, key)
        values[SECRET] = key if stored == "file" else None  # a key in the keyring is not kept in the file too
    path = write_profile(name, values)
    print(f"profile {name!r} written to {path} (access key: "
          f"{'in the ' + stored if stored != 'unchanged' else 'unchanged'})", flush=True)
    return EXIT_OK
