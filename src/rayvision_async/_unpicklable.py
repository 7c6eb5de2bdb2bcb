"""Objects that hold the access key are never pickled or deep-copied: a clear error instead.

A pickled client carried the access key in plain text (into a cache, a task queue, another
process's memory), and a copy of it would hold connections and locks that belong to one event
loop. So the client, its endpoint groups and views, the signer and the channel refuse with a
:class:`~rayvision_async.errors.ConfigurationError` (a ``TypeError`` too, as ``pickle`` and ``copy``
expect of what cannot be pickled). ``copy.deepcopy`` refuses as well: there is no independent copy of
a live client (build one per process or event loop; ``with_options()`` gives a view sharing it).
``copy.copy`` of the client stays the shallow view it always was.

The client and the signer call :func:`refuse` from their ``__reduce_ex__`` and ``__deepcopy__`` (so
subclasses refuse too); :func:`register` adds the same refusal through :mod:`copyreg` for the groups
and the channel (``pickle`` and ``copy.deepcopy`` consult its table before the object itself).
"""

from __future__ import annotations

import copyreg
from typing import Any, NoReturn

from .errors import ConfigurationError

__all__ = ["refuse", "register"]


def refuse(obj: object, *_: Any) -> NoReturn:
    """Raise the error that says why ``obj`` cannot be pickled or copied (any extra arguments ignored)."""
    raise ConfigurationError(
        f"{type(obj).__name__} objects cannot be pickled or deep-copied: they hold the access key (and connections "
        "of one event loop). Build a client in each process or event loop; with_options() gives a view of one")


def register(*classes: type) -> None:
    """Make ``pickle`` and ``copy.deepcopy`` refuse instances of exactly these classes."""
    for cls in classes:
        copyreg.pickle(cls, refuse)
