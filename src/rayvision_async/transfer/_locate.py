"""Finding the transfer engine: a setting, then ``$RAYVISION_TRANSMITTER``, then an installed ``rayvision-sync``.

The engine is Rayvision's native ``rayvision_transmitter`` program, shipped inside the official
``rayvision-sync`` wheel. :func:`find_transmitter` looks, in order, at

1. the explicit setting (``Transfer(transmitter=...)``): a path, or a command as a sequence of
   strings (``[sys.executable, "path/to/stand_in.py"]``) whose arguments come before the engine's;
2. ``$RAYVISION_TRANSMITTER``: a path (never split or parsed by a shell);
3. the files of an installed ``rayvision-sync`` distribution, read through
   :mod:`importlib.metadata` (the package is never imported).

A path must name an executable file: the wheel ships the engine without the execute bit (the
official package runs ``chmod 777 -R`` on its folder before every command); this SDK changes no
permission and says what to run instead. When nothing is found, :class:`TransmitterNotFoundError`
says exactly how to get an engine.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs

from ..errors import ConfigurationError
from ._errors import TransmitterNotFoundError

__all__ = ["DISTRIBUTION", "ENV_VAR", "Transmitter", "TransmitterSetting", "engine_file_in_wheel",
           "find_transmitter"]

ENV_VAR = "RAYVISION_TRANSMITTER"
DISTRIBUTION = "rayvision-sync"
#: The engine's place inside the ``rayvision-sync`` wheel, per platform.
_WHEEL_FILES = {
    "linux": "rayvision_sync/transmission/linux/rayvision_transmitter",
    "win32": "rayvision_sync/transmission/windows/rayvision_transmitter.exe",
}

#: A path, or a command (program and leading arguments).
TransmitterSetting = str | os.PathLike[str] | Sequence[str]


def engine_file_in_wheel(platform: str = sys.platform) -> str | None:
    """The engine's path inside the ``rayvision-sync`` wheel for ``platform`` (None: it ships none)."""
    return _WHEEL_FILES.get("win32" if platform.startswith("win") else platform)


@attrs.frozen
class Transmitter:
    """A found engine: the command to start it (``argv``, arguments follow) and where it came from."""

    #: The command that starts the engine; its arguments follow.
    argv: tuple[str, ...]
    #: Where it was found: the setting, ``$RAYVISION_TRANSMITTER`` or the installed ``rayvision-sync``.
    source: str

    @property
    def program(self) -> Path:
        """The program that is executed (the command's first item)."""
        return Path(self.argv[0])

    @property
    def is_native(self) -> bool:
        """Whether this is Rayvision's own ``rayvision_transmitter`` program (not a stand-in command)."""
        return len(self.argv) == 1 and self.program.stem == "rayvision_transmitter"

    def __str__(self) -> str:
        return f"{' '.join(self.argv)} (from {self.source})"


def how_to_get_one() -> str:
    """The instructions :class:`TransmitterNotFoundError` gives."""
    inside = engine_file_in_wheel() or _WHEEL_FILES["linux"]
    return (
        "no transfer engine (rayvision_transmitter) was found. Get one in any of these ways:\n"
        f"  * pass Transfer(api, transmitter='/path/to/rayvision_transmitter') or set {ENV_VAR}=/path/to/it;\n"
        f"  * take it from the official wheel without installing that package or its pinned dependencies:\n"
        f"      pip download {DISTRIBUTION} --no-deps -d /tmp/rayvision-sync\n"
        f"      unzip /tmp/rayvision-sync/rayvision_sync-*.whl '{inside.rsplit('/', 1)[0]}/*' -d /tmp/rayvision-sync\n"
        f"      chmod u+x /tmp/rayvision-sync/{inside}\n"
        f"    then {ENV_VAR}=/tmp/rayvision-sync/{inside} (keep its aspera/ folder beside it for engine='aspera');\n"
        f"  * or pip install {DISTRIBUTION} into this environment: its files are found through package metadata\n"
        "    (it pins requests==2.23.0 and tenacity==7.0.0).\n"
        "For tests and demos, the simulator's stand-in engine: see `rayvision-async simulate` and the pytest plugin."
    )


def _checked_program(path: Path, source: str) -> Path:
    if not path.exists():
        raise TransmitterNotFoundError(f"the transfer engine from {source} does not exist: {path}\n{how_to_get_one()}")
    if not path.is_file():
        raise ConfigurationError(f"the transfer engine from {source} is not a file: {path}")
    if os.name == "posix" and not os.access(path, os.X_OK):
        raise ConfigurationError(
            f"the transfer engine from {source} is not executable: {path}. The wheel ships it without the execute "
            f"bit; make it executable for your user only: chmod u+x '{path}'")
    return path


def _from_setting(setting: TransmitterSetting) -> Transmitter:
    if isinstance(setting, str | os.PathLike):
        text = os.fspath(setting)
        if not isinstance(text, str) or not text.strip() or "\0" in text:
            raise ConfigurationError("transmitter must be a non-empty path (or a command as a list of strings)")
        return Transmitter((str(_checked_program(Path(text).expanduser(), "the transmitter setting")),),
                           "the transmitter setting")
    if isinstance(setting, bytes) or not isinstance(setting, Sequence):
        raise ConfigurationError(
            f"transmitter must be a path or a command (a list of strings), not {type(setting).__name__}")
    argv = tuple(setting)
    if not argv or not all(isinstance(item, str) and item and "\0" not in item for item in argv):
        raise ConfigurationError("a transmitter command must be a non-empty list of non-empty strings")
    program = _checked_program(Path(argv[0]).expanduser(), "the transmitter setting")
    return Transmitter((str(program), *argv[1:]), "the transmitter setting")


def _from_distribution(
    lookup: Callable[[str], importlib.metadata.Distribution],
) -> Transmitter | None:
    wanted = engine_file_in_wheel()
    if wanted is None:
        return None
    try:
        distribution = lookup(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in distribution.files or ():
        if file.as_posix() == wanted:
            source = f"the installed {DISTRIBUTION} {distribution.version}"
            return Transmitter((str(_checked_program(Path(str(distribution.locate_file(file))), source)),), source)
    return None


def find_transmitter(
    setting: TransmitterSetting | None = None, *, environ: Mapping[str, str] | None = None,
    lookup: Callable[[str], importlib.metadata.Distribution] | None = None,
) -> Transmitter:
    """The engine to run: the setting, else ``$RAYVISION_TRANSMITTER``, else an installed ``rayvision-sync``.

    Raises :class:`TransmitterNotFoundError` (a ``ConfigurationError``) with instructions when
    none is found, and ``ConfigurationError`` for one that is not an executable file. Nothing is run.
    """
    if setting is not None:
        return _from_setting(setting)
    value = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if value:
        program = _checked_program(Path(value).expanduser(), f"${ENV_VAR}")
        return Transmitter((str(program),), f"${ENV_VAR}")
    found = _from_distribution(lookup or importlib.metadata.distribution)
    if found is None:
        raise TransmitterNotFoundError(how_to_get_one())
    return found
