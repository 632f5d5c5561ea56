"""Test function (HTTP mode): reports what it received and can misbehave on request.

Paths: /sleep?ms=N waits N ms; /crash exits the process mid-request; /stats reports the highest
concurrency seen; /fs?list=DIR&read=FILE reports what the function could list and read (its
sandbox); /count streams the body and reports its size; /status?code=N answers N;
/flaky?fail=N fails (500) the first N calls of each X-Call-Id, then echoes; /work?ms=N appends
"start <call id>" to $RECORD_FILE, waits N ms, appends "end <call id>" and echoes;
/print?text=T&lines=N prints T on N lines of stdout (flushed) and echoes. Anything else echoes the
request.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

lock = threading.Lock()
current = 0
highest = 0
calls_by_id = {}


def record(line):
    path = os.environ.get("RECORD_FILE")
    if path:
        with lock, open(path, "a") as f:
            f.write(line + "\n")


def replica_pid():
    """The host pid of this replica's process group leader (inside a sandbox, os.getpid() is the
    pid in the sandbox's own pid namespace)."""
    return int(os.environ.get("SHARDLESS_REPLICA_PID") or os.getpid())


def fs_report(query):
    out = {"env": sorted(k for k in os.environ if k.startswith("SHARDLESS_"))}
    for key, action in (("list", lambda p: sorted(os.listdir(p))), ("read", lambda p: open(p).read())):
        path = query.get(key, [None])[0]
        if path is None:
            continue
        try:
            out[key] = {"ok": True, "result": action(path)}
        except OSError as e:
            out[key] = {"ok": False, "error": type(e).__name__ + ": " + str(e)}
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        global current, highest
        with lock:
            current += 1
            highest = max(highest, current)
        try:
            self.serve()
        finally:
            with lock:
                current -= 1

    def serve(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        length = int(self.headers.get("Content-Length") or 0)
        if url.path == "/count":
            total = 0
            while total < length:
                chunk = self.rfile.read(min(65536, length - total))
                if not chunk:
                    break
                total += len(chunk)
            return self.reply({"bytes": total})
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if url.path == "/crash":
            os._exit(3)
        if url.path == "/sleep":
            time.sleep(int(query.get("ms", ["100"])[0]) / 1000.0)
        if url.path == "/fs":
            return self.reply(fs_report(query))
        if url.path == "/stats":
            return self.reply({"highest": highest})
        call_id = self.headers.get("X-Call-Id", "")
        if url.path == "/status":
            return self.reply({"callId": call_id}, int(query.get("code", ["500"])[0]))
        if url.path == "/flaky":
            with lock:
                calls_by_id[call_id] = calls_by_id.get(call_id, 0) + 1
                n = calls_by_id[call_id]
            if n <= int(query.get("fail", ["1"])[0]):
                return self.reply({"callId": call_id, "call": n}, 500)
        if url.path == "/print":
            text = query.get("text", [""])[0]
            for _ in range(int(query.get("lines", ["1"])[0])):
                print(text)
            sys.stdout.flush()
        if url.path == "/work":
            record("start " + call_id)
            time.sleep(int(query.get("ms", ["100"])[0]) / 1000.0)
            record("end " + call_id)
        self.reply({
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
            "greeting": os.environ.get("GREETING", ""),
            "pid": replica_pid(),
        })

    def reply(self, obj, status=200):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = handle_any

    def log_message(self, fmt, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
