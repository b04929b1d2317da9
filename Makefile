# sfb.server: `make demo` rehearses the main job on the twin, `make test` runs every test and quality
# gate (what CI runs). Both set everything up first (scripts/bootstrap.sh; a rerun with nothing
# changed costs about a second). Versions are pinned in requirements/ only.
#
#   make setup          .venv (newest: Python 3.13, ansible-core 2.21), .venv-oldest (Python 3.11,
#                       ansible-core 2.16), .deps/collections (Windows collections + this checkout)
#   make demo           create the twin estate, run the main job(s) on it, show the estate
#   make test           units units-oldest twin-oldest matrix lint sanity docs package awx molecule changelog
#   make matrix         unit tests + twin playbooks on ansible-core 2.16-2.20 (.deps/matrix/, Pythons 3.10-3.13)
#   make package        build the tarball; galaxy-importer, antsibull-docs, ansible-builder introspect/create
#   make awx            AWX job templates: surveys against AWX's rules, each playbook through ansible-runner
#   make molecule SCENARIO=name   one Molecule scenario (all of them without SCENARIO)
#   make bench          every tests/bench/*.py
#   make lock           re-pin requirements/*.txt from requirements/*.in
#   make clean          remove what make made (keeps the downloaded ansible wheel; clean-all does not)

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := $(CURDIR)/.venv/bin
OLDEST := $(CURDIR)/.venv-oldest/bin
COLLECTIONS := $(CURDIR)/.deps/collections

# The main job `make demo` rehearses on the twin estate: a maintenance window (report the estate,
# patch every server one at a time, report again). Extend this list rather than the recipe.
DEMO_PLAYBOOKS ?= playbooks/report.yml playbooks/patch_pool.yml playbooks/report.yml
DEMO_ESTATE ?= tests/twin/estate.yml
DEMO_INVENTORY ?= tests/twin/inventory.yml
# The playbooks run on the oldest supported ansible-core, on their own world file.
OLDEST_PLAYBOOKS ?= $(DEMO_PLAYBOOKS)

# `make test` stages, in order. Each runs even when an earlier one failed; the recap says which failed.
TEST_STAGES := units units-oldest twin-oldest matrix lint sanity docs package awx molecule changelog

# Everything runs against this tree only: the collections path is ours alone, and the linters, Molecule
# and ansible-test get a HOME of their own, so a copy of sfb.server under ~/.ansible/collections (or
# ansible-lint's cache) never shadows the working tree.
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH := false
ifdef CI
export ANSIBLE_NOCOLOR := 1
export NO_COLOR := 1
export PY_COLORS := 0
endif
export PYTHONDONTWRITEBYTECODE := 1
# Molecule scenarios run at once: two (one per core) in CI, where the machine is ours alone; one on a
# development machine shared with others. `make molecule MOLECULE_JOBS=2` overrides.
MOLECULE_JOBS ?= $(if $(CI),2,1)
export MOLECULE_JOBS
# The same for the ansible-core minors of `make matrix`.
MATRIX_JOBS ?= $(if $(CI),2,1)
export MATRIX_JOBS
TOOL_HOME := $(CURDIR)/.deps/home
ISOLATED := env HOME=$(TOOL_HOME) XDG_CACHE_HOME=$(TOOL_HOME)/.cache XDG_CONFIG_HOME=$(TOOL_HOME)/.config

.PHONY: help setup demo test units units-oldest twin-oldest matrix lint sanity docs package awx molecule \
	changelog bench build lock clean clean-all

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

setup:
	@scripts/bootstrap.sh all
	@mkdir -p $(TOOL_HOME) .twin

demo: setup
	$(VENV)/python scripts/sfb_twin.py --world .twin/estate.db create $(DEMO_ESTATE) --replace >/dev/null
	@echo "demo: twin estate .twin/estate.db created from $(DEMO_ESTATE)"
	@for playbook in $(DEMO_PLAYBOOKS); do \
		echo "demo: ansible-playbook -i $(DEMO_INVENTORY) $$playbook"; \
		SFB_TWIN_WORLD=$(CURDIR)/.twin/estate.db $(VENV)/ansible-playbook -i $(DEMO_INVENTORY) $$playbook; \
	done
	$(VENV)/python scripts/sfb_twin.py --world .twin/estate.db show

# Every stage, timed; the pytest summary lines come again at the end so they close the output.
test:
	@start=$$SECONDS; failed=(); \
	echo "=== make setup"; $(MAKE) --no-print-directory setup; \
	recap=("$$(printf '%-14s %4ss  %s' setup $$((SECONDS - start)) ok)"); \
	for stage in $(TEST_STAGES); do \
		echo; echo "=== make $$stage"; t=$$SECONDS; \
		if $(MAKE) --no-print-directory $$stage; then result=ok; else result=FAILED; failed+=($$stage); fi; \
		recap+=("$$(printf '%-14s %4ss  %s' $$stage $$((SECONDS - t)) $$result)"); \
	done; \
	echo; echo "=== make test recap ($$((SECONDS - start))s)"; printf '%s\n' "$${recap[@]}"; \
	for log in .deps/pytest-newest.txt .deps/pytest-oldest.txt; do [ -f $$log ] && cat $$log; done; \
	if [ $${#failed[@]} -gt 0 ]; then echo "make test: FAILED stages: $${failed[*]}"; exit 1; fi

# pytest exits 5 when it collects no test: that fails the stage like any other failure.
units: setup
	@rm -f .deps/pytest-newest.txt; rc=0; \
	PYTHONPATH=$(COLLECTIONS) $(VENV)/python -m pytest tests/unit -q -p no:cacheprovider \
		| tee .deps/pytest-newest.log || rc=$$?; \
	{ echo "pytest on ansible-core 2.21 (newest), exit $$rc:"; tail -n 1 .deps/pytest-newest.log; } \
		> .deps/pytest-newest.txt; \
	exit $$rc

units-oldest: setup
	@rm -f .deps/pytest-oldest.txt; rc=0; \
	PYTHONPATH=$(COLLECTIONS) $(OLDEST)/python -m pytest tests/unit -q -p no:cacheprovider \
		| tee .deps/pytest-oldest.log || rc=$$?; \
	{ echo "pytest on ansible-core 2.16 (oldest), exit $$rc:"; tail -n 1 .deps/pytest-oldest.log; } \
		> .deps/pytest-oldest.txt; \
	exit $$rc

twin-oldest: setup
	$(OLDEST)/python scripts/sfb_twin.py --world .twin/oldest.db create $(DEMO_ESTATE) --replace >/dev/null
	@version="$$($(OLDEST)/ansible-playbook --version | sed -n 1p)"; \
	for playbook in $(OLDEST_PLAYBOOKS); do \
		echo "twin-oldest: $$version: $$playbook"; \
		SFB_TWIN_WORLD=$(CURDIR)/.twin/oldest.db $(OLDEST)/ansible-playbook -i $(DEMO_INVENTORY) $$playbook; \
	done

# ansible-core 2.16-2.20, each on a Python it supports: scripts/matrix.sh (2.21 is .venv: `make units`).
matrix: setup
	MATRIX_PLAYBOOKS="$(OLDEST_PLAYBOOKS)" MATRIX_ESTATE=$(DEMO_ESTATE) MATRIX_INVENTORY=$(DEMO_INVENTORY) \
		scripts/matrix.sh

# The collection as Galaxy, Automation Hub and an execution environment receive it: scripts/package.sh.
package: setup
	$(ISOLATED) scripts/package.sh

# AWX / Automation Controller as code (awx/): every job template's survey against AWX's rules, and its
# playbook run through ansible-runner against the twin with the survey's defaults (tests/platform).
awx: setup
	@scripts/bootstrap.sh platform
	$(ISOLATED) PYTHONPATH=$(COLLECTIONS) $(CURDIR)/.deps/platform/bin/python -m pytest tests/platform -q -p no:cacheprovider

# ansible-lint runs yamllint itself (its yaml rule); its configuration is .ansible-lint.
lint: setup
	$(ISOLATED) $(VENV)/ansible-lint

sanity: setup
	$(ISOLATED) scripts/sanity.sh

docs: setup
	$(ISOLATED) scripts/docs.sh

molecule: setup
	$(ISOLATED) scripts/molecule.sh $(SCENARIO)

changelog: setup
	$(VENV)/antsibull-changelog lint

bench: setup
	@shopt -s nullglob; benches=(tests/bench/*.py); \
	if [ $${#benches[@]} -eq 0 ]; then echo "bench: no tests/bench/*.py yet"; exit 0; fi; \
	for bench in "$${benches[@]}"; do \
		echo "=== $$bench"; PYTHONPATH=$(COLLECTIONS) $(VENV)/python $$bench; \
	done

# ansible-galaxy needs distlib for galaxy.yml's manifest allow-list: the platform environment has it.
build: setup
	@scripts/bootstrap.sh platform
	$(CURDIR)/.deps/platform/bin/ansible-galaxy collection build --force --output-path .deps/build

lock:
	scripts/lock.sh

clean:
	rm -rf .venv .venv-oldest .twin tests/output .pytest_cache .ansible
	find .deps -mindepth 1 -maxdepth 1 ! -name wheels -exec rm -rf {} + 2>/dev/null || true
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +

clean-all: clean
	rm -rf .deps
