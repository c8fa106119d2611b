#!/usr/bin/env bash
# Install bcdr-scan from this action's checkout into its own virtual environment (nothing else on the
# runner changes); the environment's bin directory is put on GITHUB_PATH for the next steps.
set -euo pipefail
: "${ACTION_PATH:?the action's directory}"
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/bcdr-scan-venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$ACTION_PATH"
echo "$venv/bin" >> "${GITHUB_PATH:-/dev/null}"
"$venv/bin/bcdr-scan" --version
