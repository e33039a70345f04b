#!/usr/bin/env bash
# Installs the workspace (only Node 20 + npm needed) and starts the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install.sh
# The staff console (apps/console) is a Vite build the server serves at /console.
npx --yes pnpm@10.34.8 --filter @invigil/console build
exec npx --yes pnpm@10.34.8 start
