#!/usr/bin/env bash
# Real editors, from scratch: installs what the end-to-end tests need on a fresh
# Debian machine (code-server 4.100.3 = VS Code 1.100 + Debian's Chromium through the
# shared script, Neovim from Debian), builds, then runs
#   1. Neovim's LSP client against dist/server.js   (node --test test/neovim/)
#   2. the web build's server in a Chromium Web Worker (out/test/browser/chromium.test.js)
#   3. the packaged extension in VS Code, desktop and web builds (npm run test:e2e)
# Idempotent: every install step is skipped when its result is already there.
# Every suite always runs; the exit status is non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

seconds() { echo $(( $(date +%s) - $1 )); }

echo "== code-server and Chromium (../shared/tools/install-code-server.sh)"
install_script=../shared/tools/install-code-server.sh
if [ ! -f "$install_script" ]; then
  echo "missing $install_script (the shared tools beside the checkout)" >&2
  exit 1
fi
t=$(date +%s)
code_server=$($sudo bash "$install_script" | tail -n 1)
if [ ! -x "$code_server" ]; then
  echo "the install script did not print an executable code-server path (got: $code_server)" >&2
  exit 1
fi
echo "code-server: $code_server ($(seconds "$t")s)"
export E2E_CODE_SERVER="$code_server"
export E2E_TOOLS_DIR
E2E_TOOLS_DIR=$(cd "$(dirname "$code_server")/../.." && pwd)   # where playwright-core was installed beside it

echo "== Neovim"
if ! command -v nvim >/dev/null 2>&1; then
  t=$(date +%s)
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq neovim >/dev/null
  echo "installed $(nvim --version | head -n 1) ($(seconds "$t")s)"
else
  echo "$(nvim --version | head -n 1) already installed"
fi

echo "== dependencies and build"
[ -d node_modules ] || npm ci --no-audit --no-fund   # .ci/run has done it already
npm run build
npx tsc -b   # compiles test/browser/ (a no-op when .ci/run's npm test has done it)

status=0

echo "== Neovim's LSP client (node --test test/neovim/)"
t=$(date +%s)
node --test test/neovim/ || status=1
echo "Neovim suite: $(seconds "$t")s"

echo "== the web build's server in a real Web Worker (headless Chromium)"
t=$(date +%s)
PROVENANCE_REQUIRE_CHROMIUM=1 node --test out/test/browser/chromium.test.js || status=1
echo "Chromium Web Worker test: $(seconds "$t")s"

echo "== VS Code through code-server (npm run test:e2e)"
t=$(date +%s)
npm run test:e2e || status=1
echo "VS Code suite: $(seconds "$t")s (screenshots and logs in ${E2E_ARTIFACTS:-.e2e-artifacts}/)"

exit "$status"
