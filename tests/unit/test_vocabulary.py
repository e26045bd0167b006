"""One list per vocabulary: the scenario schema and the console forms use the services' own."""

from __future__ import annotations

import notify.catalog
import notify.mailsink
import notify.models
import notify.validation
import scenarios.schema as schema
import web.forms
from workflow.lifecycle import FilingType, NotificationType, State


def test_the_scenario_schema_takes_its_enumerations_from_the_services():
    assert schema.CHANNELS is notify.catalog.CHANNELS
    assert schema.CONTACT_STATUSES is notify.models.CONTACT_STATUSES
    assert schema.DELIVERY_STATUSES is notify.models.DELIVERY_STATUSES
    assert schema.MAIL_MODES is notify.mailsink.SCENARIO_MODES
    assert schema.NOTIFICATION_TYPES == tuple(NotificationType)
    assert schema.FILING_STATES == tuple(State)
    checks = schema.CHECKS
    assert checks["emails"].fields["kind"].choices == notify.models.DELIVERY_KINDS
    assert checks["deliveries"].fields["kind"].choices == notify.models.DELIVERY_KINDS


def test_the_console_forms_offer_the_services_titles_and_filing_types():
    assert web.forms.TITLES is notify.validation.TITLES
    assert web.forms.FILING_TYPES == tuple(FilingType)
