"""Write the test data extracted from the spec documents into ``tests/data/``.

Usage: ``python scripts/extract_spec_examples.py SPEC_DIR [OUT_DIR]`` (OUT_DIR defaults to
``tests/data`` of this checkout). SPEC_DIR holds the five documents, ``incumbent-sdk-facts.md``
and ``sign-vectors.json``. ``tests/documentation/test_spec_data_sync.py`` checks that the committed files are
what this script writes today.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.spec_catalog import catalog_facts  # noqa: E402
from helpers.spec_extract import extract_examples, facts_rows, protocol_paths  # noqa: E402
from helpers.spec_requests import usage_requests  # noqa: E402

SOURCE = "extracted by scripts/extract_spec_examples.py from the spec documents; do not edit"


def render(spec_dir: Path) -> dict[str, str]:
    """File name → the exact text to write, for every data file."""
    examples, skipped = extract_examples(spec_dir)
    files: dict[str, Any] = {
        "spec_examples.json": {"about": SOURCE, "examples": [e.to_json() for e in examples],
                               "skipped": [list(item) for item in skipped]},
        "protocol_paths.json": {"about": SOURCE + " (protocol-v5-2020-en.txt)", "paths": protocol_paths(spec_dir)},
        "incumbent_endpoints.json": {"about": SOURCE + " (incumbent-sdk-facts.md §B)", "rows": facts_rows(spec_dir)},
        "catalog_facts.json": {"about": SOURCE + " (software, versions, plugins, render environments)",
                               **catalog_facts(spec_dir)},
        "usage_requests.json": {"about": SOURCE + " (the usage documents' request examples)",
                                "requests": usage_requests(spec_dir)},
    }
    texts = {name: json.dumps(value, ensure_ascii=False, indent=1) + "\n" for name, value in files.items()}
    texts["sign-vectors.json"] = (spec_dir / "sign-vectors.json").read_text(encoding="utf-8")
    return texts


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    spec_dir = Path(argv[1])
    out = Path(argv[2]) if len(argv) == 3 else ROOT / "tests" / "data"
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render(spec_dir).items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
