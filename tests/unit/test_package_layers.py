"""The rules of docs/architecture.md's "What may import what", checked on every module's imports
(inside functions too): the foundation and the pure readers import only the foundation, and no
domain code imports an entry point."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOUNDATION = ("bot.text", "bot.texts", "bot.models", "bot.config", "bot.db", "bot.job_locks")
PURE = ("bot.reading",)
ENTRY_POINTS = ("webhooks", "console", "actions", "bot.cli", "bot.worker", "bot.processes")


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from bot import texts` imports bot.texts.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {
        name for name in found if name.split(".")[0] in ("bot", "webhooks", "console", "actions")
    }


def _line_imports() -> dict[str, set[str]]:
    return {
        _module_name(path): _imports(path)
        for path in (ROOT / "bot").rglob("*.py")
        if "migrations" not in path.parts
    }


def _broken(checked, allowed) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in _line_imports().items()
        if checked(module)
        for target in targets
        if not allowed(target)
    )


def test_the_foundation_and_the_readers_import_only_the_foundation():
    def allowed(target):
        # `from bot.models import X` names X, not a module: the module part decides.
        return _within(target, FOUNDATION + PURE) or target.rpartition(".")[0] in FOUNDATION

    assert _broken(lambda module: _within(module, FOUNDATION + PURE), allowed) == []


def test_no_domain_module_imports_an_entry_point():
    def domain(module):
        return not _within(module, ENTRY_POINTS + FOUNDATION)

    assert _broken(domain, lambda target: not _within(target, ENTRY_POINTS)) == []


def test_the_check_sees_a_broken_rule():
    assert _within("bot.cli.broadcasts", ENTRY_POINTS)
    assert not _within("bot.texts", ("bot.text",))
