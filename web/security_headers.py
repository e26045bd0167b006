"""Security headers on every response: a Content-Security-Policy without inline script or
style, no framing, no MIME sniffing, and no full URLs in the Referer sent elsewhere."""

from __future__ import annotations

from flask import Flask, Response

# The console serves its own stylesheet and plain HTML forms: nothing inline, nothing
# from elsewhere. The lifecycle diagram is inline SVG markup (no style attributes).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def install(app: Flask) -> None:
    app.after_request(_add_headers)


__all__ = ["CONTENT_SECURITY_POLICY", "HEADERS", "install"]
