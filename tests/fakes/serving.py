"""What the fake servers share: a threaded HTTP server on a free local port that hands each request to the fake."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def handler_for(handle, methods: tuple[str, ...]) -> type[BaseHTTPRequestHandler]:
    """A request handler that passes each request of these methods to `handle(handler, method)`, logging nothing."""

    def route(method: str):
        return lambda handler: handle(handler, method)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

    for method in methods:
        setattr(Handler, f"do_{method}", route(method))
    return Handler


def serve(handler: type[BaseHTTPRequestHandler], name: str) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 at a free port, served by a daemon thread `name`, each request in a thread of its own."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    return server


def stop(server) -> None:
    """Stop serving and close the socket; nothing when it never started."""
    if server is not None:
        server.shutdown()
        server.server_close()
