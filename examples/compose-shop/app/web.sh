#!/bin/sh
# The shop's tiny web server: says which release and channel it is, on $PORT (Driftless gives each
# replica its own), with /healthz for health checks. busybox httpd serves the files.
mkdir -p /tmp/www
echo "${GREETING:-hello} from ${VERSION:-unknown} in ${CHANNEL:-compose}" > /tmp/www/index.html
echo ok > /tmp/www/healthz
echo "web: serving ${VERSION:-unknown} on 127.0.0.1:${PORT:-8080}"
httpd -f -p "127.0.0.1:${PORT:-8080}" -h /tmp/www &
# As PID 1 the shell would ignore SIGTERM and wait for Docker's SIGKILL: stop at once instead.
trap 'kill $!; exit 0' TERM INT
wait $!
