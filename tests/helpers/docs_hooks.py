"""Load the documentation site's mkdocs hook modules (``docs/_hooks/``) the way mkdocs loads them.

mkdocs imports a hook file by its path with the hook's folder on ``sys.path`` while it runs, so the
hook can import its sibling modules (``reference_fields``); tests do the same.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

HOOKS = Path(__file__).resolve().parents[2] / "docs" / "_hooks"


def load_hook(name: str = "generated_pages") -> ModuleType:
    """``docs/_hooks/{name}.py`` as a fresh module."""
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", HOOKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = sys.path.copy()
    sys.path.insert(0, str(HOOKS))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module
