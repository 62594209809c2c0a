#!/usr/bin/env bash
# What `npm start` runs: the whole platform in one process (all-in-one mode)
# against local or configured servers. Only the infrastructure is handled
# here: dependencies, then scripts/infra-up.sh, then the platform entry point.
# Docker Engine and nginx (for deploying sites) are not brought up by this;
# see docs/infrastructure.md.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_app_entry apps/platform/src/main.ts "$@"
