# Sourced by scripts/run, scripts/test and scripts/bench: a .venv with BCO installed, and the
# front-end files copied in. Reinstalls only when pyproject.toml or package.json changed.
set -euo pipefail

PYTHON=${PYTHON:-python3}
EXTRAS=${1:-}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

if [ ! -x .venv/bin/python ]; then
  say "Creating .venv"
  "$PYTHON" -m venv .venv
fi

stamp=".venv/.bco-installed${EXTRAS:+-$EXTRAS}"
wanted=$(cat pyproject.toml package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  say "Installing Python packages${EXTRAS:+ (with $EXTRAS extras)}"
  log=.venv/pip-install.log
  if ! { .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip \
         && .venv/bin/python -m pip install --quiet --disable-pip-version-check \
              -e ".${EXTRAS:+[$EXTRAS]}"; } >"$log" 2>&1; then
    grep -v "is ignored: it is neither" "$log" >&2 || true
    echo "Installing Python packages failed; the messages above say why." >&2
    exit 1
  fi
  if [ -f package.json ]; then
    say "Installing front-end packages (npm ci)"
    npm ci --silent --no-audit --no-fund >&2
  fi
  echo "$wanted" > "$stamp"
fi

if [ -f package.json ] && [ -x scripts/vendor ]; then
  scripts/vendor
fi
