#!/usr/bin/env bash
# PostgreSQL for the clash-history tests (crates/store): the tests start their own server with
# `initdb` and `postgres` on a temporary directory and a free port (crates/store/tests/support/pg.rs);
# this script only makes sure the binaries and, for a root CI user, the unprivileged user they
# run as are there. Called from .ci/run; safe to run again. With CI set, the store tests fail
# (instead of skipping with a notice) when the binaries are missing.
set -euo pipefail

find_bin() {
  if [ -n "${PLUMBLINE_PG_BIN:-}" ] && [ -x "${PLUMBLINE_PG_BIN}/initdb" ]; then
    echo "${PLUMBLINE_PG_BIN}"; return
  fi
  # The distribution's package installs under /usr/lib/postgresql/<version>/bin: the newest wins.
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin)" ] || [ ! -x "$(find_bin)/postgres" ]; then
  echo "postgres-setup: installing the distribution's postgresql package"
  apt-get update -qq
  # The server binaries only: the package's own cluster is neither needed nor started.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
fi
bin=$(find_bin)
[ -x "${bin}/initdb" ] && [ -x "${bin}/postgres" ] || { echo "postgres-setup: no initdb/postgres found" >&2; exit 1; }

# PostgreSQL refuses to run as root. A root test process starts it as the `postgres` user
# through `runuser` (util-linux); the package creates that user, a bare image may not have it.
if [ "$(id -u)" = "0" ]; then
  command -v runuser >/dev/null || { echo "postgres-setup: runuser (util-linux) is missing" >&2; exit 1; }
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  # The server's directory is made under the temporary directory, which that user must reach.
  runuser -u postgres -- test -w "${TMPDIR:-/tmp}" || { echo "postgres-setup: postgres cannot write ${TMPDIR:-/tmp}" >&2; exit 1; }
fi

echo "postgres-setup: $("${bin}/postgres" --version) at ${bin}"
