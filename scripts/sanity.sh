#!/usr/bin/env bash
# ansible-test sanity, as `make sanity` runs it.
#
# - ansible-test only works from a tree that physically sits at .../ansible_collections/sfb/server (a
#   symlink is refused), so the checkout's files (tracked ones and new ones not git-ignored) are copied
#   afresh to .deps/sanity/ansible_collections/sfb/server.
# - Each test gets its own virtual environment (--venv) under ~/.ansible/test; ansible-test bootstraps
#   pip there with a script it would download from a host that is not reachable: scripts/bootstrap.sh
#   ansible-test caches pip and an offline stand-in for that script first. The tests' own
#   requirements come from PyPI.
# - Tests that need a program this machine cannot have are skipped: pslint and the PowerShell side of
#   validate-modules need pwsh (not installable here); shellcheck is installed from Debian by the
#   bootstrap when possible, and skipped (with a notice) where it is not.
# - validate-modules stops at the first .ps1 module without pwsh, and an ignore-file entry for it
#   would make ansible-lint's production profile fail (sanity[cannot-ignore]). So validate-modules
#   runs in a second pass on the Python modules only, and the PowerShell modules are covered by
#   `make docs` (ansible-doc renders their documentation) and by tests/unit's tree-sitter parse of
#   every .ps1. No tests/sanity/ignore-*.txt file is needed or wanted.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON_VERSION=$("$ROOT/.venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
COPY="$ROOT/.deps/sanity/ansible_collections/sfb/server"

"$ROOT/scripts/bootstrap.sh" ansible-test

rm -rf "$ROOT/.deps/sanity"
mkdir -p "$COPY"
cd "$ROOT"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # --others --exclude-standard: a new file counts before it is committed; ignored ones never do.
    git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
        # collections/ansible_collections/sfb/server links to the checkout itself (for AWX projects):
        # ansible-test refuses links to folders, and the collection is the copy anyway.
        case "$f" in collections/ansible_collections/*) continue ;; esac
        # Published output copied verbatim, with its sources' typographic quotes: data, not code.
        case "$f" in tests/unit/samples/published/*) continue ;; esac
        [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
    done | tar --null -T - -cf - | tar -xf - -C "$COPY"
else
    tar --exclude=./.git --exclude='./.venv*' --exclude=./.deps --exclude=./.twin --exclude=./tests/output \
        --exclude=./.ansible -cf - . | tar -xf - -C "$COPY"
fi

# The copy lies inside this checkout, where .deps/ is git-ignored: ansible-test lists its targets with
# `git ls-files` from the nearest repository and would find none. An empty repository of its own
# makes every copied file an untracked, not-ignored one, which ansible-test takes.
git init -q "$COPY"

skip=(--skip-test validate-modules --skip-test pslint)
command -v shellcheck >/dev/null || skip+=(--skip-test shellcheck)
python_modules=()
powershell_docs=()
for module in plugins/modules/*.py; do
    [ -e "$module" ] || continue
    if [ -e "${module%.py}.ps1" ]; then powershell_docs+=("$module"); else python_modules+=("$module"); fi
done

cd "$COPY"
export PATH="$ROOT/.venv/bin:$PATH"
status=0
echo "sanity: all tests but ${skip[*]//--skip-test /}"
ansible-test sanity --venv --python "$PYTHON_VERSION" --color no "${skip[@]}" || status=1
if [ ${#python_modules[@]} -gt 0 ]; then
    echo "sanity: validate-modules on ${python_modules[*]}"
    ansible-test sanity --venv --python "$PYTHON_VERSION" --color no --test validate-modules "${python_modules[@]}" || status=1
fi
# The documentation of a PowerShell module (plan_runner.py beside plan_runner.ps1) is validated too: in
# this last pass the copy's .ps1 files are removed, so validate-modules reads the .py documentation alone
# instead of stopping for want of pwsh. The .ps1 code is covered as said above.
if [ ${#powershell_docs[@]} -gt 0 ]; then
    for module in "${powershell_docs[@]}"; do rm -f "${module%.py}.ps1"; done
    echo "sanity: validate-modules on the documentation of ${powershell_docs[*]}"
    ansible-test sanity --venv --python "$PYTHON_VERSION" --color no --test validate-modules "${powershell_docs[@]}" || status=1
fi
exit $status
