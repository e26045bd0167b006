"""The local SMS gateway speaks Dysmsapi 2017-05-25 as the official SDK expects it."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime

import pytest
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest, SendSmsRequest
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config as SdkConfig
from darabonba.runtime import RuntimeOptions

from tests.channels.conftest import KEY_ID, KEY_SECRET

RUNTIME = RuntimeOptions(autoretry=False)


def sdk(gateway, secret=KEY_SECRET, key_id=KEY_ID):
    return Client(SdkConfig(access_key_id=key_id, access_key_secret=secret,
                            endpoint=f"127.0.0.1:{gateway.port}", protocol="http"))


def send(client, phones="13800138000", sign="ICPSim", template="SMS_900001",
         params='{"text": "F1 submitted"}'):
    return client.send_sms_with_options(SendSmsRequest(
        phone_numbers=phones, sign_name=sign, template_code=template,
        template_param=params, out_id="42"), RUNTIME).body


def test_send_sms_answers_ok_with_a_biz_id_and_stores_the_filled_template(sms_gateway):
    body = send(sdk(sms_gateway))
    assert (body.code, body.message) == ("OK", "OK")
    assert body.biz_id
    assert body.request_id
    [sms] = sms_gateway.messages()
    assert (sms.phone, sms.content, sms.out_id) == ("13800138000", "【ICPSim】F1 submitted", "42")


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"phones": "12345"}, "isv.MOBILE_NUMBER_ILLEGAL"),
    ({"sign": "Other"}, "isv.SMS_SIGNATURE_ILLEGAL"),
    ({"template": "SMS_1"}, "isv.SMS_TEMPLATE_ILLEGAL"),
    ({"params": "{}"}, "isv.TEMPLATE_MISSING_PARAMETERS"),
    ({"params": "not json"}, "isv.INVALID_JSON_PARAM"),
])
def test_business_refusals_come_back_as_codes_and_store_nothing(sms_gateway, kwargs, code):
    assert send(sdk(sms_gateway), **kwargs).code == code
    assert sms_gateway.messages() == []


def test_a_wrong_secret_or_unknown_key_is_refused_as_the_sdk_expects(sms_gateway):
    with pytest.raises(ClientException) as wrong:
        send(sdk(sms_gateway, secret="nope"))
    assert (wrong.value.code, wrong.value.status_code) == ("SignatureDoesNotMatch", 400)
    with pytest.raises(ClientException) as unknown:
        send(sdk(sms_gateway, key_id="LTAIunknown"))
    assert unknown.value.code == "InvalidAccessKeyId.NotFound"
    assert sms_gateway.messages() == []


def test_every_path_answers_json_even_unsigned_requests_and_wrong_methods(sms_gateway):
    for method in ("GET", "POST"):
        request = urllib.request.Request(sms_gateway.url + "/?Action=SendSms", method=method)
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(request, timeout=5)
        body = json.loads(exc.value.read())
        assert {"RequestId", "Code", "Message"} <= set(body)


def test_query_send_details_lists_what_was_sent_to_a_number_on_a_day(sms_gateway):
    client = sdk(sms_gateway)
    biz = send(client).biz_id
    send(client, phones="13900139000")
    day = f"{datetime.now(UTC):%Y%m%d}"
    body = client.query_send_details_with_options(QuerySendDetailsRequest(
        phone_number="13800138000", send_date=day, page_size=10, current_page=1),
        RUNTIME).body
    assert (body.code, int(body.total_count)) == ("OK", 1)
    [row] = body.sms_send_detail_dtos.sms_send_detail_dto
    assert (row.phone_num, row.content, row.send_status) == (
        "13800138000", "【ICPSim】F1 submitted", 3)
    other = client.query_send_details_with_options(QuerySendDetailsRequest(
        phone_number="13800138000", send_date=day, page_size=10, current_page=1,
        biz_id=biz + "x"), RUNTIME).body
    assert int(other.total_count) == 0
