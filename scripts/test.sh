#!/usr/bin/env bash
# `npm test`: the whole gate. Installs what is missing, then type-check, lint, build, unit,
# browser, end-to-end and size budgets. Every step runs; any failure fails the gate.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh .cache/setup.env || exit 1
# shellcheck disable=SC1091
source .cache/setup.env

failed=()
# step NAME SECONDS COMMAND...: a step that hangs is stopped and fails, so the gate always ends.
step() {
  local name=$1 limit=$2; shift 2
  printf '\n== %s: %s\n' "$name" "$*"
  local started=$SECONDS
  if timeout --kill-after=15 "$limit" "$@"; then printf '== %s passed (%ss)\n' "$name" $((SECONDS - started))
  else printf '== %s FAILED (%ss)\n' "$name" $((SECONDS - started)); failed+=("$name"); fi
}
tests_in() { find "$@" -name '*.test.ts' 2>/dev/null | sort; }

step typecheck 300 npx tsc --noEmit -p .
step lint 300 npx eslint --max-warnings 0 .
step build 300 npm run --silent build
step unit 600 node --import tsx --test --test-concurrency=1 $(tests_in tests/server tests/wasm)
step browser 600 npx wtr
step e2e 900 node --import tsx --test --test-concurrency=1 $(tests_in tests/e2e)
step size 60 node --import tsx scripts/size.ts

total=7
if [ ${#failed[@]} -gt 0 ]; then
  printf '\nnpm test: FAILED steps: %s\n' "${failed[*]}"
  printf 'steps: %d passed, %d failed\n' $((total - ${#failed[@]})) ${#failed[@]}
  exit 1
fi
printf '\nnpm test: every step passed\n'
printf 'steps: %d passed, 0 failed\n' $total
