#!/usr/bin/env bash
# Installs what the notebook tooling (tools/nbdev/) needs on a Debian
# machine: Jupyter's executor and converter (nbclient, nbconvert,
# jupyter-client, ipykernel), headless Chromium for the docs test, and the
# Deno Jupyter kernelspec. Idempotent: installs only what is missing, runs
# apt-get update only when something must be installed. Runs as root (CI).
set -euo pipefail
export PYDEVD_DISABLE_FILE_VALIDATION=1  # quiets debugpy's frozen-modules warning

PACKAGES=(jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel chromium)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} > 0)); then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-jupyter: apt-get not found; install by hand: ${missing[*]}" >&2
    echo "  (elsewhere: pip install jupyterlab nbclient nbconvert; a Chromium build)" >&2
    exit 1
  fi
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  echo "setup-jupyter: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup-jupyter: Debian packages present (${PACKAGES[*]})"
fi

# The Deno kernelspec ("deno"), written every time (--force) so that it points
# at this deno. A `kernelspec list | grep -q` test before it once missed an
# installed kernelspec under pipefail, and the install without --force then
# failed CI; writing it unconditionally has no such branch.
echo "setup-jupyter: installing the deno kernelspec"
deno jupyter --install --force
jupyter kernelspec list
command -v chromium
