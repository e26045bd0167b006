"""Flask-WTF forms: CSRF on every POST; the services validate (their codes and messages)."""

from __future__ import annotations

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
from workflow.lifecycle import FilingType

FILING_TYPES = tuple(t.value for t in FilingType)


class SignInForm(FlaskForm):
    username = StringField("Account ID", validators=[
        InputRequired("Enter your account ID."),
        Length(max=64, message="An account ID has at most 64 characters.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])


class CsrfForm(FlaskForm):
    """A form with only the CSRF token: buttons and checkbox grids read request.form."""


class ContactForm(FlaskForm):
    # No field validators here on purpose: the contact service refuses bad values with
    # the error's code and message, which the view shows next to the field.
    name = StringField("Name")
    email = StringField("Email")
    title = SelectField("Title", choices=[SelectChoice("", "Select a title")]
                        + [SelectChoice(t, t) for t in TITLES], validate_choice=False)
    mobile = StringField("Mobile (optional)")


class FilingForm(FlaskForm):
    filing_id = StringField("Order ID")
    type = SelectField("Type", choices=[SelectChoice(t, t.replace("_", " ").capitalize())
                                        for t in FILING_TYPES], validate_choice=False)
    domain = StringField("Domain")
    website = StringField("Website name")


class ActionForm(FlaskForm):
    """A filing action: the trigger is the pressed button, the data the fields it needs."""

    trigger = HiddenField()
    expected_version = HiddenField()
    reason = TextAreaField("Reason")
    icp_number = StringField("ICP number")
    items = TextAreaField("Unqualified items (one per line)")
    deadline_days = IntegerField("Deadline (days)", validators=[Optional()])
