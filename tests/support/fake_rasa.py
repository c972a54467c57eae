"""A small HTTP server that speaks the two endpoints of Rasa the web process uses: `/status` and
the family_line channel (bot/rasa/channel.py), which answers with the replies and the
understanding together.

For web-layer tests only: it lets them drive the real RasaClient over real HTTP and make Rasa slow,
down or empty on purpose. The end-to-end tests use the real Rasa server instead."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

CHANNEL_PATH = "/webhooks/family_line/webhook"
MODEL_SWITCH_PATH = "/webhooks/family_line/model"  # bot/rasa/channel.py


class FakeRasa:
    def __init__(self, token: str | None = None):
        # Like a real server with RASA_API_TOKEN: a request without ?token=<token> gets a 401.
        self.token = token
        self.mode = "echo"  # "echo" | "empty" (no text) | "error" | "slow"
        self.delay = 0.0
        # What the channel says the model read: set by a test (see plays()) to play an intent.
        self.understanding = {"intent": "greet", "confidence": 0.93, "entities": []}
        # Custom payloads sent after the text, as a Rasa action's json_message arrives through
        # the channel: {"recipient_id": ..., "custom": {...}}. See hand_off().
        self.custom: list[dict] = []
        self.received: list[dict] = []  # what the channel was sent, one per message
        # Model files the channel's switch (bot/rasa/channel.py) was asked to load, in order.
        self.loaded: list[str] = []
        self.refuse_models = False  # the switch answers 400, as for a file that is no model
        self.status_calls = 0  # GET /status requests seen (health checks, model switches)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def plays(self, intent: str, confidence: float = 0.99, **entities: str) -> None:
        """From now on every message is read as `intent`, with these entities."""
        self.understanding = {
            "intent": intent,
            "confidence": confidence,
            "entities": [{"entity": name, "value": value} for name, value in entities.items()],
        }

    def hand_off(self, reason: str = "talk_to_human") -> None:
        """From now on every reply also carries the hand-off signal of actions/handoff.py."""
        self.custom = [{"handoff": reason}]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, payload: dict) -> dict:
        recipient = payload["sender"]
        custom = [{"recipient_id": recipient, "custom": c} for c in self.custom]
        if self.mode == "empty":  # no text; a custom payload alone is not an answer
            return {"messages": custom, "understanding": self.understanding}
        language = (payload.get("metadata") or {}).get("language")
        reply = {"recipient_id": recipient, "text": f"[{language}] you said: {payload['message']}"}
        return {"messages": [reply, *custom], "understanding": self.understanding}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _refused(self) -> bool:
                """Splits the query off self.path; True (after a 401) when the token is wrong."""
                self.path, _, query = self.path.partition("?")
                if fake.token and parse_qs(query).get("token") != [fake.token]:
                    self._send(401, {"error": "send ?token= with the server's RASA_API_TOKEN"})
                    return True
                return False

            def do_GET(self):
                if self._refused():
                    return None
                if self.path == "/status":
                    fake.status_calls += 1
                self._send(200, {"model_file": "fake.tar.gz"} if self.path == "/status" else {})

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self._refused():
                    return None
                if self.path == MODEL_SWITCH_PATH:
                    fake.loaded.append(payload["model_file"])
                    if fake.refuse_models:
                        return self._send(400, {"error": "no model file at that path"})
                    return self._send(200, {"model_file": payload["model_file"]})
                if fake.mode == "slow":
                    time.sleep(fake.delay)
                if fake.mode == "error":
                    return self._send(500, {"error": "boom"})
                if self.path != CHANNEL_PATH:
                    return self._send(404, {"error": f"the web process has no use for {self.path}"})
                fake.received.append(payload)
                return self._send(200, fake._answer(payload))

        return Handler
