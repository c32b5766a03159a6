# Helpers for .ci/run: time each suite, keep its result, sum vitest's JSON counts, print the summary.
# `step NAME LIMIT CMD…`  runs CMD (killed after LIMIT seconds), prints `== NAME: <seconds> s`;
#                         a failure counts as one failed test. Returns CMD's status.
# `tests NAME LIMIT CMD…` the same for a vitest command: appends the JSON reporter (CMD must end where
#                         vitest's own flags can follow) and adds the run's counts to the totals.
# `finish`                prints the failed tests (file, name, the first line of the error), the table and
#                         the final `N passed, N failed, N skipped`, and exits 1 if anything failed. The
#                         failures come last but one because a CI log is often read from its tail only.

CI_DIR=.tmp/ci
mkdir -p "$CI_DIR"
rm -f "$CI_DIR"/*.json
CI_ROWS=()
CI_PASSED=0
CI_FAILED=0
CI_SKIPPED=0
CI_FAILURES=()
CI_START=$(date +%s.%N)

# Seconds since $1 (a `date +%s.%N`), one decimal.
_ci_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# _ci_run NAME LIMIT CMD…: the command under a time limit (its whole process group is signalled).
_ci_run() {
  local name=$1 limit=$2
  shift 2
  echo
  echo "-- $name (limit $limit s): $*"
  timeout --kill-after=30 "$limit" "$@"
  local status=$?
  [ "$status" -eq 124 ] && echo "$name: did not finish within $limit s"
  return "$status"
}

_ci_row() { CI_ROWS+=("$(printf '%-30s %8s s  %-6s %6s %6s %6s' "$1" "$2" "$3" "$4" "$5" "$6")"); }

step() {
  local name=$1 t0 status secs
  t0=$(date +%s.%N)
  _ci_run "$@"
  status=$?
  secs=$(_ci_since "$t0")
  echo "== $name: $secs s"
  if [ "$status" -eq 0 ]; then _ci_row "$name" "$secs" ok - - -; else _ci_row "$name" "$secs" FAILED - 1 -; CI_FAILED=$((CI_FAILED + 1)); fi
  return "$status"
}

tests() {
  local name=$1 limit=$2 t0 status secs json counts p f s
  shift 2
  json="$CI_DIR/$(echo "$name" | tr '/ ' '__').json"
  t0=$(date +%s.%N)
  _ci_run "$name" "$limit" "$@" --reporter=default --reporter=json --outputFile="$json"
  status=$?
  secs=$(_ci_since "$t0")
  echo "== $name: $secs s"
  # passed failed skipped; a run that wrote no report (crashed, killed) is one failure.
  counts=$(node -e '
    const fs = require("fs");
    let r; try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.log("0 1 0"); process.exit(0); }
    const failed = r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
    console.log(`${r.numPassedTests} ${failed} ${r.numPendingTests + r.numTodoTests}`);
  ' "$json")
  read -r p f s <<<"$counts"
  # Each failed test as `suite: file > test: first line of its error`, kept for the end of the log.
  local failures
  failures=$(node -e '
    const fs = require("fs");
    let r; try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { process.exit(0); }
    const firstLine = (m) => String(m ?? "").replace(/\x1b\[[0-9;]*m/g, "").split("\n").find((l) => l.trim()) ?? "";
    for (const file of r.testResults ?? []) {
      const rel = require("path").relative(process.cwd(), file.name);
      const failed = (file.assertionResults ?? []).filter((t) => t.status === "failed");
      for (const t of failed) console.log(`${process.argv[2]}: ${rel} > ${t.fullName}: ${firstLine(t.failureMessages?.[0]).slice(0, 300)}`);
      if (failed.length === 0 && file.status === "failed") console.log(`${process.argv[2]}: ${rel}: ${firstLine(file.message).slice(0, 300)}`);
    }
  ' "$json" "$name")
  [ -n "$failures" ] && mapfile -t -O "${#CI_FAILURES[@]}" CI_FAILURES <<<"$failures"
  # vitest failing without a failed test (an error outside any test) still fails the suite.
  [ "$status" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  CI_PASSED=$((CI_PASSED + p))
  CI_FAILED=$((CI_FAILED + f))
  CI_SKIPPED=$((CI_SKIPPED + s))
  _ci_row "$name" "$secs" "$([ "$f" -eq 0 ] && echo ok || echo FAILED)" "$p" "$f" "$s"
  return "$status"
}

finish() {
  if [ "${#CI_FAILURES[@]}" -gt 0 ]; then
    echo
    echo "failed tests:"
    printf '  %s\n' "${CI_FAILURES[@]}"
  fi
  echo
  printf '%-30s %10s  %-6s %6s %6s %6s\n' suite time result passed failed skipped
  printf '%s\n' "${CI_ROWS[@]}"
  printf '%-30s %8s s\n' total "$(_ci_since "$CI_START")"
  echo
  echo "$CI_PASSED passed, $CI_FAILED failed, $CI_SKIPPED skipped"
  [ "$CI_FAILED" -eq 0 ]
  exit $?
}
