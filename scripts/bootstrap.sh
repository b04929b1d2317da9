#!/usr/bin/env bash
# Sets up everything `make` needs, idempotently: the newest toolchain in .venv (Python 3.13, or 3.12),
# the oldest supported one in .venv-oldest (Python 3.11), the Windows collections in
# .deps/collections and the link that makes this checkout the collection sfb.server.
# Each part keeps a stamp (a hash of what it was built from) so a rerun with nothing changed takes a
# second. Usage: scripts/bootstrap.sh [newest|oldest|collections|ansible-test|galaxy-importer|platform|
# matrix [minor...]|all]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEPS="$ROOT/.deps"
REQ="$ROOT/requirements"
cd "$ROOT"

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# shellcheck source=scripts/find-python.sh
source "$ROOT/scripts/find-python.sh"

# pip, without the "Location ... is ignored" warnings that this machine's pip.conf causes; its own
# output is shown only when it fails.
pip_run() {  # pip_run PYTHON ARGS...
    local python=$1 log
    shift
    log=$(mktemp)
    if ! "$python" -m pip "$@" >"$log" 2>&1; then
        grep -v "^WARNING: Location" "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

stamp_of() {  # a hash of the files and words given: when it changes, the part is rebuilt
    { for item in "$@"; do if [ -f "$item" ]; then cat "$item"; else printf '%s\n' "$item"; fi; done; } |
        sha256sum | cut -d' ' -f1
}

make_venv() {  # make_venv DIR PYTHON LOCKFILE
    local dir=$1 python=$2 lock=$3 stamp
    stamp=$(stamp_of "$lock" "$("$python" -c 'import sys; print(sys.version)')")
    if [ -f "$dir/.sfb-stamp" ] && [ "$(cat "$dir/.sfb-stamp")" = "$stamp" ]; then
        return 0
    fi
    say "creating $dir with $python ($("$python" --version 2>&1)) from ${lock#"$ROOT"/}"
    rm -rf "$dir"
    if ! "$python" -m venv "$dir"; then
        rm -rf "$dir"
        # Debian's own python3.11 has venv without ensurepip until python3-venv is installed.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            say "installing python3-venv (Debian) for $python"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
            "$python" -m venv "$dir"
        else
            die "cannot create a virtual environment with $python: install python3-venv"
        fi
    fi
    # The lock pins every package, so --no-deps: nothing unpinned sneaks in; pip check proves the
    # lock is complete.
    pip_run "$dir/bin/python" install --upgrade --no-deps -r "$lock" || die "pip could not install ${lock#"$ROOT"/}"
    pip_run "$dir/bin/python" check || die "${lock#"$ROOT"/} misses a dependency: run make lock"
    printf '%s\n' "$stamp" >"$dir/.sfb-stamp"
}

setup_newest() {
    local python
    python=$(find_python 3.13 || find_python 3.12) ||
        die "Python 3.13 or 3.12 is needed for ansible-core 2.21 (pyenv install 3.13, or your distribution's python3.13)"
    make_venv "$ROOT/.venv" "$python" "$REQ/newest.txt"
}

setup_oldest() {
    local python
    python=$(find_python 3.11) || die "Python 3.11 is needed for the oldest toolchain (ansible-core 2.16)"
    make_venv "$ROOT/.venv-oldest" "$python" "$REQ/oldest.txt"
}

setup_collections() {
    local wheel_spec stamp wheel
    local -a collections
    wheel_spec=$(sed -n 's/^wheel: *//p' "$REQ/collections.txt")
    mapfile -t collections < <(sed -n 's/^collection: *//p' "$REQ/collections.txt")
    stamp=$(stamp_of "$REQ/collections.txt")
    local target="$DEPS/collections/ansible_collections"
    local missing=0 ns
    for ns in "${collections[@]}"; do [ -f "$target/$ns/MANIFEST.json" ] || missing=1; done
    if [ "$missing" = 1 ] || [ ! -f "$DEPS/collections/.sfb-stamp" ] ||
        [ "$(cat "$DEPS/collections/.sfb-stamp")" != "$stamp" ]; then
        local version=${wheel_spec#*==}
        wheel="$DEPS/wheels/ansible-$version-py3-none-any.whl"
        if [ ! -f "$wheel" ]; then
            say "downloading $wheel_spec (about 51 MB, once) for its Windows collections"
            pip_run "$ROOT/.venv/bin/python" download --no-deps --only-binary=:all: -d "$DEPS/wheels" "$wheel_spec" ||
                die "could not download $wheel_spec"
            [ -f "$wheel" ] || die "pip downloaded $wheel_spec, but not as $wheel"
        fi
        say "extracting ${collections[*]} from ${wheel#"$ROOT"/}"
        for ns in "${collections[@]}"; do rm -rf "${target:?}/$ns"; done
        "$ROOT/.venv/bin/python" - "$wheel" "$target" "${collections[@]}" <<'PY'
import pathlib, sys, zipfile
wheel, target, wanted = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3:]
prefixes = tuple(f"ansible_collections/{name}/" for name in wanted)
with zipfile.ZipFile(wheel) as archive:
    members = [m for m in archive.namelist() if m.startswith(prefixes)]
    for name in wanted:
        if not any(m.startswith(f"ansible_collections/{name}/") for m in members):
            sys.exit(f"{name} is not in {wheel}")
    for member in members:
        archive.extract(member, target.parent)
PY
        printf '%s\n' "$stamp" >"$DEPS/collections/.sfb-stamp"
    fi
    # This checkout is the collection sfb.server: a relative link, so the tree can move.
    mkdir -p "$target/sfb"
    if [ "$(readlink "$target/sfb/server" 2>/dev/null)" != "../../../.." ]; then
        rm -rf "$target/sfb/server"
        ln -s ../../../.. "$target/sfb/server"
    fi
}

# ansible-test bootstraps pip in each virtual environment it makes with a script it downloads from a
# host that is not reachable from here. It first looks in ~/.ansible/test/cache/get_pip_<version>.py:
# put there the pip wheel of the version ansible-test pins (read from ansible-test itself, so it
# follows ansible-core) and a stand-in script that installs that wheel without any index.
setup_ansible_test() {
    local cache="$HOME/.ansible/test/cache" version
    version=$("$ROOT/.venv/bin/python" - <<'PY'
import inspect, re
from ansible_test._internal import python_requirements
match = re.search(r"pip='([0-9.]+)'", inspect.getsource(python_requirements.get_venv_packages))
print(match.group(1) if match else "")
PY
)
    [ -n "$version" ] || die "could not read the pip version ansible-test pins"
    local script="$cache/get_pip_${version//./_}.py"
    setup_shellcheck
    mkdir -p "$cache"
    local wheel
    wheel=$(find "$cache" -maxdepth 1 -name "pip-$version-*.whl" | head -n1)
    [ -f "$script" ] && [ -n "$wheel" ] && return 0
    say "caching pip $version for ansible-test in $cache"
    pip_run "$ROOT/.venv/bin/python" download --no-deps --only-binary=:all: -d "$cache" "pip==$version" ||
        die "could not download pip $version"
    wheel=$(find "$cache" -maxdepth 1 -name "pip-$version-*.whl" | head -n1)
    [ -n "$wheel" ] || die "could not download pip $version"
    cat >"$script" <<PY
# Offline stand-in for get-pip.py, written by sfb.server's scripts/bootstrap.sh: installs pip from
# the wheel beside this file. ansible-test passes get-pip's own options; pip install does not know them.
import os, runpy, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "$(basename "$wheel")"))
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", "--no-index", "--find-links", here] + args
runpy.run_module("pip", run_name="__main__", alter_sys=True)
PY
}

# ansible-test's shellcheck test runs only where shellcheck is installed: install it (Debian's
# package) so the test runs the same everywhere; where that is not possible, sanity skips it and says so.
setup_shellcheck() {
    command -v shellcheck >/dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing shellcheck (Debian) for ansible-test's shellcheck test"
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null 2>&1; }; } ||
            say "could not install shellcheck: ansible-test's shellcheck test will be skipped"
    fi
}

# A tool or test environment of its own, from requirements/NAME.txt, on the Python its NAME.in names
# (`# python: X.Y`): galaxy-importer, platform (ansible-builder, ansible-runner, antsibull-docs) and
# matrix-<minor> (one per supported ansible-core minor). Built once, cached under .deps/.
setup_locked() {  # setup_locked NAME DIR
    local name=$1 dir=$2 version python
    version=$(sed -n 's/^# python: *//p' "$REQ/$name.in" | head -n1)
    [ -n "$version" ] || die "requirements/$name.in has no '# python: X.Y' line"
    python=$(find_python "$version") ||
        die "Python $version is needed for requirements/$name.txt (pyenv install $version, or your distribution's python$version)"
    make_venv "$dir" "$python" "$REQ/$name.txt"
}

setup_matrix() {  # every requirements/matrix-<minor>.txt, or the minors given
    local -a minors=("$@") file
    if [ ${#minors[@]} -eq 0 ]; then
        for file in "$REQ"/matrix-*.txt; do
            [ -e "$file" ] || continue
            file=${file##*/matrix-}
            minors+=("${file%.txt}")
        done
    fi
    local minor
    for minor in "${minors[@]}"; do setup_locked "matrix-$minor" "$DEPS/matrix/$minor"; done
}

case "${1:-all}" in
    newest) setup_newest ;;
    oldest) setup_oldest ;;
    collections) setup_newest; setup_collections ;;
    ansible-test) setup_newest; setup_ansible_test ;;
    all) setup_newest; setup_oldest; setup_collections ;;
    galaxy-importer) setup_locked galaxy-importer "$DEPS/galaxy-importer" ;;
    platform) setup_locked platform "$DEPS/platform" ;;
    matrix) shift; setup_matrix "$@" ;;
    *) die "unknown part: $1 (newest, oldest, collections, ansible-test, galaxy-importer, platform, matrix [minor...] or all)" ;;
esac
