#!/usr/bin/env bash
# `make docs`: every plugin's documentation must render with ansible-doc, as users will read it.
# Fails when a plugin's documentation is missing or does not parse, when ansible-doc reports an error
# or a warning about it, and when `ansible-doc -l sfb.server` does not list every module.
# One ansible-doc call per plugin type (a call costs a second or two); only when that call fails is
# each plugin of the type rendered alone, to name the broken ones.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
failed=0
passed=0
json=$(mktemp)
err=$(mktemp)
trap 'rm -f "$json" "$err"' EXIT

renders() {  # renders TYPE NAME... : true when ansible-doc gives every NAME a documentation, cleanly
    local type=$1
    shift
    ansible-doc -t "$type" --json "$@" >"$json" 2>"$err" || return 1
    ! grep -q -E '\[(ERROR|WARNING)\]' "$err" || return 1
    python - "$json" "$@" <<'PY'
import json, sys
docs = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if all(((docs.get(n) or {}).get("doc") or {}).get("short_description") for n in sys.argv[2:]) else 1)
PY
}

modules=()
for type in module connection lookup inventory callback become cache; do
    dir=plugins/$type
    [ "$type" = module ] && dir=plugins/modules
    names=()
    for path in "$dir"/*.py; do
        [ -e "$path" ] && names+=("sfb.server.$(basename "$path" .py)")
    done
    [ ${#names[@]} -gt 0 ] || continue
    [ "$type" = module ] && modules=("${names[@]}")
    if renders "$type" "${names[@]}"; then
        passed=$((passed + ${#names[@]}))
        continue
    fi
    for name in "${names[@]}"; do
        if renders "$type" "$name"; then
            passed=$((passed + 1))
        else
            echo "docs: FAILED ansible-doc -t $type $name" >&2
            sed 's/^/    /' "$err" >&2
            failed=$((failed + 1))
        fi
    done
done

listed=$(ansible-doc -t module -l sfb.server 2>"$err" | awk '{print $1}')
for name in "${modules[@]}"; do
    if ! grep -qx "$name" <<<"$listed"; then
        echo "docs: FAILED $name is missing from ansible-doc -l sfb.server" >&2
        sed 's/^/    /' "$err" >&2
        failed=$((failed + 1))
    fi
done

echo "docs: $passed plugins render, $failed failures; ansible-doc -l sfb.server lists ${#modules[@]} modules"
[ "$failed" -eq 0 ]
