"""Flask-WTF forms: CSRF on every POST; the services validate (their codes and messages)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from notify.validation import TITLES
from workflow import names
from workflow.lifecycle import FilingType

from .i18n import TITLE_NAMES, console_language

FILING_TYPES = tuple(t.value for t in FilingType)


class SignInForm(FlaskForm):
    username = StringField(_l("Account ID"), validators=[
        InputRequired(_l("Enter your account ID.")),
        Length(max=64, message=_l("An account ID has at most 64 characters."))])
    password = PasswordField(_l("Password"),
                             validators=[InputRequired(_l("Enter your password."))])


class CsrfForm(FlaskForm):
    """A form with only the CSRF token: buttons and checkbox grids read request.form."""


class ContactForm(FlaskForm):
    # No field validators here on purpose: the contact service refuses bad values with
    # the error's code and message, which the view shows next to the field.
    name = StringField(_l("Name"))
    email = StringField(_l("Email"))
    title = SelectField(_l("Title"), choices=[SelectChoice("", _l("Select a title"))]
                        + [SelectChoice(t, TITLE_NAMES.get(t, t)) for t in TITLES],
                        validate_choice=False)
    mobile = StringField(_l("Mobile (optional)"))


class FilingForm(FlaskForm):
    filing_id = StringField(_l("Order ID"))
    type = SelectField(_l("Type"), choices=[SelectChoice(t, t) for t in FILING_TYPES],
                       validate_choice=False)
    domain = StringField(_l("Domain"))
    website = StringField(_l("Website name"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = console_language()
        self.type.choices = [SelectChoice(t, names.filing_type(t, language))
                             for t in FILING_TYPES]


class ActionForm(FlaskForm):
    """A filing action: the trigger is the pressed button, the data the fields it needs."""

    trigger = HiddenField()
    expected_version = HiddenField()
    reason = TextAreaField(_l("Reason"))
    icp_number = StringField(_l("ICP number"))
    items = TextAreaField(_l("Unqualified items (one per line)"))
    deadline_days = IntegerField(_l("Deadline (days)"), validators=[Optional()])
