"""An account's contact list as the List actions answer it: the owner first (with the
owner's mobile), then the contacts in id order.

The rows are those ``AccountService.get``, ``RulesService.owner_mobile`` and
``ContactService.list`` read, read in one transaction with two prepared statements: the
contact list is the endpoint's most frequent read, and three ORM sessions cost it more than
the signature check and the nonce together (bench/bench_api.py).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, select

from notify.models import Contact, OwnerMobile
from workflow.accounts import UnknownAccount
from workflow.fastsql import Prepared
from workflow.models import Account

from . import shapes
from .registry import Call

_ACCOUNT = Account.__table__  # type: ignore[attr-defined]
_MOBILE = OwnerMobile.__table__  # type: ignore[attr-defined]
_CONTACT = Contact.__table__  # type: ignore[attr-defined]
_OWNER = Prepared(
    select(_ACCOUNT.c.id, _ACCOUNT.c.owner_name, _ACCOUNT.c.owner_email,
           _ACCOUNT.c.created_at, _MOBILE.c.mobile.label("owner_mobile"))
    .select_from(_ACCOUNT.outerjoin(_MOBILE, _MOBILE.c.account_id == _ACCOUNT.c.id))
    .where(_ACCOUNT.c.id == bindparam("account")))
_CONTACTS = Prepared(
    select(_CONTACT.c.id, _CONTACT.c.name, _CONTACT.c.email, _CONTACT.c.title,
           _CONTACT.c.mobile, _CONTACT.c.status, _CONTACT.c.verified_at,
           _CONTACT.c.mobile_status, _CONTACT.c.mobile_verified_at)
    .where(_CONTACT.c.account_id == bindparam("account")).order_by(_CONTACT.c.id))


def contact_list(call: Call, **names: Any) -> list[dict[str, Any]]:
    """The owner's and every contact's fields in the SDK models' words (``names``: the
    ``name_key`` / ``uid_key`` of ``shapes.contact``)."""
    with call.system.db.raw_transaction() as tx:
        owner = tx.fetch_one(_OWNER, {"account": call.account_id})
        if owner is None:
            raise UnknownAccount(f"account {call.account_id!r} does not exist")
        contacts = tx.fetch_all(_CONTACTS, {"account": call.account_id})
    rows = [shapes.owner_contact(SimpleNamespace(**owner), mobile=owner["owner_mobile"],
                                 **names)]
    rows += [shapes.contact(SimpleNamespace(**c), call.account_id, **names) for c in contacts]
    return rows


__all__ = ["contact_list"]
