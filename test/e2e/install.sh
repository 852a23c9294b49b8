#!/usr/bin/env bash
# Installs what the in-editor tests need: system packages (Chromium, ripgrep, native build deps)
# and code-server (VS Code web + a Node extension host), from the npm registry only.
#
# code-server's own postinstall downloads ripgrep and an argon2 binary from GitHub; that step is
# replaced here by its offline equivalent (Debian's ripgrep, argon2 built from source), so the
# same script works with and without general internet access.
#
# The result is cached outside the clone, keyed by version:
#   ${BAKEOFF_E2E_CACHE:-$HOME/.cache/bakeoff-e2e}/code-server-<version>
# A second run finds it and returns in about a second.
#
# Env: BAKEOFF_E2E_CACHE (cache root), BAKEOFF_SKIP_APT=1 (never call apt-get).
set -euo pipefail

CODE_SERVER_VERSION="4.100.3"
CACHE_ROOT="${BAKEOFF_E2E_CACHE:-$HOME/.cache/bakeoff-e2e}"
DEST="$CACHE_ROOT/code-server-$CODE_SERVER_VERSION"
APT_PACKAGES=(libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev pkg-config ripgrep build-essential python3 chromium)

T0=$(date +%s)
step() { echo "[install +$(( $(date +%s) - T0 ))s] $*"; }

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false npm_config_yes=true
# Build native modules against the local Node headers when they are installed (no header download).
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi

# ---- system packages ----
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  step "apt: all ${#APT_PACKAGES[@]} packages already installed"
elif [ "${BAKEOFF_SKIP_APT:-0}" = 1 ]; then
  step "apt: missing ${missing[*]} but BAKEOFF_SKIP_APT=1; continuing"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  step "apt: installing ${missing[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q "${missing[@]}" >/dev/null
  step "apt: done"
fi

# ---- code-server ----
BIN="$DEST/node_modules/.bin/code-server"
if [ -f "$DEST/.complete" ] && [ -x "$BIN" ]; then
  step "code-server $CODE_SERVER_VERSION: cached at $DEST"
  exit 0
fi

mkdir -p "$CACHE_ROOT"
BUILD="$(mktemp -d "$CACHE_ROOT/.build-code-server-XXXXXX")"
trap 'rm -rf "$BUILD"' EXIT
cd "$BUILD"
echo '{"name":"bakeoff-e2e-code-server","private":true}' > package.json

step "npm install --ignore-scripts code-server@$CODE_SERVER_VERSION"
npm install --ignore-scripts --no-save --no-package-lock "code-server@$CODE_SERVER_VERSION" >npm-install.log 2>&1 \
  || { cat npm-install.log; exit 1; }
CS="$BUILD/node_modules/code-server"

step "lib/vscode: npm install --omit=dev --ignore-scripts"
(cd "$CS/lib/vscode" && npm install --omit=dev --ignore-scripts >"$BUILD/vscode-install.log" 2>&1) \
  || { cat "$BUILD/vscode-install.log"; exit 1; }

step "ripgrep: use the system rg"
RG="$(command -v rg || true)"
[ -n "$RG" ] || { echo "ripgrep (rg) not found on PATH" >&2; exit 1; }
mkdir -p "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin"
ln -sf "$RG" "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"

step "lib/vscode: npm rebuild (native modules)"
(cd "$CS/lib/vscode" && npm rebuild >"$BUILD/rebuild.log" 2>&1) || { tail -50 "$BUILD/rebuild.log"; exit 1; }

step "postinstall equivalents: asar and bin symlinks, built-in extension dependencies"
(cd "$CS/lib/vscode" && ln -sfn node_modules node_modules.asar)
(cd "$CS/lib/vscode/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$CS/lib/vscode/bin/helpers" && ln -sfn browser-linux.sh browser.sh)
(cd "$CS/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts >"$BUILD/extensions-install.log" 2>&1) \
  || { cat "$BUILD/extensions-install.log"; exit 1; }

step "argon2: build from source"
(cd "$BUILD/node_modules/argon2" && npx --yes node-pre-gyp install --fallback-to-build --build-from-source >"$BUILD/argon2.log" 2>&1) \
  || { tail -50 "$BUILD/argon2.log"; exit 1; }

"$BUILD/node_modules/.bin/code-server" --config /dev/null --version | head -1

# Absolute symlinks inside node_modules/.bin point into the build dir; npm writes relative ones,
# so the tree can be moved into place.
rm -rf "$DEST"
mv "$BUILD" "$DEST"
trap - EXIT
touch "$DEST/.complete"
"$BIN" --config /dev/null --version >/dev/null
step "code-server $CODE_SERVER_VERSION: installed at $DEST ($(du -sh "$DEST/node_modules" | cut -f1))"
