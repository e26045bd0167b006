"""The webhook URL rule (docs/behaviour.md): http(s) only, and never loopback, private or
link-local addresses unless the operator allows the host (``ICPSIM_WEBHOOK_ALLOW_HOSTS``);
the embedded webhook receiver is always allowed. Checked when a webhook is saved (the URL
as written) and again at send time (the addresses its host name resolves to)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from workflow.config import Config

from .channel_errors import InvalidWebhook

MAX_URL = 1000


def allowed_hosts(config: Config) -> frozenset[str]:
    """Hosts (``host`` or ``host:port``) the operator allows although they are private;
    the embedded webhook receiver is always among them."""
    hosts = {h.strip().lower() for h in config.webhook_allow_hosts.split(",") if h.strip()}
    hosts.add(f"127.0.0.1:{config.webhook_sink_port}")
    return frozenset(hosts)


def check_url(url: str, config: Config) -> str:
    """The URL if a webhook may call it, else ``invalid_webhook`` saying why."""
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise InvalidWebhook(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower().rstrip("."), parts.port
    except ValueError as exc:
        raise InvalidWebhook(f"{url[:80]!r} is not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidWebhook(f"{url[:80]!r} is not an http:// or https:// URL")
    if any(c.isspace() or ord(c) < 32 for c in url) or parts.username or parts.password:
        raise InvalidWebhook("a webhook URL holds no spaces, control characters or passwords")
    allowed = allowed_hosts(config)
    port = port or (443 if parts.scheme == "https" else 80)
    if host in allowed or f"{host}:{port}" in allowed:
        return url
    if _private(host):
        raise InvalidWebhook(
            f"{host} is a loopback, private or link-local address; the operator can allow "
            "it with ICPSIM_WEBHOOK_ALLOW_HOSTS")
    return url


def resolved_private(url: str, config: Config) -> str | None:
    """At send time: the private address a webhook's host name resolves to, if any (and
    the host is not allowed). Raises OSError when the name does not resolve."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    allowed = allowed_hosts(config)
    if host in allowed or f"{host}:{port}" in allowed:
        return None
    for *_, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
        address = str(sockaddr[0])
        if _private(address):
            return address
    return None


def _private(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified
            or ip.is_reserved or ip.is_multicast)


__all__ = ["MAX_URL", "allowed_hosts", "check_url", "resolved_private"]
