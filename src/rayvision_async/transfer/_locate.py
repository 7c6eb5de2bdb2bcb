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

from .._arguments import checked_binding
from ..api import _kinds as kinds
from ..errors import ConfigurationError, InvalidInputError
from ..flows._analysis import file_path
from ..models._checks import install as install_checks
from ._errors import TransmitterNotFoundError

__all__ = ["DISTRIBUTION", "ENV_VAR", "Transmitter", "TransmitterSetting", "check_setting", "engine_file_in_wheel",
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


install_checks(Transmitter)  # built by hand (a test's stand-in), it refuses wrong types too (models/_checks.py)


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
    try:
        return _program_file(path, source)
    except OSError as exc:  # a name too long, a folder that cannot be searched…
        raise ConfigurationError(f"the transfer engine from {source} cannot be looked at: {path}: "
                                 f"{exc.strerror or exc}") from None


def _program_file(path: Path, source: str) -> Path:
    if not path.exists():
        raise TransmitterNotFoundError(f"the transfer engine from {source} does not exist: {path}\n{how_to_get_one()}")
    if not path.is_file():
        raise ConfigurationError(f"the transfer engine from {source} is not a file: {path}")
    if os.name == "posix" and not os.access(path, os.X_OK):
        raise ConfigurationError(
            f"the transfer engine from {source} is not executable: {path}. The wheel ships it without the execute "
            f"bit; make it executable for your user only: chmod u+x '{path}'")
    return path


#: The most items a transmitter command may have (a program and its leading arguments).
_MAX_COMMAND_ITEMS = 64


def _path_text(value: object, what: str) -> str:
    """A path's text: non-empty, valid Unicode, no NUL, at most 4096 characters; else ConfigurationError."""
    try:
        text = file_path(value, what)  # type: ignore[arg-type]
    except InvalidInputError as exc:
        raise ConfigurationError(str(exc)) from None
    if not text.strip() or "\0" in text:
        raise ConfigurationError(f"{what} must be a non-empty path without NUL characters")
    return text


def check_setting(setting: object) -> tuple[str, ...]:
    """The form of a transmitter setting, checked (nothing is looked for): the command it names, as a tuple.

    A path (text or path-like) is a one-item command; a command is a sequence (list, tuple) of 1 to 64
    non-empty strings without NUL characters. Anything else is a ``ConfigurationError``.
    """
    if isinstance(setting, str | os.PathLike):
        return (_path_text(setting, "transmitter"),)
    if isinstance(setting, str | bytes | bytearray) or not isinstance(setting, Sequence):
        raise ConfigurationError(
            f"transmitter must be a path or a command (a list of strings), not {type(setting).__name__}")
    try:
        argv = tuple(kinds.read_items(setting, "transmitter"))
    except InvalidInputError as exc:
        raise ConfigurationError(str(exc)) from None
    if not 0 < len(argv) <= _MAX_COMMAND_ITEMS or not all(isinstance(item, str) for item in argv):
        raise ConfigurationError(f"a transmitter command must be a list of 1 to {_MAX_COMMAND_ITEMS} strings")
    return (_path_text(argv[0], "transmitter[0]"), *(_path_text(item, f"transmitter[{index}]")
                                                     for index, item in enumerate(argv[1:], 1)))


def _from_setting(setting: TransmitterSetting) -> Transmitter:
    program, *leading = check_setting(setting)
    found = str(_checked_program(Path(program).expanduser(), "the transmitter setting"))
    return Transmitter((found, *leading), "the transmitter setting")


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
    if not isinstance(distribution, importlib.metadata.Distribution):
        raise ConfigurationError(f"lookup({DISTRIBUTION!r}) gave a {type(distribution).__name__}, not a Distribution")
    for file in distribution.files or ():
        if file.as_posix() == wanted:
            source = f"the installed {DISTRIBUTION} {distribution.version}"
            return Transmitter((str(_checked_program(Path(str(distribution.locate_file(file))), source)),), source)
    return None


@checked_binding(ConfigurationError)
def find_transmitter(
    setting: TransmitterSetting | None = None, *, environ: Mapping[str, str] | None = None,
    lookup: Callable[[str], importlib.metadata.Distribution] | None = None,
) -> Transmitter:
    """The engine to run: the setting, else ``$RAYVISION_TRANSMITTER``, else an installed ``rayvision-sync``.

    Raises :class:`TransmitterNotFoundError` (a ``ConfigurationError``) with instructions when
    none is found, and ``ConfigurationError`` for one that is not an executable file (or for
    ``environ`` that is not a mapping of texts, ``lookup`` that is not a function). Nothing is run.
    """
    if environ is not None and not isinstance(environ, Mapping):
        raise ConfigurationError(f"environ must be a mapping (like os.environ), not {type(environ).__name__}")
    if lookup is not None and not callable(lookup):
        raise ConfigurationError(f"lookup must be a function (like importlib.metadata.distribution), not "
                                 f"{type(lookup).__name__}")
    if setting is not None:
        return _from_setting(setting)
    value = _environment_value(os.environ if environ is None else environ)
    if value:
        program = _checked_program(Path(_path_text(value, f"${ENV_VAR}")).expanduser(), f"${ENV_VAR}")
        return Transmitter((str(program),), f"${ENV_VAR}")
    found = _from_distribution(lookup or importlib.metadata.distribution)
    if found is None:
        raise TransmitterNotFoundError(how_to_get_one())
    return found


def _environment_value(environ: Mapping[str, str]) -> str:
    """``$RAYVISION_TRANSMITTER`` from ``environ`` (stripped; "" when unset)."""
    try:
        value = environ.get(ENV_VAR, "")
    except Exception as exc:  # a caller's mapping that fails when read
        raise ConfigurationError(f"environ cannot be read: {type(exc).__name__}") from None
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ConfigurationError(f"${ENV_VAR} in environ must be a str, not {type(value).__name__}")
    return value.strip()
