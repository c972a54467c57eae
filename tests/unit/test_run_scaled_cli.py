"""`bot run --scaled` refuses, in one clear line, a configuration whose replicas could not share
conversations; the process list it would start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.servers import mask_url
from bot.config import load_settings
from bot.processes.command_lines import Topology, scaled_processes


@pytest.mark.parametrize(
    "environ, missing",
    [
        ({}, ["DATABASE_URL=postgresql", "REDIS_URL=redis"]),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, ["DATABASE_URL=postgresql"]),
        ({"DATABASE_URL": "postgresql://postgres@127.0.0.1/x"}, ["REDIS_URL=redis"]),
    ],
)
def test_scaled_needs_postgresql_and_redis(tmp_path, monkeypatch, environ, missing):
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))

    result = CliRunner().invoke(main, ["run", "--scaled"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for words in missing:
        assert words in result.output


def test_the_scaled_line_puts_haproxy_on_the_ports_the_others_know(tmp_path):
    settings = load_settings(
        environ={
            "VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": "postgresql://postgres@127.0.0.1/line",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
        dotenv_path=None,
    )
    topology = Topology.around(settings, replicas=3, workers=2)

    specs = {spec.name: spec for spec in scaled_processes(settings, Path("m.tar.gz"), topology)}

    assert sorted(specs) == sorted(
        ["actions-1", "actions-2", "actions-3", "lb-actn", "rasa-1", "rasa-2", "rasa-3"]
        + ["lb-rasa", "worker-1", "worker-2", "web"]
    )
    lb_rasa = specs["lb-rasa"].argv
    config = Path(lb_rasa[lb_rasa.index("-f") + 1]).read_text()
    assert f"bind 127.0.0.1:{settings.rasa_port}\n" in config
    assert re.findall(r"server (\S+) (\S+) check", config) == [
        ("rasa-1", "127.0.0.1:5105"),
        ("rasa-2", "127.0.0.1:5106"),
        ("rasa-3", "127.0.0.1:5107"),
    ]
    lb_actn = specs["lb-actn"].argv
    config = Path(lb_actn[lb_actn.index("-f") + 1]).read_text()
    assert f"bind 127.0.0.1:{settings.action_port}\n" in config
    assert "option httpchk GET /health" in config
    rasa = specs["rasa-2"].argv
    endpoints = Path(rasa[rasa.index("--endpoints") + 1]).read_text()
    assert "tracker_store" in endpoints and "lock_store" in endpoints


def test_urls_are_shown_without_their_password():
    assert "s3cret" not in mask_url("postgresql://line:s3cret@db/line")
    assert mask_url("postgresql://line:s3cret@db/line").startswith("postgresql://line:")


def test_scaled_says_how_to_install_haproxy_when_it_is_missing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/x")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setattr("bot.processes.haproxy.find_haproxy", lambda: None)

    result = CliRunner().invoke(main, ["run", "--scaled"])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "apt-get install haproxy" in result.output
