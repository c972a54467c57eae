"""What the request handlers use, built once per app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from huey import Huey
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.rasa.client import RasaClient


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker
    rasa: RasaClient
    huey: Huey  # the worker's heartbeat is read on it, broadcasts are queued on it


def services() -> Services:
    return current_app.extensions["family_line"]
