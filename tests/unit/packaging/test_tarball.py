# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The built collection holds what galaxy.yml's manifest allow-list names, and nothing a working tree
collects on the side (a twin world, a type checker's cache, an editor's folder, a changelog cache).

The build needs distlib (ansible-galaxy's manifest support): `make package` runs these tests in
.deps/platform, where it is, with SFB_PACKAGE_TARBALL set; elsewhere they skip, saying why.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[3]
REQUIRED = os.environ.get("SFB_PACKAGE_TARBALL")

# Files a working tree gathers that must never ship, each where a developer or a tool leaves it.
STRAYS = [
    "estate.db",
    "tests/twin/rehearsal.db",
    "plugins/plugin_utils/twin/scratch.db",
    ".mypy_cache/3.13/cache.json",
    "plugins/.mypy_cache/CACHEDIR.TAG",
    ".vscode/settings.json",
    "roles/deploy/.vscode/launch.json",
    "changelogs/.plugin-cache.yaml",
    "plugins/modules/__pycache__/drain.cpython-313.pyc",
    ".pytest_cache/v/cache/lastfailed",
    "sfb-server-0.0.1.tar.gz",
    ".deps/collections/x.txt",
    "awx/configure.yml",
]


def _ansible_galaxy() -> str | None:
    try:
        import distlib  # noqa: F401  (ansible-galaxy needs it for a manifest allow-list)
    except ImportError:
        return None
    candidate = pathlib.Path(sys.executable).parent / "ansible-galaxy"
    return str(candidate) if candidate.exists() else shutil.which("ansible-galaxy")


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                         check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if (REPO / line).is_file() and not (REPO / line).is_symlink()]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[pathlib.Path, set[str]]:
    """A copy of the tree with every stray added, built; the tarball's member names."""
    galaxy = _ansible_galaxy()
    if galaxy is None:
        if REQUIRED:
            pytest.fail("ansible-galaxy with distlib is needed to build the collection (make package)")
        pytest.skip("needs ansible-galaxy with distlib (make package runs this in .deps/platform)")
    tree = tmp_path_factory.mktemp("tree") / "server"
    for name in _tracked_files():
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    for name in STRAYS:
        stray = tree / name
        stray.parent.mkdir(parents=True, exist_ok=True)
        stray.write_text("stray\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    env = {**os.environ, "ANSIBLE_COLLECTIONS_PATH": str(out), "HOME": str(out)}
    subprocess.run([galaxy, "collection", "build", "--output-path", str(out), str(tree)], check=True,
                   capture_output=True, text=True, env=env)
    tarball = next(out.glob("sfb-server-*.tar.gz"))
    with tarfile.open(tarball) as archive:
        return tree, {m.name.rstrip("/") for m in archive.getmembers() if not m.isdir()}


def test_no_stray_file_ships(built):
    members = built[1]
    shipped = sorted(s for s in STRAYS if s in members)
    assert not shipped, f"these must never be in the tarball: {shipped}"
    assert not [m for m in members if m.endswith((".db", ".pyc")) or "/." in "/" + m], \
        "no world file, bytecode or dot-folder in the tarball"


def test_what_a_user_needs_ships(built):
    tree, members = built
    needed = {"MANIFEST.json", "FILES.json", "README.md", "CHANGELOG.md", "LICENSE", "meta/runtime.yml",
              "meta/execution-environment.yml", "requirements.txt", "bindep.txt", "changelogs/changelog.yaml"}
    for folder in ("plugins", "roles", "playbooks"):
        needed |= {str(p.relative_to(tree)) for p in (tree / folder).rglob("*")
                   if p.is_file() and p.suffix in (".py", ".ps1", ".psm1", ".yml", ".json", ".md")
                   and "__pycache__" not in p.parts and not any(part.startswith(".") for part in p.parts)}
    needed |= {f"roles/{role.name}/README.md" for role in (tree / "roles").iterdir() if role.is_dir()}
    missing = sorted(needed - members)
    assert not missing, f"missing from the tarball: {missing}"


def test_the_tarball_describes_the_collection(built):
    members = built[1]
    assert "galaxy.yml" not in members  # ansible-galaxy writes MANIFEST.json from it instead
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    for key in ("repository", "documentation", "homepage", "issues"):
        assert str(galaxy.get(key, "")).startswith("https://"), f"galaxy.yml needs {key}"
    assert "build_ignore" not in galaxy, "the manifest allow-list replaces build_ignore (both are refused)"
    assert galaxy["manifest"]["omit_default_directives"] is True


def test_every_role_has_a_readme_naming_its_entry_points():
    for specs in sorted(REPO.glob("roles/*/meta/argument_specs.yml")):
        role = specs.parents[1]
        readme = role / "README.md"
        assert readme.is_file(), f"{role.name} has no README.md (galaxy-importer refuses a role without one)"
        text = readme.read_text(encoding="utf-8")
        for entry_point in yaml.safe_load(specs.read_text(encoding="utf-8"))["argument_specs"]:
            assert f"`{entry_point}`" in text, f"roles/{role.name}/README.md does not name entry point {entry_point}"


def test_every_role_entry_point_has_a_description():
    # antsibull-docs lint-collection-docs refuses an entry point without one.
    for specs in sorted(REPO.glob("roles/*/meta/argument_specs.yml")):
        for name, entry in yaml.safe_load(specs.read_text(encoding="utf-8"))["argument_specs"].items():
            assert entry.get("short_description") and entry.get("description"), \
                f"{specs.relative_to(REPO)}: entry point {name} needs short_description and description"
