# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CNAME lookups from the controller with dnspython, shaped as domain.signin.Lookup answers.

One resolver per nameserver the user names, so a report can say which resolver still serves an
old answer; no nameserver means the controller's own resolver configuration (resolv.conf).
"""

from __future__ import annotations

import ipaddress

from ansible_collections.sfb.server.plugins.plugin_utils.domain.signin import (
    CNAME, ERROR, NO_ANSWER, NXDOMAIN, TIMEOUT, Lookup, Resolve,
)
from ansible_collections.sfb.server.plugins.plugin_utils.errors import InvalidArgument, SfbError

SYSTEM = "system"

try:
    import dns.exception
    import dns.rdatatype
    import dns.resolver
except ImportError:  # pragma: no cover - depends on the controller
    dns = None


def resolvers(nameservers: list[str], port: int, timeout: float) -> dict[str, Resolve]:
    """label -> resolve(name), one per nameserver (or the system's when none is named)."""
    if dns is None:
        raise SfbError("The DNS check needs the dnspython library on the controller, and it is not installed.",
                       hint="Install it in the Python that runs ansible-playbook: pip install dnspython==2.9.2 "
                       "(requirements/newest.in pins it).")
    if timeout <= 0:
        raise InvalidArgument(f"timeout must be a positive number of seconds, not {timeout}.")
    if not 0 < port < 65536:
        raise InvalidArgument(f"port {port} is not a UDP/TCP port number (1-65535).")
    if not nameservers:
        return {SYSTEM: _resolver(None, port, timeout)}
    chosen = {}
    for address in nameservers:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise InvalidArgument(f"resolver {address!r} is not an IP address.",
                                  hint="Name DNS servers by address, for example 8.8.8.8 or 10.0.0.10.") from None
        chosen[address if port == 53 else f"{address}:{port}"] = _resolver(address, port, timeout)
    return chosen


def _resolver(nameserver: str | None, port: int, timeout: float) -> Resolve:
    resolver = dns.resolver.Resolver(configure=nameserver is None)
    if nameserver is not None:
        resolver.nameservers = [nameserver]
        resolver.port = port
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.cache = None

    def resolve(name: str) -> Lookup:
        try:
            answer = resolver.resolve(name, dns.rdatatype.CNAME, search=False)
        except dns.resolver.NXDOMAIN:
            return Lookup(NXDOMAIN, detail="NXDOMAIN")
        except dns.resolver.NoAnswer:
            return Lookup(NO_ANSWER, detail="the name exists but has no CNAME record")
        except dns.exception.Timeout as exc:
            return Lookup(TIMEOUT, detail=f"timed out: {exc}")
        except dns.resolver.NoNameservers as exc:
            return Lookup(ERROR, detail=f"no server answered usefully (SERVFAIL or REFUSED): {exc}")
        except dns.exception.DNSException as exc:
            return Lookup(ERROR, detail=f"{type(exc).__name__}: {exc}")
        return Lookup(CNAME, target=answer.rrset[0].target.to_text(omit_final_dot=True))

    return resolve
