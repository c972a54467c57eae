"""A small HTTP server that speaks the two endpoints of Rasa's API the web process uses.

For web-layer tests only: it lets them drive the real RasaClient over real HTTP and make Rasa slow,
down or empty on purpose. The end-to-end tests use the real Rasa server instead."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeRasa:
    def __init__(self):
        self.mode = "echo"  # "echo" | "empty" | "error" | "slow"
        self.delay = 0.0
        # What /model/parse answers: set by a test to play a given intent.
        self.parse_result = {"intent": {"name": "greet", "confidence": 0.93}, "entities": []}
        self.received: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

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

            def do_GET(self):
                self._send(200, {"model_file": "fake.tar.gz"} if self.path == "/status" else {})

            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if fake.mode == "slow":
                    time.sleep(fake.delay)
                if fake.mode == "error":
                    return self._send(500, {"error": "boom"})
                if self.path == "/model/parse":
                    return self._send(200, {"text": payload["text"], **fake.parse_result})
                fake.received.append(payload)
                if fake.mode == "empty":
                    return self._send(200, [])
                language = (payload.get("metadata") or {}).get("language")
                reply = f"[{language}] you said: {payload['message']}"
                return self._send(200, [{"recipient_id": payload["sender"], "text": reply}])

        return Handler
