"""A client never pickles (or deep-copies) with its access key (issue 20, item 10).

Before, ``pickle.dumps(api)`` of an idle client held the access key in plain text, and so did a
pickled group, view, channel or signer; ``copy.deepcopy`` copied it. Now each refuses with a
:class:`ConfigurationError` that says why (also a ``TypeError``, as ``pickle`` and ``copy`` expect),
whose message and traceback hold no secret. ``copy.copy`` gives a view sharing the connections, as
``with_options`` does: a deep copy of a live client has no meaning (its connections and locks belong
to one event loop), so there is none.
"""

from __future__ import annotations

import copy
import pickle
import traceback
from collections.abc import Callable
from typing import Any

import pytest

from helpers import internals
from rayvision_async import AsyncRayvisionAPI, ConfigurationError
from rayvision_async.simulator import Farm, Simulator, SimulatorTransport

ACCESS_ID = "AKIDpicklesecret01"
ACCESS_KEY = "pickle-secret-access-key"


class MyClient(AsyncRayvisionAPI):
    """A subclass, as applications write them."""


HOLDERS: dict[str, Callable[[AsyncRayvisionAPI], Any]] = {
    "client": lambda api: api,
    "with_options": lambda api: api.with_options(timeout=5, max_retries=1),
    "group": lambda api: api.query,
    "view-group": lambda api: api.with_options(timeout=5).task,
    "raw-view": lambda api: api.with_raw_response,
    "raw-group": lambda api: api.with_raw_response.query,
    "caller": lambda api: api._caller,
    "connection": lambda api: internals.connection(api),
    "channel": lambda api: internals.channel(api),
    "signer": lambda api: internals.signer(api),
    "in-a-dict": lambda api: {"settings": [1, 2], "api": api},
}
COPIERS: dict[str, Callable[[Any], Any]] = {
    **{f"pickle-{protocol}": (lambda p: lambda obj: pickle.dumps(obj, protocol=p))(protocol)
       for protocol in range(pickle.HIGHEST_PROTOCOL + 1)},
    "deepcopy": copy.deepcopy,
}


def refused(copier: Callable[[Any], Any], obj: Any) -> ConfigurationError:
    with pytest.raises(ConfigurationError, match="cannot be pickled or deep-copied") as raised:
        copier(obj)
    assert isinstance(raised.value, TypeError)
    shown = "".join(traceback.TracebackException.from_exception(raised.value, capture_locals=True).format())
    assert ACCESS_KEY not in shown
    assert ACCESS_ID not in shown
    return raised.value


@pytest.mark.parametrize("copier", COPIERS.values(), ids=COPIERS.keys())
@pytest.mark.parametrize("holder", HOLDERS.values(), ids=HOLDERS.keys())
def test_nothing_holding_the_access_key_pickles(holder: Callable[[AsyncRayvisionAPI], Any],
                                                 copier: Callable[[Any], Any]) -> None:
    api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY)
    refused(copier, holder(api))


@pytest.mark.parametrize("copier", COPIERS.values(), ids=COPIERS.keys())
def test_a_subclass_and_a_used_client_refuse_too(copier: Callable[[Any], Any]) -> None:
    refused(copier, MyClient(ACCESS_ID, ACCESS_KEY))


async def test_a_client_that_sent_requests_refuses_and_keeps_working() -> None:
    sim = Simulator(farm=Farm(speed=0))
    async with AsyncRayvisionAPI(sim.access_id, sim.access_key, domain=sim.domain,
                                 transport=SimulatorTransport(sim)) as api:
        await api.query.platforms()
        for copier in COPIERS.values():
            for holder in HOLDERS.values():
                with pytest.raises(ConfigurationError):
                    copier(holder(api))
        await api.query.platforms()
        assert api.requests_sent == 2


async def test_copy_copy_is_a_view_sharing_the_connections() -> None:
    api = AsyncRayvisionAPI(ACCESS_ID, ACCESS_KEY)
    view = copy.copy(api)
    assert view is not api
    assert internals.connection(view) is internals.connection(api)
    assert internals.connection(api.with_options(timeout=3)) is internals.connection(api)
    await view.aclose()
    assert not api.is_closed  # a view leaves the connections to the client
    await api.aclose()
