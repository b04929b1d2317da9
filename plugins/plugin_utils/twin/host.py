# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TwinHost: the Host seam answered by the simulated estate."""

from __future__ import annotations

import hashlib
import os
import time

from ansible_collections.sfb.server.plugins.plugin_utils.errors import HostUnreachable, SfbError, WaitTimedOut
from ansible_collections.sfb.server.plugins.plugin_utils.host.base import (
    FileCopy, Host, UpdateDownload, UpdateRun, parse_runner_result,
)
from ansible_collections.sfb.server.plugins.plugin_utils.host.plan import Plan, PlanResult
from ansible_collections.sfb.server.plugins.plugin_utils.twin import engine, simulation
from ansible_collections.sfb.server.plugins.plugin_utils.twin.world import WorldStore

# Virtual seconds a Windows Server restart takes on the twin.
REBOOT_SECONDS = 180
# How often the twin polls a rebooting server, in virtual seconds.
_POLL_SECONDS = 15


class TwinHost(Host):
    def __init__(self, store: WorldStore, server: str, check_mode: bool = False, become: bool | None = None):
        super().__init__(server, check_mode)
        self.store = store
        # Whether the connection runs the task with become (runas); None: not told (direct callers).
        self.become = become
        self._clock = store.clock()

    def _run(self, plan: Plan) -> PlanResult:
        answer = engine.execute(self.store, self.name, plan.to_wire(), plan.modules(), plan.secrets,
                                become=self.become, time_limit=plan.time_limit)
        return parse_runner_result(plan, answer, self.name)

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(self._clock.real_seconds(seconds))

    def reboot(self, reason: str, timeout: float) -> dict:
        self._refuse_in_check_mode("restart the server")
        started = self.now()
        with self.store.transaction(simulation.advance) as world:
            engine._reachable(world, self.name)
            simulation.begin_reboot(world, world.server(self.name), REBOOT_SECONDS, reason)
        self.round_trips += 1

        def power():
            with self.store.transaction(simulation.advance) as world:
                return world.server(self.name)["power"]

        try:
            self.wait_until(power, lambda state: state == "on", timeout, _POLL_SECONDS, "the server to restart")
        except WaitTimedOut:
            raise HostUnreachable(
                f"{self.name} did not come back within {int(timeout)} seconds of its restart.",
                hint="Look at the server's console; when it is back, run the playbook again to resume.",
            ) from None
        return {"rebooted": True, "elapsed": int(self.now() - started)}

    def search_updates(self, categories: list[str], reject: list[str]) -> list[dict]:
        with self.store.transaction(simulation.advance) as world:
            server = engine._reachable(world, self.name)
            pending = [{"kb": u["kb"], "title": u["title"], "category": u["category"]}
                       for u in server["updates"]["pending"]
                       if (not categories or u["category"] in categories) and u["kb"] not in reject]
        self.round_trips += 1
        return pending

    def download_updates(self, categories: list[str], reject: list[str], timeout: float) -> UpdateDownload:
        # win_updates.ps1 (state=downloaded) skips an update already downloaded and fetches the others;
        # the server keeps serving meanwhile: a download touches no service.
        self._refuse_in_check_mode("download Windows updates")
        with self.store.transaction(simulation.advance) as world:
            server = engine._reachable(world, self.name)
            chosen = [u for u in server["updates"]["pending"]
                      if (not categories or u["category"] in categories) and u["kb"] not in reject]
            fetch = [u for u in chosen if not u.get("downloaded")]
            minutes = sum(u.get("download_minutes", 0) for u in fetch)
            if fetch:
                world.record(server["fqdn"], "updates_download_started", kbs=[u["kb"] for u in fetch], minutes=minutes)
        self.round_trips += 1
        if minutes * 60 > timeout:
            raise WaitTimedOut(f"{self.name}: downloading {len(fetch)} update(s) takes {minutes:g} minutes, more "
                               f"than the {int(timeout)} seconds allowed.", hint="Allow a longer update timeout.")
        self.sleep(minutes * 60)
        if fetch:
            with self.store.transaction(simulation.advance) as world:
                server = engine._reachable(world, self.name)
                kbs = {u["kb"] for u in fetch}
                for update in server["updates"]["pending"]:
                    if update["kb"] in kbs:
                        update["downloaded"] = True
                world.record(server["fqdn"], "updates_downloaded", kbs=sorted(kbs), minutes=minutes)

        def public(update: dict) -> dict:
            return {"kb": update["kb"], "title": update["title"], "category": update["category"]}

        return UpdateDownload(downloaded=[public(u) for u in fetch],
                              already=[public(u) for u in chosen if u not in fetch], failed=[])

    def copy_file(self, src: str, dest: str) -> FileCopy:
        # As win_copy: the controller's file is read here, its SHA-1 is the identity, and the destination is
        # written only when it does not hold that content yet. The file lands in the server's files, where
        # Test-Path (twin/cmdlets/patching.py for the CU installer) finds it.
        self._refuse_in_check_mode(f"copy {src} to {dest}")
        digest = hashlib.sha1()
        try:
            with open(os.path.expanduser(src), "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise SfbError(f"Cannot read {src} on the controller: {exc.strerror}.",
                           hint="Give the path of a readable file on the controller.") from None
        checksum, size = digest.hexdigest(), os.path.getsize(os.path.expanduser(src))
        with self.store.transaction(simulation.advance) as world:
            server = engine._reachable(world, self.name)
            files = server.setdefault("files", {})
            held = files.get(dest.lower())
            changed = not held or held.get("checksum") != checksum
            if changed:
                files[dest.lower()] = {"path": dest, "lines": [], "checksum": checksum, "size": size, "source": src}
                world.record(server["fqdn"], "file_copied", src=src, dest=dest, checksum=checksum, size=size)
        self.round_trips += 1
        return FileCopy(changed=changed, checksum=checksum, size=size)

    def install_updates(self, categories: list[str], reject: list[str], timeout: float) -> UpdateRun:
        self._refuse_in_check_mode("install Windows updates")
        with self.store.transaction(simulation.advance) as world:
            server = engine._reachable(world, self.name)
            chosen = [u for u in server["updates"]["pending"]
                      if (not categories or u["category"] in categories) and u["kb"] not in reject]
            minutes = sum(u["minutes"] for u in chosen)
            # ansible.windows' win_updates.ps1 downloads the updates not downloaded yet before it installs
            # them: an update not staged ahead (download_updates) is fetched now, inside the window.
            fetching = sum(u.get("download_minutes", 0) for u in chosen if not u.get("downloaded"))
            world.record(server["fqdn"], "updates_install_started", kbs=[u["kb"] for u in chosen], minutes=minutes,
                         download_minutes=fetching)
        self.round_trips += 1
        if (minutes + fetching) * 60 > timeout:
            raise WaitTimedOut(
                f"{self.name}: installing {len(chosen)} update(s) takes {minutes + fetching:g} minutes, more than the "
                f"{int(timeout)} seconds allowed.",
                hint="Allow a longer update timeout.",
            )
        self.sleep((minutes + fetching) * 60)
        with self.store.transaction(simulation.advance) as world:
            server = engine._reachable(world, self.name)
            failing = set(server["faults"].get("update_fails") or [])
            updates = server["updates"]
            installed, failed = [], []
            for update in chosen:
                updates["pending"] = [u for u in updates["pending"] if u["kb"] != update["kb"]]
                if update["kb"] in failing:
                    failed.append(update)
                    updates["pending"].append(update)
                elif update["reboot"]:
                    updates.setdefault("awaiting_reboot", []).append(update)
                    server["pending_reboot"] = True
                    installed.append(update)
                else:
                    updates["installed"].append(update)
                    installed.append(update)
            world.record(server["fqdn"], "updates_installed", kbs=[u["kb"] for u in installed],
                         failed=[u["kb"] for u in failed])
            return UpdateRun(installed=installed, failed=failed, reboot_required=server["pending_reboot"])
