"""Test function (HTTP mode): reports what it can see and do from inside its sandbox.

GET /list?path=P lists a directory, /read?path=P reads a file, /write?path=P creates a file,
/alloc?mb=N allocates N MiB. Each answers {"ok": true, "result": ...} or {"ok": false, "error": ...}.
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs


def attempt(action, arg):
    try:
        if action == "/list":
            return {"ok": True, "result": sorted(os.listdir(arg))}
        if action == "/read":
            with open(arg) as f:
                return {"ok": True, "result": f.read()}
        if action == "/write":
            with open(arg, "w") as f:
                f.write("written")
            return {"ok": True, "result": "written"}
        if action == "/alloc":
            block = bytearray(int(arg) * 1024 * 1024)
            return {"ok": True, "result": len(block)}
        return {"ok": False, "error": "unknown action " + action}
    except (OSError, MemoryError) as e:
        return {"ok": False, "error": type(e).__name__ + ": " + str(e)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        arg = query.get("path", query.get("mb", [""]))[0]
        data = json.dumps(attempt(url.path, arg)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
