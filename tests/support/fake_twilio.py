"""A fake Twilio REST API on 127.0.0.1: answers POST /2010-04-01/Accounts/<sid>/Messages.json
with Twilio's JSON and records what the real `twilio` library sent (TWILIO_API_BASE_URL points
the library here in tests)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

ACCOUNT = "AC" + "0" * 32


class FakeTwilio:
    """Answers POST /2010-04-01/Accounts/<sid>/Messages.json as Twilio does; records requests."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answer = (201, {"sid": "SM" + "a" * 32, "status": "queued"})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def refuse(self, code: int, message: str) -> None:
        self.answer = (
            400,
            {
                "code": code,
                "message": message,
                "status": 400,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
            },
        )

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                fake.requests.append(
                    {
                        "path": self.path,
                        "form": {k: v[0] for k, v in parse_qs(body).items()},
                        "authorization": self.headers.get("Authorization"),
                    }
                )
                status, payload = fake.answer
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
