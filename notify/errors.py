"""Message Center refusals: contacts, verification links, channels and receivers."""

from __future__ import annotations

from workflow.errors import Conflict, IcpsimError, NotFound


class MessageCenterError(IcpsimError):
    """A Message Center refusal; subclasses name the form field they belong to."""

    default_field: str | None = None

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message, code=code, field=field or self.default_field)


class InvalidName(MessageCenterError):
    code = "invalid_name"
    default_field = "name"


class InvalidEmail(MessageCenterError):
    code = "invalid_email"
    default_field = "email"


class InvalidTitle(MessageCenterError):
    code = "invalid_title"
    default_field = "title"


class InvalidMobile(MessageCenterError):
    code = "invalid_mobile"
    default_field = "mobile"


class ContactLimitReached(MessageCenterError, Conflict):
    code = "contact_limit_reached"


class DuplicateContact(MessageCenterError, Conflict):
    code = "duplicate_contact"
    default_field = "email"


class UnknownContact(MessageCenterError, NotFound):
    code = "unknown_contact"


class ContactNotVerified(MessageCenterError, Conflict):
    code = "contact_not_verified"
    default_field = "contacts"


class ContactAlreadyVerified(MessageCenterError, Conflict):
    """Resend asked for a contact that is already verified (nothing to send)."""

    code = "contact_already_verified"


class LinkInvalid(MessageCenterError):
    """A verification link that cannot be used; ``reason`` says why.

    ``reason`` is one of ``unknown``, ``expired``, ``used``, ``superseded`` so the console
    can tell "expired" from "already used" from "invalid"; the code is always the same.
    """

    code = "link_invalid"
    http_status = 410

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


class ResendLimited(MessageCenterError, Conflict):
    code = "resend_limited"
    http_status = 429


class UnknownCategory(MessageCenterError, NotFound):
    code = "unknown_category"


class InvalidChannel(MessageCenterError):
    code = "invalid_channel"
    default_field = "channels"


class NoChannelSelected(MessageCenterError):
    code = "no_channel_selected"
    default_field = "channels"


class ChannelRequired(MessageCenterError):
    code = "channel_required"
    default_field = "channels"


class ChannelUnavailable(MessageCenterError):
    code = "channel_unavailable"
    default_field = "channels"


__all__ = [
    "ChannelRequired",
    "ChannelUnavailable",
    "ContactAlreadyVerified",
    "ContactLimitReached",
    "ContactNotVerified",
    "DuplicateContact",
    "InvalidChannel",
    "InvalidEmail",
    "InvalidMobile",
    "InvalidName",
    "InvalidTitle",
    "LinkInvalid",
    "MessageCenterError",
    "NoChannelSelected",
    "ResendLimited",
    "UnknownCategory",
    "UnknownContact",
]
