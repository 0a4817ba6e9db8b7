#!/usr/bin/env bash
# The desktop app's CI (called by .ci/run once the repository itself is installed, which the tests of the real
# appliance need): installs app/electron without Electron's binary (it cannot be downloaded here), type-checks
# the main process against Electron's type definitions, and runs the tests that need no Electron under plain
# Node.js: the appliance's start and stop, the navigation, request and CSP policies, the builder configuration.
set -euo pipefail
cd "$(dirname "$0")"
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
npm run typecheck
npm test
