#!/usr/bin/env bash
# The scan step always succeeds so the alerts are uploaded; this step fails the job as bcdr-scan's
# exit code says: 1 findings at or above fail-on, 3 coverage incomplete, anything else an error.
set -euo pipefail
code="${EXIT_CODE:-4}"
case "$code" in
  0) echo "bcdr-scan: no finding at or above fail-on, coverage complete" ;;
  1) echo "bcdr-scan: findings at or above fail-on remain (see the job summary)"; exit 1 ;;
  3) echo "bcdr-scan: coverage incomplete: part of the estate could not be read or judged"; exit 3 ;;
  *) echo "bcdr-scan: the scan failed (exit code $code)"; exit "$code" ;;
esac
