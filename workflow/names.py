"""The names people read for the lifecycle's identifiers, in English and Chinese.

States, triggers, filing types and notification types are stored and passed around as
identifiers (``authority_review``); every page shows them by these names instead
("Authority review", 管局审核中). One table per kind, both languages side by side, so a
new identifier without a name fails tests/unit/test_names.py.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

STATES: dict[str, tuple[str, str]] = {
    "draft": ("Draft", "草稿"),
    "submitted": ("Submitted", "已提交"),
    "under_review": ("Under review", "阿里云初审中"),
    "sms_verification": ("SMS verification", "待工信部短信核验"),
    "authority_review": ("Authority review", "管局审核中"),
    "approved": ("Approved", "已通过"),
    "rejected": ("Rejected", "已驳回"),
    "withdrawn": ("Withdrawn", "已撤回"),
    "expired": ("Expired", "已过期"),
    "item_review": ("Item review", "备案信息核查中"),
    "rectification": ("Rectification", "待整改"),
    "cancelled": ("Cancelled", "已注销"),
}

TRIGGERS: dict[str, tuple[str, str]] = {
    "submit": ("Submit", "提交"),
    "start_review": ("Start Review", "开始初审"),
    "pass_review": ("Pass Review", "初审通过"),
    "reject": ("Reject", "驳回"),
    "verify_sms": ("Verify SMS", "完成短信核验"),
    "sms_timeout": ("SMS Timeout", "短信核验超时"),
    "approve": ("Approve", "管局审核通过"),
    "withdraw": ("Withdraw", "撤回"),
    "expire": ("Expire", "过期"),
    "start_inspection": ("Start Inspection", "开始核查"),
    "pass_inspection": ("Pass Inspection", "核查通过"),
    "fail_inspection": ("Fail Inspection", "核查不通过"),
    "rectify": ("Rectify", "完成整改"),
    "extend_deadline": ("Extend Deadline", "延长整改期限"),
    "rectification_timeout": ("Rectification Timeout", "整改超时"),
    "cancel": ("Cancel", "注销"),
}

FILING_TYPES: dict[str, tuple[str, str]] = {
    "first_filing": ("First filing", "首次备案"),
    "new_website": ("New website", "新增网站"),
    "add_access": ("Add access", "新增接入"),
    "change_filing": ("Change filing", "变更备案"),
    "cancel_access": ("Cancel access", "取消接入"),
    "cancel_filing": ("Cancel filing", "注销主体"),
}

NOTIFICATION_TYPES: dict[str, tuple[str, str]] = {
    "application_progress": ("Application progress", "备案申请进度"),
    "application_review_result": ("Application review result", "备案申请审核结果"),
    "item_review_result": ("Item review result", "备案信息核查结果"),
}


def _pick(table: dict[str, tuple[str, str]], key: str | None, language: str) -> str:
    if not key:
        return ""
    names = table.get(key)
    if names is None:  # an identifier from a newer version: readable, never blank
        return key.replace("_", " ").capitalize()
    return names[1] if language == "zh" else names[0]


def state(key: str | None, language: str = "en") -> str:
    return _pick(STATES, key, language)


def trigger(key: str | None, language: str = "en") -> str:
    return _pick(TRIGGERS, key, language)


def filing_type(key: str | None, language: str = "en") -> str:
    return _pick(FILING_TYPES, key, language)


def notification_type(key: str | None, language: str = "en") -> str:
    return _pick(NOTIFICATION_TYPES, key, language)
