# An HTTP-mode test function that fails before it listens.
import sys

print("starting up", flush=True)
print("config error: DATABASE_URL is not set", file=sys.stderr, flush=True)
sys.exit(3)
