#!/usr/bin/env bash
# The explorer's command-line errors: each exits 2 (a usage error) with one line naming the option, before
# any window opens. usage: explorer_command_line.sh PATH/TO/dermgan-explorer
set -uo pipefail
explorer="$1"
failures=0

expect_usage_error() {  # expected-message-fragment args...
  local fragment="$1"; shift
  local output rc
  output="$(QT_QPA_PLATFORM=offscreen "$explorer" --no-model "$@" 2>&1)"; rc=$?
  if [ "$rc" -ne 2 ] || ! grep -qF -- "$fragment" <<<"$output"; then
    echo "FAIL: dermgan-explorer $* exited $rc, expected 2 and '$fragment'; said: $output"
    failures=$((failures + 1))
  fi
}

expect_usage_error "--tab nowhere is not a tab" --tab nowhere
expect_usage_error "--map needs a value" --map ""
expect_usage_error "--screenshot needs a value" --screenshot ""
expect_usage_error "--train needs --train-out FOLDER" --train somewhere
[ "$failures" -eq 0 ] && echo "explorer command line: all usage errors exit 2 with their message"
exit "$failures"
