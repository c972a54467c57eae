"""The HAProxy config the line writes: the one docs/deploy.md shows is exactly what
`bot haproxy-config` prints, HAProxy accepts both kinds, and its statistics and log lines read
back. (tests/integration/test_haproxy.py runs it in front of replicas.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.processes import haproxy

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
EXAMPLE = ["--bind", "0.0.0.0:5005", "--replica", "10.0.0.11:5005", "--replica", "10.0.0.12:5005"]


def _printed(kind: str, arguments: list[str]) -> str:
    result = CliRunner().invoke(main, ["haproxy-config", kind, *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_deploy_guide_shows_the_config_the_line_runs():
    shown = re.search(r"\$ bot haproxy-config rasa [^\n]*\n(.*?)```", DEPLOY.read_text(), re.S)
    assert shown, "docs/deploy.md lost its HAProxy example"
    assert shown.group(1) == _printed("rasa", EXAMPLE)


def test_each_kind_checks_its_own_health_path():
    assert "option httpchk GET /\n" in _printed("rasa", EXAMPLE)
    assert "option httpchk GET /health\n" in _printed("actions", EXAMPLE)
    assert "server actions-2 10.0.0.12:5005 check" in _printed("actions", EXAMPLE)


def test_only_a_failed_connection_is_retried():
    config = _printed("rasa", EXAMPLE)
    assert re.findall(r"retry-on .*", config) == ["retry-on conn-failure"]


@pytest.mark.parametrize(
    "bind, replica, named",
    [
        ("5005", "10.0.0.11:5005", "'5005'"),
        ("0.0.0.0:5005", "10.0.0.11", "'10.0.0.11'"),
        ("0.0.0.0:5005", "10.0.0.11:99999", "'10.0.0.11:99999'"),
    ],
)
def test_an_address_without_a_port_is_refused_in_one_line(bind, replica, named):
    arguments = ["haproxy-config", "rasa", "--bind", bind, "--replica", replica]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2
    assert f"{named} is not HOST:PORT" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(haproxy.find_haproxy() is None, reason=haproxy.INSTALL_HINT)
@pytest.mark.parametrize("kind", ["rasa", "actions"])
def test_haproxy_accepts_the_config(tmp_path, kind):
    config = tmp_path / f"{kind}.cfg"
    config.write_text(_printed(kind, EXAMPLE))
    checked = subprocess.run(
        [haproxy.find_haproxy(), "-c", "-f", str(config)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_statistics_and_log_lines_read_back():
    csv_text = (
        "# pxname,svname,req_tot,wredis,econ,chkdown,status\n"
        "lb-rasa,FRONTEND,9,,,,OPEN\n"
        "lb-rasa-replicas,rasa-1,5,0,0,0,UP\n"
        "lb-rasa-replicas,rasa-2,4,3,1,1,DOWN\n"
        "lb-rasa-replicas,BACKEND,9,3,1,0,UP\n"
    )
    assert haproxy.replica_stats(csv_text) == [
        haproxy.ReplicaStats("rasa-1", served=5, refused=0, went_down=0, up=True),
        haproxy.ReplicaStats("rasa-2", served=4, refused=4, went_down=1, up=False),
    ]
    log = (
        " lb-rasa | lb-rasa rasa-2 200 41 2f9cabc\n"
        " lb-rasa | lb-rasa <STATS> 200 0 -\n"
        "     web | 127.0.0.1 POST /twilio/sms 200\n"
        " lb-rasa | lb-rasa rasa-1 502 12 77d1e0f\n"
    )
    assert haproxy.senders_served(log, "lb-rasa") == [("rasa-2", "2f9cabc"), ("rasa-1", "77d1e0f")]
