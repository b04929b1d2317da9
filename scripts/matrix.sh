#!/usr/bin/env bash
# `make matrix`: every supported ansible-core minor that .venv and .venv-oldest do not already cover
# runs the unit tests and the twin playbooks, each on a controller Python it supports (the oldest,
# 3.10, included). One environment per requirements/matrix-<minor>.txt, built once under
# .deps/matrix/<minor> (scripts/bootstrap.sh matrix). MATRIX_JOBS minors run at once (two in CI, one
# on a shared development machine); each one's output is printed whole when it ends, then a table.
# Usage: scripts/matrix.sh [minor...]    environment: MATRIX_JOBS, MATRIX_PLAYBOOKS, MATRIX_ESTATE,
#                                        MATRIX_INVENTORY
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
JOBS=${MATRIX_JOBS:-1}
PLAYBOOKS=${MATRIX_PLAYBOOKS:-playbooks/report.yml playbooks/patch_pool.yml playbooks/report.yml}
ESTATE=${MATRIX_ESTATE:-tests/twin/estate.yml}
INVENTORY=${MATRIX_INVENTORY:-tests/twin/inventory.yml}
LOGS=$ROOT/.deps/matrix-logs
minors=("$@")
if [ ${#minors[@]} -eq 0 ]; then
    for file in requirements/matrix-*.txt; do
        file=${file##*/matrix-}
        minors+=("${file%.txt}")
    done
fi
"$ROOT/scripts/bootstrap.sh" matrix "${minors[@]}"
rm -rf "$LOGS"
mkdir -p "$LOGS" "$ROOT/.twin"

run_minor() {  # run_minor MINOR: the unit tests, then the playbooks on a world of its own
    local minor=$1 venv=$ROOT/.deps/matrix/$1/bin world=$ROOT/.twin/matrix-$1.db start=$SECONDS rc=0 playbook
    {
        echo "=== matrix $minor: $("$venv/ansible" --version | sed -n 1p), $("$venv/python" --version)"
        PYTHONPATH=$ROOT/.deps/collections "$venv/python" -m pytest tests/unit -q -p no:cacheprovider || rc=1
        "$venv/python" scripts/sfb_twin.py --world "$world" create "$ESTATE" --replace >/dev/null || rc=1
        for playbook in $PLAYBOOKS; do
            echo "--- $minor: ansible-playbook -i $INVENTORY $playbook"
            SFB_TWIN_WORLD=$world "$venv/ansible-playbook" -i "$INVENTORY" "$playbook" || { rc=1; break; }
        done
    } >"$LOGS/$minor.log" 2>&1
    local units
    units=$(grep -E '^[0-9]+ (passed|failed)|^=+ .*(passed|failed)' "$LOGS/$minor.log" | tail -n1 | tr -d '=' | sed 's/^ *//')
    printf '%s %s %s %s\n' "$minor" "$((SECONDS - start))" "$([ $rc = 0 ] && echo ok || echo FAILED)" "$units" >"$LOGS/$minor.result"
    return $rc
}

running=0
for minor in "${minors[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_minor "$minor" &
    running=$((running + 1))
done
wait || true

status=0
for minor in "${minors[@]}"; do cat "$LOGS/$minor.log"; echo; done
echo "=== matrix recap (ansible-core, Python, seconds, result, unit tests)"
for minor in "${minors[@]}"; do
    read -r m seconds result units <"$LOGS/$minor.result" || { echo "$minor: no result"; status=1; continue; }
    python=$(sed -n 's/^# python: *//p' "requirements/matrix-$minor.in")
    printf '  ansible-core %-5s Python %-5s %4ss  %-6s %s\n' "$m" "$python" "$seconds" "$result" "$units"
    [ "$result" = ok ] || status=1
done
exit $status
