# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny authoritative DNS server on 127.0.0.1 for rehearsals and tests, built on dnspython.

    python fake_dns_server.py ZONE.json --port 5353 [--pidfile FILE] [--portfile FILE]

--port 0 takes any free port; --portfile then tells which.

ZONE.json maps names to what the server answers:
    {"sip.contoso.com": {"cname": "sipdir.online.microsoft.com"},
     "sip.fabrikam.com": {"a": "192.0.2.10"},          # exists, no CNAME
     "sip.slow.example": "timeout",                    # never answered
     "sip.broken.example": "servfail"}
Any other name is NXDOMAIN. It lets the real dnspython resolver code run without the Internet.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


def answer(query: dns.message.Message, zone: dict) -> dns.message.Message | None:
    question = query.question[0]
    name = question.name.to_text(omit_final_dot=True).lower()
    entry = zone.get(name)
    if entry == "timeout":
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if entry == "servfail":
        response.set_rcode(dns.rcode.SERVFAIL)
    elif entry is None:
        response.set_rcode(dns.rcode.NXDOMAIN)
    elif "cname" in entry and question.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.A):
        response.answer.append(dns.rrset.from_text(question.name, 300, "IN", "CNAME", entry["cname"].rstrip(".") + "."))
    elif "a" in entry and question.rdtype == dns.rdatatype.A:
        response.answer.append(dns.rrset.from_text(question.name, 300, "IN", "A", entry["a"]))
    return response


class FakeDnsServer:
    def __init__(self, zone: dict, port: int = 0):
        self.zone = {k.lower().rstrip("."): v for k, v in zone.items()}
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("127.0.0.1", port))
        self.port = self.socket.getsockname()[1]
        self.queries = 0
        self._stop = threading.Event()

    def serve(self) -> None:
        self.socket.settimeout(0.2)
        while not self._stop.is_set():
            try:
                data, peer = self.socket.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.queries += 1
            response = answer(dns.message.from_wire(data), self.zone)
            if response is not None:
                self.socket.sendto(response.to_wire(), peer)

    def start(self) -> "FakeDnsServer":
        threading.Thread(target=self.serve, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.socket.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("zone")
    parser.add_argument("--port", type=int, default=5353)
    parser.add_argument("--pidfile")
    parser.add_argument("--portfile")
    options = parser.parse_args()
    with open(options.zone, encoding="utf-8") as handle:
        server = FakeDnsServer(json.load(handle), options.port)
    if options.portfile:
        with open(options.portfile, "w", encoding="utf-8") as handle:
            handle.write(str(server.port))
    if options.pidfile:
        with open(options.pidfile, "w", encoding="utf-8") as handle:
            handle.write(str(os.getpid()))
    server.serve()


if __name__ == "__main__":
    main()
