# An HTTP-mode test function. Serves GET on 127.0.0.1:$PORT, answering $GREETING.
# PID_FILE: write "<own pid> <child pid or 0>" there once started.
# SPAWN_CHILD=1: start a grandchild `sleep 1000` first. IGNORE_TERM=1: ignore SIGTERM.
# NO_LISTEN=1: never listen (never ready). GET /exit answers, then exits with $EXIT_CODE.
import http.server
import os
import signal
import subprocess
import time

if os.environ.get("IGNORE_TERM") == "1":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = subprocess.Popen(["sleep", "1000"]) if os.environ.get("SPAWN_CHILD") == "1" else None
pid_file = os.environ.get("PID_FILE")
if pid_file:
    with open(pid_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (os.getpid(), child.pid if child else 0))
    os.replace(pid_file + ".tmp", pid_file)
print("starting on port", os.environ["PORT"], flush=True)
if os.environ.get("NO_LISTEN") == "1":
    while True:
        time.sleep(1000)
greeting = os.environ.get("GREETING", "hello")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (greeting + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if self.path == "/exit":
            os._exit(int(os.environ.get("EXIT_CODE", "7")))


http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
