#!/usr/bin/env bash
# `npm test`: the whole gate. Installs what is missing, then type-check, lint, build, unit,
# browser, end-to-end and size budgets. Every step runs; any failure fails the gate.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh .cache/setup.env || exit 1
# shellcheck disable=SC1091
source .cache/setup.env

failed=()
step() {
  local name=$1; shift
  printf '\n== %s: %s\n' "$name" "$*"
  local started=$SECONDS
  if "$@"; then printf '== %s passed (%ss)\n' "$name" $((SECONDS - started))
  else printf '== %s FAILED (%ss)\n' "$name" $((SECONDS - started)); failed+=("$name"); fi
}
tests_in() { find "$@" -name '*.test.ts' 2>/dev/null | sort; }

step typecheck npx tsc --noEmit -p .
step lint npx eslint --max-warnings 0 .
step build npm run --silent build
step unit node --import tsx --test --test-concurrency=1 $(tests_in tests/server tests/wasm)
step browser npx wtr
step e2e node --import tsx --test --test-concurrency=1 $(tests_in tests/e2e)
step size node --import tsx scripts/size.ts

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nnpm test: FAILED steps: %s\n' "${failed[*]}"
  exit 1
fi
printf '\nnpm test: every step passed\n'
