"""Refusals of the SMS and webhook channels: mobiles, webhooks, limits, keywords, hours."""

from __future__ import annotations

from workflow.errors import Conflict, NotFound

from .errors import MessageCenterError


class MobileNotSet(MessageCenterError, Conflict):
    code = "mobile_not_set"
    default_field = "mobile"


class WebhookLimitReached(MessageCenterError, Conflict):
    code = "webhook_limit_reached"


class InvalidWebhook(MessageCenterError):
    code = "invalid_webhook"
    default_field = "url"


class DuplicateWebhook(MessageCenterError, Conflict):
    code = "duplicate_webhook"
    default_field = "name"


class UnknownWebhook(MessageCenterError, NotFound):
    code = "unknown_webhook"
    default_field = "webhooks"


class InvalidLimit(MessageCenterError):
    code = "invalid_limit"
    default_field = "per_day"


class InvalidHours(MessageCenterError):
    code = "invalid_hours"
    default_field = "hours"


class InvalidKeywords(MessageCenterError):
    code = "invalid_data"
    default_field = "keywords"


__all__ = ["DuplicateWebhook", "InvalidHours", "InvalidKeywords", "InvalidLimit",
           "InvalidWebhook", "MobileNotSet", "UnknownWebhook", "WebhookLimitReached"]
