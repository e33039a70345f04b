#!/usr/bin/env bash
# Installs the workspace exactly as locked, bootstrapping pnpm through npx (only Node + npm needed).
# Serialised with flock when available, because several checkouts/agents may install at once.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PNPM=(npx --yes pnpm@10.34.8)
if command -v flock >/dev/null 2>&1; then
  flock /tmp/invigil-pnpm.lock "${PNPM[@]}" install --frozen-lockfile
else
  "${PNPM[@]}" install --frozen-lockfile
fi
