"""Several machines on this one: a network namespace each, joined by a bridge, links that can be cut.

Each "machine" is a network namespace with a veth pair: ``eth0`` inside, the other end on a
bridge in the root namespace, which also carries the test's own address (the conductor's side).
Cutting a machine's link sets its end on the bridge down: packets from and to it are dropped
without a word (no reset, no error), as when a cable is pulled or a switch dies; TCP connections
open across the cut stall, and may resume when the link comes back.

Created and removed by the fixture; needs root (CI and the development machines run as root).
The machines share the filesystem: the runs root is shared storage with working ``flock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import subprocess
from dataclasses import dataclass

#: Held while a network picks its subnet and puts it on its bridge: two test runs at once (other
#: checkouts, other suites) never pick the same one, which would route one run's packets to the
#: other's machines.
LOCK = "/run/baa-test-netns.lock"


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")


def unavailable() -> str | None:
    """Why network namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"baa-probe-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except (RuntimeError, OSError) as error:
        return f"cannot create a network namespace: {error}"
    _ip("netns", "del", probe)
    return None


def _free_prefix() -> str:
    """A 10.x.y /24 no interface of this machine has an address in."""
    done = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True,
                          timeout=30, check=True)  # fmt: skip
    used = set(re.findall(r"inet (10\.\d+\.\d+)\.\d+/", done.stdout))
    start = os.getpid() % 250
    for n in range(50 * 250):
        x, y = divmod((start + n) % (50 * 250), 250)
        prefix = f"10.{200 + x}.{y}"
        if prefix not in used:
            return prefix
    raise RuntimeError("no free 10.200-249.x.0/24 subnet for the test network")


@dataclass(frozen=True)
class Machine:
    name: str
    netns: str
    address: str
    host_link: str  # its end on the bridge


class Network:
    """A bridge and the machines on it; :meth:`close` removes everything it made."""

    def __init__(self) -> None:
        tag = f"{os.getpid() % 100000:05d}"
        self.tag = tag
        self.bridge = f"bz{tag}"
        self.machines: dict[str, Machine] = {}
        with open(LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.prefix = _free_prefix()
            _ip("link", "add", self.bridge, "type", "bridge")
            _ip("addr", "add", f"{self.prefix}.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")

    def add(self, name: str) -> Machine:
        index = len(self.machines) + 1
        machine = Machine(
            name, f"baa-{self.tag}-{name}", f"{self.prefix}.{10 + index}", f"vz{self.tag}{index}"
        )
        _ip("netns", "add", machine.netns)
        self.machines[name] = machine
        _ip("link", "add", machine.host_link, "type", "veth", "peer", "name", "eth0",
            "netns", machine.netns)  # fmt: skip
        _ip("link", "set", machine.host_link, "master", self.bridge, "up")
        _ip("-n", machine.netns, "addr", "add", f"{machine.address}/24", "dev", "eth0")
        _ip("-n", machine.netns, "link", "set", "eth0", "up")
        _ip("-n", machine.netns, "link", "set", "lo", "up")
        return machine

    def cut(self, name: str) -> None:
        _ip("link", "set", self.machines[name].host_link, "down")

    def restore(self, name: str) -> None:
        _ip("link", "set", self.machines[name].host_link, "up")

    def close(self) -> None:
        for machine in self.machines.values():
            for args in (("link", "del", machine.host_link), ("netns", "del", machine.netns)):
                with contextlib.suppress(RuntimeError):
                    _ip(*args)
        with contextlib.suppress(RuntimeError):
            _ip("link", "del", self.bridge)
