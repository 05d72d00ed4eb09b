"""A partner's webhook receiver for tests: a real HTTP server on loopback, in a thread.

Shared by the background-work tests (tests/tasks) and the generated API client's test
(tests/api), which registers an endpoint through the API and sends it a test event.
"""

from __future__ import annotations

import http.server
import threading
import time


class Receiver:
    """Records every request and answers ``status`` (settable while it runs).

    ``delay`` makes it a slow partner; ``gate`` (a ``threading.Event``) makes it hold every
    request, once counted in ``arrivals``, until the test sets the event.
    """

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.location = ""
        self.delay = 0.0  # seconds the receiver takes to answer (a slow partner)
        self.gate: threading.Event | None = None
        self.arrivals = 0  # requests that reached the receiver, answered or not
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the name http.server calls)
                receiver.arrivals += 1
                if receiver.gate is not None:
                    receiver.gate.wait(timeout=30)
                time.sleep(receiver.delay)
                length = int(self.headers.get("Content-Length") or 0)
                receiver.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                body = b'{"ok": true}' + b"x" * 5000
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kb"

    def close(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.server.shutdown()
        self.server.server_close()
