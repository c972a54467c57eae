"""Source modules stay small enough to read in one sitting: about 400 lines, outside tests and
migrations (issue 16). Data kept in code counts too: long grammars and phrase lists belong in
data files (scripts/nlu_templates/, bot/texts/)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("bot", "console", "webhooks", "actions", "bench", "scripts")
LIMIT = 400


def _sizes() -> dict[str, int]:
    return {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for folder in FOLDERS
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    }


def test_the_modules_are_found():
    # A wrong ROOT or folder would make the size check pass on nothing.
    assert len(_sizes()) > 100


def test_no_module_is_over_the_limit():
    over = {p: n for p, n in _sizes().items() if n > LIMIT}
    assert over == {}, f"split these modules (at most {LIMIT} lines): {over}"
