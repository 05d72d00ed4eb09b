"""Where a webhook may be delivered: the one check against server-side request forgery.

A partner chooses the URL, so without this check the site could be made to POST to its
own database, cache, cloud metadata service or any host on the private network. A URL is
refused unless

- it is ``https`` (``http`` only with ``KB_WEBHOOKS_ALLOW_HTTP``, on by default with DEBUG);
- every address its host resolves to is a public one: never private, loopback,
  link-local (169.254.x.x, the metadata service), multicast, reserved or unspecified,
  judging an IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, NAT64) by that,
  unless ``KB_WEBHOOKS_ALLOW_PRIVATE`` is on (tests, a receiver on a private network).

The check runs at registration (a clear error for the partner) and again at every delivery,
and the delivery then connects to an address that passed it (``delivery``), so a host that
resolves differently the second time (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


class UnsafeURL(ValueError):
    """The URL may not receive webhooks; the message says why, for the partner."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect, and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


#: The NAT64 well-known prefix (RFC 6052): a gateway connects to the IPv4 address in the
#: last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _reached(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """The address a connection to ``ip`` ends up at: the IPv4 address inside an
    IPv4-mapped, 6to4 (RFC 3056) or NAT64 address, which a gateway or the host's own stack
    connects to; else ``ip`` itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _allowed_address(address: str) -> bool:
    ip = _reached(ipaddress.ip_address(address.split("%", 1)[0]))
    if settings.KB_WEBHOOKS_ALLOW_PRIVATE:
        return not (ip.is_multicast or ip.is_unspecified)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address ``host`` resolves to (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return tuple(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str) -> Target:
    """The target of ``url`` if webhooks may go there; raises ``UnsafeURL`` otherwise."""
    try:
        parts = urlsplit((url or "").strip())
        parts.hostname  # noqa: B018 - parses a bracketed IPv6 host, which may raise
    except ValueError as exc:
        raise UnsafeURL("The URL is not valid.") from exc
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if settings.KB_WEBHOOKS_ALLOW_HTTP else ("https",)
    if scheme not in allowed:
        raise UnsafeURL("The URL must start with https://.")
    if parts.username or parts.password:
        raise UnsafeURL("The URL must not contain a user name or password.")
    host = parts.hostname
    if not host:
        raise UnsafeURL("The URL has no host name.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL("The URL's port is not a number between 1 and 65535.") from exc
    try:
        addresses = resolve(host, port)
    except (OSError, ValueError) as exc:  # ValueError: UnicodeError, a NUL in the name
        raise UnsafeURL(f"The host name {host} could not be resolved.") from exc
    if not addresses:
        raise UnsafeURL(f"The host name {host} could not be resolved.")
    refused = [address for address in addresses if not _allowed_address(address)]
    if refused:
        raise UnsafeURL(
            f"{host} resolves to an address webhooks may not be sent to ({refused[0]}): "
            "private, loopback and link-local addresses are refused."
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)
