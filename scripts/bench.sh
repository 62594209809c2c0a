#!/usr/bin/env bash
# What `npm run bench` runs.
#   npm run bench -- <name> [args...]  runs test/bench/src/<name>.bench.ts
#   npm run bench                      runs every *.bench.ts there in turn
# An unknown name lists the available ones and exits 2. The servers are
# brought up first (scripts/infra-up.sh); each benchmark runs under Node with
# @swc-node/register, so the TypeScript needs no build step.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_DIR=test/bench/src
mapfile -t AVAILABLE < <(find "$BENCH_DIR" -maxdepth 1 -name '*.bench.ts' -printf '%f\n' 2>/dev/null | sed 's/\.bench\.ts$//' | sort)

list_available() {
  if ((${#AVAILABLE[@]})); then printf '  %s\n' "${AVAILABLE[@]}"; else echo "  (none: $BENCH_DIR has no *.bench.ts)"; fi
}

run_bench() { # run_bench NAME [ARGS...]
  local name=$1 start=$SECONDS
  shift
  say "==> $name"
  SWC_NODE_PROJECT=tsconfig.base.json NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=4096" \
    node -r @swc-node/register "$BENCH_DIR/$name.bench.ts" "$@" || die "benchmark '$name' failed (exit $?)"
  say "<== $name done in $((SECONDS - start))s"
}

case ${1:-} in
  -h | --help)
    echo "usage: npm run bench [-- <name> [args...]]; available:"
    list_available
    exit 0 ;;
esac

names=("${AVAILABLE[@]}")
args=()
if (($#)); then
  # Accept "x", "x.bench.ts" or a path to it.
  name=${1##*/}
  name=${name%.bench.ts}
  shift
  args=("$@")
  if [[ ! -f $BENCH_DIR/$name.bench.ts ]]; then
    warn "no benchmark '$name'; available:"
    list_available >&2
    exit 2
  fi
  names=("$name")
elif ((${#AVAILABLE[@]} == 0)); then
  say "nothing to run: $BENCH_DIR has no *.bench.ts"
  exit 0
fi

ensure_node_modules
scripts/infra-up.sh
for name in "${names[@]}"; do
  run_bench "$name" "${args[@]}"
done
