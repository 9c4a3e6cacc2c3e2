#!/usr/bin/env bash
# Install the system packages the integration tests use: the Virtuoso SPARQL server (tests/stores/),
# headless Chromium (the review report's and the query page's browser tests), Apache httpd with
# mod_rewrite, curl and wrk (the w3id redirect rules and the client tests of 'ntrk-kg serve'), plus a Java
# runtime for HermiT if the machine has none. Idempotent: installs only what is missing. The Oxigraph server comes from the
# project's `test` extra (PyPI package `oxigraph`).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource-7-bin)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
# the tests run apache2 with their own httpd.conf (-f) on a free loopback port, not as a service.
[ -x /usr/sbin/apache2 ] || missing+=(apache2)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)  # the load generator of benchmarks/serve.py

if [ "${#missing[@]}" -gt 0 ]; then
    $SUDO apt-get update -q
    # virtuoso-opensource-7-bin holds virtuoso-t and isql-vt only; the tests write their own
    # virtuoso.ini, so no service is set up.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
virtuoso-t +version 2>&1 | head -n 2 || true
chromium --version || true
java -version 2>&1 | head -n 1 || true
/usr/sbin/apache2 -v 2>&1 | head -n 1 || true
