"""Where webhooks may go (SSRF guard): allowed host names only, never this machine.

WEBHOOK_ALLOWED_HOSTS lists host names (`hooks.example.cn`) or suffix patterns
(`*.example.cn`, which also takes `example.cn`); an empty list allows no host at
all. The host is resolved and every address checked: loopback, link-local
(169.254.0.0/16, fe80::/10), unspecified, multicast, reserved and the machine's
own interface addresses are refused. The request then goes to the checked
address (webhooks.delivery), so a second DNS answer can't point it elsewhere.
WEBHOOK_ALLOW_LOOPBACK (tests only) lets loopback receivers through.
"""

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class DestinationRefused(Exception):
    """The URL may not be called; the message says why (shown to the owner)."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    address: str  # the checked IP the request connects to
    target: str  # path and query


def host_allowed(host: str, patterns: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().strip().rstrip(".")
        if not pattern:
            continue
        if pattern.startswith("*."):
            suffix = pattern[2:]
            if host == suffix or host.endswith("." + suffix):
                return True
        elif host == pattern:
            return True
    return False


@lru_cache(maxsize=1)
def _own_addresses() -> frozenset[str]:
    """The addresses of this machine's interfaces, as far as the resolver tells."""
    own: set[str] = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        try:
            for info in socket.getaddrinfo(name, None):
                own.add(info[4][0].split("%")[0])
        except OSError:
            continue
    return frozenset(own)


def address_refusal(address: str) -> str | None:
    """Why a request may not go to `address`, or None when it may."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if settings.WEBHOOK_ALLOW_LOOPBACK else _("a loopback address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_unspecified:
        return _("an unspecified address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_reserved:
        return _("a reserved address")
    if str(ip) in _own_addresses():
        return _("an address of this machine")
    return None


def url_check(url: str) -> None:
    """Refuse a URL before anything is stored: the scheme, the port and the host's
    allowance (no DNS here; the addresses are checked before each send)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DestinationRefused(_("Give an http or https URL with a host."))
    if parts.username or parts.password:
        raise DestinationRefused(_("The URL may not carry a user name or password."))
    try:
        _port = parts.port
    except ValueError as error:
        raise DestinationRefused(_("The port is not a number.")) from error
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        reason = address_refusal(str(literal))
        if reason:
            raise DestinationRefused(_("The host is %(reason)s.") % {"reason": reason})
    if not host_allowed(host, settings.WEBHOOK_ALLOWED_HOSTS):
        raise DestinationRefused(
            _("%(host)s is not among the hosts webhooks may go to (WEBHOOK_ALLOWED_HOSTS).")
            % {"host": host}
        )


def destination_resolve(url: str) -> Destination:
    """Check the URL and its host's addresses now; the first allowed address is the one
    to connect to. Every address must pass: a name that also points inside is refused."""
    url_check(url)
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise DestinationRefused(_("The host name does not resolve.")) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        reason = address_refusal(address)
        if reason:
            raise DestinationRefused(
                _("%(host)s resolves to %(reason)s.") % {"host": parts.hostname, "reason": reason}
            )
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Destination(
        scheme=parts.scheme, host=parts.hostname, port=port, address=addresses[0], target=target
    )
