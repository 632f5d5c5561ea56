# A classic test function that never finishes and leaves a child behind.
# Writes "<own pid> <child pid>" to $PID_FILE.
sleep 1000 &
echo "$$ $!" > "$PID_FILE.tmp" && mv "$PID_FILE.tmp" "$PID_FILE"
wait
