#!/usr/bin/env bash
# Run bcdr-scan once into a JSON report, then write the SARIF and the Markdown job summary from the
# same evaluation (a saved snapshot: Azure is read once), and expose the counts as step outputs.
# Inputs come as INPUT_* environment variables (never spliced into the script text).
set -uo pipefail
bin="${BCDR_SCAN:-bcdr-scan}"
out="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/bcdr-scan"
mkdir -p "$out"
outputs="${GITHUB_OUTPUT:-/dev/null}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"

words() { tr ',' ' ' <<<"$1"; }
common=()
[ -n "${INPUT_POLICY:-}" ] && common+=(--policy "$INPUT_POLICY")
[ -n "${INPUT_BASELINE:-}" ] && common+=(--baseline "$INPUT_BASELINE")
if [ -n "${INPUT_SOURCE_ROOT:-}" ]; then
  common+=(--source-root "$INPUT_SOURCE_ROOT")
elif [ -n "${GITHUB_WORKSPACE:-}" ]; then
  common+=(--source-root "$GITHUB_WORKSPACE")
fi

snapshot="${INPUT_SNAPSHOT:-}"
if [ -z "$snapshot" ]; then
  scope=()
  for id in $(words "${INPUT_SCOPE:-}"); do scope+=(--subscription "$id"); done
  for id in $(words "${INPUT_MANAGEMENT_GROUP:-}"); do scope+=(--management-group "$id"); done
  snapshot="$out/estate.json.gz"
  "$bin" collect "${scope[@]}" --output "$snapshot"
  code=$?
  if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then
    echo "exit-code=$code" >> "$outputs"
    exit "$code"
  fi
fi

category="${INPUT_CATEGORY:-bcdr-scan}"
"$bin" scan --snapshot "$snapshot" "${common[@]}" --format json --output "$out/bcdr-scan.json" \
  --fail-on "${INPUT_FAIL_ON:-high}"
code=$?
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ] && [ "$code" -ne 3 ]; then
  echo "exit-code=$code" >> "$outputs"
  exit "$code"
fi
"$bin" scan --snapshot "$snapshot" "${common[@]}" --format sarif --output "$out/bcdr-scan.sarif" \
  --sarif-category "$category" || [ $? -le 3 ]
"$bin" scan --snapshot "$snapshot" "${common[@]}" --format markdown >> "$summary" || [ $? -le 3 ]

python3 - "$out/bcdr-scan.json" >> "$outputs" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8"))
summary = report["summary"]
by_severity = summary["findings_by_severity"]
mapped = summary.get("source_map", {})
print(f"findings={summary['findings']}")
print(f"high={by_severity.get('high', 0) + by_severity.get('critical', 0)}")
print(f"suppressed={summary['suppressed']}")
for key in ("mapped", "ambiguous", "unmapped"):
    print(f"{key}={int(mapped.get(key, 0))}")
print(f"coverage-complete={'true' if summary['coverage_complete'] else 'false'}")
PY
{
  echo "sarif-file=$out/bcdr-scan.sarif"
  echo "category=$category"
  echo "exit-code=$code"
} >> "$outputs"
exit 0
