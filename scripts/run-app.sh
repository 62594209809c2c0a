#!/usr/bin/env bash
# What `npm run app -- <name> [args...]` runs: one app alone in its own
# process (standalone mode: it serves /healthz, /readyz and /metrics on PORT
# and runs its own event relay). Without a name it lists the apps.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mapfile -t APPS < <(find apps -mindepth 3 -maxdepth 3 -path '*/src/main.ts' -printf '%h\n' | cut -d/ -f2 | grep -vx -e cli -e platform | sort)

if (($# == 0)) || [[ $1 == -h || $1 == --help ]]; then
  echo "usage: npm run app -- <name> [args...]   (npm start runs them all in one process)"
  printf '  %s\n' "${APPS[@]}"
  exit $(($# == 0 ? 2 : 0))
fi
name=$1
shift
if [[ ! " ${APPS[*]} " == *" $name "* ]]; then
  warn "no app '$name'; available: ${APPS[*]}"
  exit 2
fi

run_app_entry "apps/$name/src/main.ts" "$@"
