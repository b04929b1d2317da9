#!/usr/bin/env bash
# `make molecule [SCENARIO=name]`: `molecule test` for every scenario under extensions/molecule/
# (or the one named), one after the other, and a recap. Molecule finds collection-mode scenarios
# from the collection root (galaxy.yml); HOME is isolated by the Makefile so nothing under the
# user's ~/.ansible shadows this tree.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}
scenarios=()
if [ -n "${1:-}" ]; then
    scenarios=("$1")
else
    for file in extensions/molecule/*/molecule.yml; do
        [ -e "$file" ] && scenarios+=("$(basename "$(dirname "$file")")")
    done
fi
[ ${#scenarios[@]} -gt 0 ] || { echo "molecule: no scenario under extensions/molecule/" >&2; exit 1; }
passed=() failed=()
for scenario in "${scenarios[@]}"; do
    start=$SECONDS
    if molecule test -s "$scenario"; then
        passed+=("$scenario ($((SECONDS - start))s)")
    else
        failed+=("$scenario ($((SECONDS - start))s)")
    fi
done
echo "molecule: passed: ${passed[*]:-none}"
echo "molecule: failed: ${failed[*]:-none}"
echo "molecule: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
