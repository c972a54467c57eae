"""What the request handlers use, built once per app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import sessionmaker

from bot.config import Settings
from bot.rasa_client import RasaClient


@dataclass
class Services:
    settings: Settings
    sessions: sessionmaker
    rasa: RasaClient


def services() -> Services:
    return current_app.extensions["family_line"]
