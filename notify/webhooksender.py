"""The webhook sender: one signed HTTP POST per delivery over httpx, with timeouts.

A 2xx answer is success; a timeout, a connection error, 429 or 5xx is temporary; any
other answer is permanent (docs/behaviour.md). Redirects are not followed, and the URL rule is
checked again at send time (the operator's allow-list may have changed).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from workflow.config import Config

from .channel_errors import InvalidWebhook
from .models import Webhook
from .robots import Message, build_call
from .senders import PermanentFailure, TemporaryFailure
from .webhookurls import check_url, resolved_private


class WebhookSender:
    def __init__(self, config: Config, *, now_ms: Callable[[], int] | None = None):
        self.config = config
        self.now_ms = now_ms or (lambda: int(time.time() * 1000))
        self._client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            seconds = self.config.webhook_timeout.total_seconds()
            self._client = httpx.Client(timeout=httpx.Timeout(seconds),
                                        follow_redirects=False, trust_env=False)
        return self._client

    def deliver(self, hook: Webhook, message: Message) -> str:
        """POST ``message`` to ``hook`` in its robot's format; raises TemporaryFailure or
        PermanentFailure when the robot did not take it."""
        try:
            check_url(hook.url, self.config)
            private = resolved_private(hook.url, self.config)
        except InvalidWebhook as exc:
            raise PermanentFailure(f"invalid_webhook: {exc.message}") from exc
        except OSError as exc:  # the name does not resolve (now): try again later
            raise TemporaryFailure(f"cannot resolve the webhook's host: {exc}") from exc
        if private is not None:
            raise PermanentFailure(f"invalid_webhook: the host resolves to {private}, a "
                                   "loopback, private or link-local address")
        call = build_call(hook.type, hook.url, message, secret=hook.secret,
                          now_ms=self.now_ms())
        try:
            response = self._http().post(call.url, content=call.body,
                                         headers=dict(call.headers))
        except httpx.TimeoutException as exc:
            raise TemporaryFailure(f"timeout: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}"[:500]) from exc
        status = response.status_code
        if 200 <= status < 300:
            return f"accepted by the robot (HTTP {status})"
        detail = f"HTTP {status}: {response.text[:200]}"
        if status == 429 or status >= 500:
            raise TemporaryFailure(detail, code=status)
        raise PermanentFailure(detail, code=status)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


__all__ = ["WebhookSender"]
