"""What every test module shares: the spec-documents fixture and retries without back-off.

Shared code lives in ``tests/helpers/`` (fakes, the wire harness, the spec data, the lenient JSON
reader); the data the tests need from the spec documents lives in ``tests/data/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rayvision_async import _retry as retry

#: Where the spec documents are looked for when ``$RAYVISION_SPEC_DIR`` is not set.
DEFAULT_SPEC_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "spec"


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The spec documents, for the doc-sync tests only: skips when they are absent.

    ``$RAYVISION_SPEC_DIR``, else ``../shared/spec`` beside the checkout.
    """
    directory = Path(os.environ.get("RAYVISION_SPEC_DIR") or DEFAULT_SPEC_DIR)
    if not (directory / "incumbent-sdk-facts.md").is_file():
        pytest.skip(f"spec documents not found in {directory}: set RAYVISION_SPEC_DIR to check tests/data against them")
    return directory


@pytest.fixture(autouse=True)
def _no_retry_backoff(request: pytest.FixtureRequest) -> Iterator[None]:
    """Retries in tests wait for nothing (``retry.no_backoff``); ``@pytest.mark.real_backoff`` opts out."""
    with retry.no_backoff(request.node.get_closest_marker("real_backoff") is None):
        yield
