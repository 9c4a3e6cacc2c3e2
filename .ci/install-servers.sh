#!/usr/bin/env bash
# Install the SPARQL servers the store integration tests start (tests/stores/).
# Idempotent: does nothing when they are already there. The Oxigraph server comes from the
# project's `test` extra (PyPI package `oxigraph`); Virtuoso comes from Debian.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if ! command -v virtuoso-t >/dev/null 2>&1; then
    $SUDO apt-get update -q
    # -bin holds virtuoso-t only; the tests write their own virtuoso.ini, so no service is set up.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends virtuoso-opensource-7-bin
fi
virtuoso-t +version 2>&1 | head -n 2 || true
