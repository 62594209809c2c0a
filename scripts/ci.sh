#!/usr/bin/env bash
# What `npm test` (and so .ci/run) runs on a fresh clone: dependencies, the
# servers (scripts/infra-up.sh), then lint + typecheck (zero warnings, set by
# the lint target), the unit and integration tests, and the e2e tests. Each
# phase prints its wall time; the first one that fails stops the run, named.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export NX_DAEMON=false NX_NO_CLOUD=true

TIMES=()

elapsed() { # elapsed START: seconds since START (an EPOCHREALTIME), one decimal
  awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

phase() { # phase NAME COMMAND...
  local name=$1 start=$EPOCHREALTIME rc=0
  shift
  say "==> $name"
  "$@" || rc=$?
  if ((rc)); then
    TIMES+=("$name FAILED after $(elapsed "$start")s")
    printf -v summary '%s, ' "${TIMES[@]}"
    die "FAILED in phase '$name' (exit $rc); ${summary%, }"
  fi
  TIMES+=("$name $(elapsed "$start")s")
  say "<== $name ok in $(elapsed "$start")s"
}

# --skip-nx-cache: a green `npm test` means lint and the type check ran now, not that
# an earlier run on this machine passed with inputs Nx did not hash (node_modules).
nx_run() { npx nx run-many -t "$@" --outputStyle=stream --skip-nx-cache; }

# Every Jest run records its counts here; the run ends, passed or failed, with
# one plain line summing them (scripts/jest-results-reporter.js).
SITEOPS_TEST_RESULTS_DIR="$(mktemp -d)"
export SITEOPS_TEST_RESULTS_DIR
test_summary() {
  node scripts/test-summary.js "$SITEOPS_TEST_RESULTS_DIR"
  rm -rf "$SITEOPS_TEST_RESULTS_DIR"
}
trap test_summary EXIT

total=$EPOCHREALTIME
phase install ensure_node_modules
phase infra scripts/infra-up.sh --with-docker --with-nginx
phase lint+typecheck nx_run lint typecheck
phase test nx_run test
phase e2e nx_run e2e
printf -v summary '%s, ' "${TIMES[@]}"
say "all phases passed in $(elapsed "$total")s (${summary%, })"
