# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh and scripts/lock.sh: `find_python 3.13` prints the path of a
# working python3.13 (or fails).

# A Python counts only if it runs: pyenv puts shims for every version it knows on PATH, and a shim for
# a version that is not selected exits with an error, so `command -v` alone is not enough.
python_works() { [ -n "$1" ] && "$1" -c 'import sys, venv' >/dev/null 2>&1; }

find_python() {  # find_python 3.13 -> path of a working python3.13, or nothing
    local version=$1 candidate
    local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
    for candidate in \
        "$(command -v "python$version" 2>/dev/null || true)" \
        "$pyenv_root"/versions/"$version".*/bin/"python$version" \
        /root/.pyenv/versions/"$version".*/bin/"python$version" \
        /usr/local/bin/"python$version" /usr/bin/"python$version"; do
        if python_works "$candidate"; then
            # The interpreter itself, not a shim that may point elsewhere tomorrow.
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

