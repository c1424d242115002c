#!/bin/sh
# `npm test`'s set-up (its `pretest` step; `.ci/run` runs it too): the browser
# tests use Debian's Chromium (playwright's own browser downloads are not
# reachable) and the hosting tests Debian's nginx. Installs the missing ones
# with apt-get when run as root; otherwise says how, and the tests that need
# them fail with the same advice. Never fails itself: quick when both are there.
set -eu
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
nginx="${NGINX_PATH:-/usr/sbin/nginx}"
missing=""
[ -x "$chromium" ] || missing="$missing chromium"
[ -x "$nginx" ] || missing="$missing nginx"
[ -z "$missing" ] && exit 0
if [ "$chromium" != /usr/bin/chromium ] || [ "$nginx" != /usr/sbin/nginx ]; then
  # A path of one's own: nothing is installed in its place.
  echo "kbview test set-up: WARNING:$missing missing at $chromium / $nginx (CHROMIUM_PATH / NGINX_PATH); the tests that need them will fail" >&2
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "kbview test set-up: installing$missing: apt-get update && apt-get install -y$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  # apt's output goes to stderr, away from the test report on stdout.
  if apt-get update </dev/null >&2 && apt-get install -y $missing </dev/null >&2; then
    exit 0
  fi
  echo "kbview test set-up: WARNING: apt-get failed; the browser/nginx tests will fail" >&2
else
  echo "kbview test set-up: WARNING:$missing not installed and this is not root with apt-get; the tests that need them will fail." >&2
  echo "  Run as root: apt-get update && apt-get install -y$missing   (or set CHROMIUM_PATH / NGINX_PATH)" >&2
fi
exit 0
