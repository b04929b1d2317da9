#!/usr/bin/env bash
# `make molecule [SCENARIO="name ..."]`: `molecule test` for every scenario under extensions/molecule/
# (or the ones named), and a recap. Molecule finds collection-mode scenarios from the collection root
# (galaxy.yml); the Makefile isolates HOME so nothing under the user's ~/.ansible shadows this tree.
#
# MOLECULE_JOBS scenarios run at once (default 1; `make test` in CI uses 2, one per core). Scenarios
# share nothing: each has its own ephemeral directory and twin world. Each one's output goes to
# .deps/molecule/<scenario>.log and is printed whole when it ends, so outputs never interleave.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}
jobs=${MOLECULE_JOBS:-1}
logs="$ROOT/.deps/molecule"
scenarios=()
if [ $# -gt 0 ]; then
    scenarios=("$@")
else
    for file in extensions/molecule/*/molecule.yml; do
        [ -e "$file" ] && scenarios+=("$(basename "$(dirname "$file")")")
    done
fi
[ ${#scenarios[@]} -gt 0 ] || { echo "molecule: no scenario under extensions/molecule/" >&2; exit 1; }
rm -rf "$logs"
mkdir -p "$logs"

run_one() {  # run_one SCENARIO: writes its log, its exit code and its duration
    local scenario=$1 start=$SECONDS rc=0
    molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1 || rc=$?
    echo "$rc $((SECONDS - start))" >"$logs/$scenario.result"
}

passed=() failed=()
report() {  # report SCENARIO: print its log and count it
    local scenario=$1 rc seconds
    read -r rc seconds <"$logs/$scenario.result"
    echo "=== molecule test -s $scenario: exit $rc after ${seconds}s"
    cat "$logs/$scenario.log"
    if [ "$rc" -eq 0 ]; then passed+=("$scenario (${seconds}s)"); else failed+=("$scenario (${seconds}s)"); fi
}

declare -A running=()
for scenario in "${scenarios[@]}"; do
    while [ ${#running[@]} -ge "$jobs" ]; do
        finished=""
        wait -n -p finished "${!running[@]}" || true
        report "${running[$finished]}"
        unset "running[$finished]"
    done
    run_one "$scenario" &
    running[$!]=$scenario
done
while [ ${#running[@]} -gt 0 ]; do
    finished=""
    wait -n -p finished "${!running[@]}" || true
    report "${running[$finished]}"
    unset "running[$finished]"
done

echo "molecule: passed: ${passed[*]:-none}"
echo "molecule: failed: ${failed[*]:-none}"
echo "molecule: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
