# shellcheck shell=bash
# Helpers shared by scripts/*.sh. Sourced, never run. Sourcing it moves the
# shell to the repository root, so every path below is relative to it.

SITEOPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$SITEOPS_ROOT" || exit 1

# Relative data dirs are relative to the repository root, as in the apps.
# shellcheck disable=SC2034 # used by the scripts that source this file
SITEOPS_LOG_DIR="${SITEOPS_DATA_DIR:-.siteops}/logs"

# Script name for messages: "infra-up", "ci", ...
SITEOPS_SCRIPT="$(basename "$0" .sh)"

say() { printf '%s: %s\n' "$SITEOPS_SCRIPT" "$*"; }
warn() { printf '%s: %s\n' "$SITEOPS_SCRIPT" "$*" >&2; }
die() {
  warn "$@"
  exit 1
}

# Install the npm dependencies when node_modules is missing or older than the
# manifests. `npm ci` is not used: it rejects lockfiles written on this kind of
# machine. The stamp is ours (npm does not always rewrite its own files when
# nothing changed), and lives inside node_modules so deleting that resets it.
ensure_node_modules() {
  local stamp=node_modules/.siteops-installed
  if [[ -f $stamp && ! package.json -nt $stamp && ! package-lock.json -nt $stamp ]]; then
    return 0
  fi
  say "npm install (node_modules missing or older than package.json)"
  # `|| return`: callers may run this where set -e does not apply.
  npm install --no-audit --no-fund || return
  touch "$stamp"
}

# run_app_entry FILE [ARGS...]: what `npm start` and `npm run app` end with:
# dependencies, the servers, then the TypeScript entry point under Node
# (through @swc-node/register, so no build step), replacing this shell.
run_app_entry() {
  local entry=$1
  shift
  [[ -f $entry ]] || die "$entry is missing"
  ensure_node_modules
  scripts/infra-up.sh
  export SWC_NODE_PROJECT=tsconfig.base.json
  exec node -r @swc-node/register "$entry" "$@"
}
