"""The split between the two environments (docs/decisions.md, "Two environments"): the app's
never has rasa, and what Rasa's installs of this project (rasa_server/pyproject.toml) imports
nothing of the app beyond itself. A module added to a pipeline step's imports but not to that
list would work here and fail in Rasa's environment: this test names it first."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import tomllib
import yaml

from bot.nlu.training import PROJECT

RASA_SIDE = tomllib.loads((PROJECT / "rasa_server" / "pyproject.toml").read_text())
LISTED = {name.removesuffix(".__init__") for name in RASA_SIDE["tool"]["setuptools"]["py-modules"]}
# What the Rasa side may import besides the standard library and itself: rasa and what Rasa's
# environment has because rasa needs it (requirements-rasa.lock).
RASA_ENVIRONMENT = {"rasa", "sanic", "sqlalchemy", "yaml", "numpy", "structlog", "sklearn"}
APP_PACKAGES = ("bot", "webhooks", "console", "actions")


def _path(module: str) -> Path:
    base = PROJECT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_rasa_side_imports_only_itself_rasa_and_the_standard_library():
    strays = {}
    for module in sorted(LISTED):
        for imported in _imports(_path(module)):
            top = imported.split(".")[0]
            if top == "bot":
                ok = imported in LISTED
            else:
                ok = top in sys.stdlib_module_names or top in RASA_ENVIRONMENT
            if not ok:
                strays.setdefault(module, []).append(imported)
    assert strays == {}, f"add these to rasa_server/pyproject.toml or stop importing them: {strays}"


def test_what_rasa_loads_by_name_is_installed_in_its_environment():
    config = yaml.safe_load((PROJECT / "config.yml").read_text())
    credentials = yaml.safe_load((PROJECT / "credentials.yml").read_text())
    named = [step["name"] for step in config["pipeline"]] + list(credentials)
    ours = [name.rsplit(".", 1)[0] for name in named if name.startswith("bot.")]
    assert ours and set(ours) <= LISTED


def test_the_app_never_imports_rasa():
    importers = []
    for package in APP_PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):
            module = ".".join(path.relative_to(PROJECT).with_suffix("").parts)
            if module.removesuffix(".__init__") in LISTED or "migrations" in path.parts:
                continue
            if any(name.split(".")[0] == "rasa" for name in _imports(path)):
                importers.append(module)
    assert importers == []


def test_the_apps_environment_has_no_rasa():
    assert sys.version_info >= (3, 11)
    assert importlib.util.find_spec("rasa") is None
