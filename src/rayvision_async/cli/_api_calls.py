"""``api GROUP METHOD``: one endpoint call, its arguments from the flags, its result as JSON.

The flags (``_generated_api``, from the endpoint table) give the Python keyword
arguments; the call goes through the client's public group method
(``api.query.task_info(...)``), so its arguments are checked by the same kinds
as a Python caller's (``InvalidInputError``: exit code 2, nothing sent). A
method the 2018 path set lacks is refused before a client is made. Secret
fields print as ``<hidden>`` unless ``--show-secrets``.
"""

from __future__ import annotations

import argparse

from ._api_spec import Method
from ._connect import connect
from ._exit import EXIT_OK
from ._output import print_json

__all__ = ["arguments"]


def arguments(args: argparse.Namespace, method: Method) -> dict[str, object]:
    """The keyword arguments the flags give (a flag not given is left to the method's default)."""
    values = {option.name: getattr(args, f"api_arg_{option.name}", None) for option in method.options}
    return {name: value for name, value in values.items() if value is not None}


async def run_api(args: argparse.Namespace) -> int:
    """Call the endpoint method the command names and print its result."""
    method: Method = args.api_method
    async with connect(args, uses=[f"{method.group}.{method.name}"]) as api:
        result = await getattr(getattr(api, method.group), method.name)(**arguments(args, method))
    print_json(result, secrets=args.show_secrets)
    return EXIT_OK
