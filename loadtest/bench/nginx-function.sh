#!/bin/sh
# A trivial HTTP-mode function as fast as can be: nginx answering 200 from memory on $PORT.
# Used by the benchmarks both directly and through the gateway, so both see the same backend.
# With UPSTREAM=host:port it is instead the benchmarks' reverse-proxy baseline: nginx proxying to
# that address over a keepalive upstream, with NGINX_WORKERS worker processes (default 1).
set -eu
dir=$(mktemp -d "${TMPDIR:-/tmp}/shardless-nginx-fn.XXXXXX")
mkdir -p "$dir/logs"
# As root (also inside the node's bubblewrap sandbox, where only our own uid is mapped) nginx would
# chown its temp dirs to "nobody", an unmapped uid there: keep them ours.
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
if [ -n "${UPSTREAM:-}" ]; then
  upstream="upstream function { server $UPSTREAM; keepalive 64; keepalive_requests 1000000; }"
  location='location / { proxy_pass http://function; proxy_http_version 1.1; proxy_set_header Connection ""; }'
else
  upstream=""
  location='location / { default_type text/plain; return 200 "ok\n"; }'
fi
cat > "$dir/nginx.conf" <<CONF
$user_line
daemon off;
worker_processes ${NGINX_WORKERS:-1};
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 620s;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  $upstream
  server {
    listen 127.0.0.1:$PORT;
    $location
  }
}
CONF
exec nginx -p "$dir" -c "$dir/nginx.conf"
