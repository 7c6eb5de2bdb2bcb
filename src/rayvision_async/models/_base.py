"""The base every response model shares: :meth:`ServiceModel.to_dict`, the service's camelCase dict."""

from __future__ import annotations

from typing import Any

from .._arguments import checked_binding

__all__ = ["PATHS_OR_TEXT", "ServiceModel"]

#: Thumbnail paths: the service answers a list of paths, the documents also show a bare "SUCCESS".
PATHS_OR_TEXT = tuple[str, ...] | str


class ServiceModel:
    """A response model: ``to_dict()`` gives it back as the service's camelCase dict.

    The dict is what :func:`~rayvision_async.models._converter.unstructure` makes: wire keys,
    times as epoch milliseconds, enums as their codes, money as ``Decimal``, sequences as lists.
    Structuring it again gives an equal model.
    """

    __slots__ = ()

    @checked_binding()
    def to_dict(self) -> dict[str, Any]:
        """This model as the service's camelCase dict (see :func:`~rayvision_async.models.unstructure`)."""
        from ._converter import unstructure

        data: dict[str, Any] = unstructure(self)
        return data
