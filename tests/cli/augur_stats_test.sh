#!/usr/bin/env bash
# End-to-end checks of the `augur` binary as a user or pipeline runs it: exit codes, the one-line
# errors on stderr, --help, stdin. Usage: augur_stats_test.sh PATH_TO_AUGUR
set -u
augur=$1
data=$(cd "$(dirname "$0")/../data" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# check NAME EXPECTED_CODE STDERR_PATTERN -- ARGS...  (STDERR_PATTERN '' means stderr empty)
check() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$augur" "$@" >"$tmp/out" 2>"$tmp/err" <"${STDIN_FILE:-/dev/null}"
  local got=$?
  local ok=1
  [ "$got" -eq "$want" ] || ok=0
  if [ -z "$pattern" ]; then
    [ ! -s "$tmp/err" ] || ok=0
  else
    grep -qE -- "$pattern" "$tmp/err" || ok=0
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || ok=0
  fi
  if [ $ok -eq 1 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name: exit $got (want $want); stderr:"
    sed 's/^/    /' "$tmp/err"
  fi
}

x=$data/normal_1000_x.txt
y=$data/normal_1000_y.txt
printf '1.2 1.5\n1.1 abc\n' >"$tmp/bad.txt"
: >"$tmp/empty.txt"

check "happy path" 0 '' -- stats mann-whitney --canary "$x" --baseline "$y"
grep -q '"n_canary": 1000' "$tmp/out" && grep -q '"method": "asymptotic"' "$tmp/out" ||
  { failed=$((failed + 1)); echo "FAIL: happy path output: $(cat "$tmp/out")"; }
check "every option" 0 '' -- stats mann-whitney --canary "$x" --baseline "$y" --confidence 0.98 \
  --alternative less --exact never --correct false --interval r-compatible
check "help" 0 '' -- stats mann-whitney --help
grep -q -- '--interval' "$tmp/out" || { failed=$((failed + 1)); echo "FAIL: help lacks --interval"; }
check "version" 0 '' -- --version
check "no command" 64 'A subcommand is required' --
check "unknown command" 64 'run with --help' -- frobnicate
check "unknown option" 64 'unrecognized|--bogus' -- stats mann-whitney --canary "$x" --baseline "$y" --bogus
check "missing baseline" 64 'baseline is required' -- stats mann-whitney --canary "$x"
check "missing file" 64 'cannot open /nonexistent.txt' -- stats mann-whitney --canary /nonexistent.txt --baseline "$y"
check "bad token" 64 "bad.txt:2: 'abc' is not a number" -- stats mann-whitney --canary "$tmp/bad.txt" --baseline "$y"
check "empty side" 64 'no numbers in the canary sample' -- stats mann-whitney --canary "$tmp/empty.txt" --baseline "$y"
check "confidence" 64 "--confidence must be a number in \(0,1\), got '1.5'" -- stats mann-whitney --canary "$x" --baseline "$y" --confidence 1.5
check "alternative" 64 'alternative must be one of' -- stats mann-whitney --canary "$x" --baseline "$y" --alternative up
check "both stdin" 64 'only one of --canary and --baseline' -- stats mann-whitney --canary - --baseline -
printf '1 2 3\n4 5 6 7\n' >"$tmp/stdin.txt"
STDIN_FILE=$tmp/stdin.txt check "stdin" 0 '' -- stats mann-whitney --canary - --baseline "$y"
grep -q '"n_canary": 7' "$tmp/out" || { failed=$((failed + 1)); echo "FAIL: stdin count: $(cat "$tmp/out")"; }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
