#!/usr/bin/env bash
# `make package`: the collection as Galaxy and Automation Hub receive it, and as an execution
# environment installs it. Every step runs offline (PyPI aside, for the tool environments):
#   1. ansible-galaxy collection build: the tarball, from galaxy.yml's manifest allow-list;
#   2. galaxy-importer on that tarball (its own virtual environment, .deps/galaxy-importer), with its
#      ansible-doc and ansible-lint passes: any error, and any warning or lint finding, fails;
#   3. antsibull-docs lint-collection-docs --plugin-docs: the docs as docs.ansible.com renders them;
#   4. ansible-builder introspect on the installed tarball: the execution environment's Python and
#      system requirements (meta/execution-environment.yml) must name what the collection imports;
#   5. ansible-builder create: execution-environment.yml gives a build context (no container engine);
#   6. tests/unit/packaging with the tarball built (what it holds, and what it must never hold).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PLATFORM=$ROOT/.deps/platform/bin
IMPORTER=$ROOT/.deps/galaxy-importer/bin
OUT=$ROOT/.deps/package
# antsibull-docs and ansible-builder call ansible-galaxy and ansible-doc: the platform's, first.
export PATH="$PLATFORM:$PATH"
"$ROOT/scripts/bootstrap.sh" platform
"$ROOT/scripts/bootstrap.sh" galaxy-importer
rm -rf "$OUT"
mkdir -p "$OUT"
status=0
step() { printf '\npackage: %s\n' "$*"; }
fail() { printf 'package: FAILED %s\n' "$*" >&2; status=1; }

step "ansible-galaxy collection build"
"$PLATFORM/ansible-galaxy" collection build --force --output-path "$OUT" >"$OUT/build.log" 2>&1 ||
    { cat "$OUT/build.log"; fail "ansible-galaxy collection build"; exit 1; }
tarball=$(find "$OUT" -maxdepth 1 -name 'sfb-server-*.tar.gz' | head -n1)
echo "package: built ${tarball#"$ROOT"/} ($(du -k "$tarball" | cut -f1) KiB, $(tar -tzf "$tarball" | grep -vc '/$') files)"

step "galaxy-importer ${tarball##*/} (offline, ansible-doc and ansible-lint passes)"
# Its ansible-lint and ansible-doc run from its own environment: its bin/ first on PATH. Its working
# folder is a scratch one, where it leaves importer_result.json.
mkdir -p "$OUT/importer"
if (cd "$OUT/importer" && env PATH="$IMPORTER:$PATH" ANSIBLE_COLLECTIONS_PATH= \
    GALAXY_IMPORTER_RUN_ANSIBLE_LINT=true GALAXY_IMPORTER_OFFLINE_ANSIBLE_LINT=true \
    GALAXY_IMPORTER_RUN_ANSIBLE_DOC=true GALAXY_IMPORTER_RUN_ANSIBLE_TEST=false \
    GALAXY_IMPORTER_CHECK_CHANGELOG=true GALAXY_IMPORTER_TMP_ROOT_DIR="$OUT/importer" \
    "$IMPORTER/python" -m galaxy_importer.main "$tarball") >"$OUT/importer.log" 2>&1; then
    if grep -E '^(WARNING|ERROR)|ansible-lint.*(warning|error)' "$OUT/importer.log" >/dev/null ||
        ! "$IMPORTER/python" - "$OUT/importer/importer_result.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if result.get("contents") and result.get("docs_blob") else 1)
PY
    then
        cat "$OUT/importer.log"
        fail "galaxy-importer reported warnings or errors (above)"
    else
        grep -E 'Collection loading complete|Importer|Linting' "$OUT/importer.log" | sed 's/^/    /' || true
        echo "package: galaxy-importer: OK, no warning (log: ${OUT#"$ROOT"/}/importer.log)"
    fi
else
    cat "$OUT/importer.log"
    fail "galaxy-importer refused ${tarball##*/}"
fi

step "antsibull-docs lint-collection-docs --plugin-docs ."
"$PLATFORM/antsibull-docs" lint-collection-docs --plugin-docs . || fail "antsibull-docs lint-collection-docs"

step "ansible-builder introspect (the tarball installed alone)"
"$PLATFORM/ansible-galaxy" collection install --offline --no-deps --force -p "$OUT/ee-collections" "$tarball" >/dev/null 2>&1
if "$PLATFORM/ansible-builder" introspect --sanitize "$OUT/ee-collections" >"$OUT/introspect.txt" 2>&1; then
    cat "$OUT/introspect.txt"
    for wanted in pywinrm 'pypsrp\[.*kerberos' 'pypsrp\[.*credssp' dnspython openpyxl krb5; do
        grep -Eqi "$wanted" "$OUT/introspect.txt" || fail "ansible-builder introspect does not find $wanted"
    done
else
    cat "$OUT/introspect.txt"
    fail "ansible-builder introspect"
fi

step "ansible-builder create (execution-environment.yml)"
# The EE installs sfb.server from the tarball just built, under a name that does not change with the
# version (execution-environment.yml's additional_build_files).
mkdir -p "$OUT/ee-build"
cp "$tarball" "$OUT/ee-build/sfb-server.tar.gz"
if "$PLATFORM/ansible-builder" create -f execution-environment.yml --context "$OUT/ee-context" \
    --output-filename Containerfile >"$OUT/ee-create.log" 2>&1 &&
    [ -f "$OUT/ee-context/Containerfile" ]; then
    echo "package: ansible-builder create: ${OUT#"$ROOT"/}/ee-context/Containerfile ($(wc -l <"$OUT/ee-context/Containerfile") lines)"
else
    cat "$OUT/ee-create.log"
    fail "ansible-builder create"
fi

step "tests/unit/packaging on ${tarball##*/}"
SFB_PACKAGE_TARBALL=$tarball PYTHONPATH="$ROOT/.deps/collections" \
    "$PLATFORM/python" -m pytest tests/unit/packaging -q -p no:cacheprovider || fail "tests/unit/packaging"
exit $status
