"""Each robot's message format and signature, as its provider documents them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

import pytest

from notify.robots import (
    SIGNATURE_HEADER,
    Message,
    build_call,
    check_signature,
    dingtalk_sign,
    lark_sign,
    payload,
)

MSG = Message(title="[ICP filing] Filing F1 (acme.cn): Approved",
              body="Dear Zhang Wei,\n\nYour filing F1 was approved.", language="en",
              facts={"type": "application_review_result", "filing_id": "F1"})


def test_dingtalk_signature_follows_the_documented_python_example():
    # DingTalk's "custom robot security settings" page: HmacSHA256 keyed with the secret
    # over "timestamp\nsecret", Base64, then URL-encoded into the webhook URL.
    timestamp, secret = 1577262236757, "this is secret"
    expected = base64.b64encode(hmac.new(secret.encode("utf-8"),
                                         f"{timestamp}\n{secret}".encode(),
                                         digestmod=hashlib.sha256).digest()).decode()
    assert dingtalk_sign(timestamp, secret) == expected
    call = build_call("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=XX",
                      MSG, secret=secret, now_ms=timestamp)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(call.url).query))
    assert query == {"access_token": "XX", "timestamp": str(timestamp), "sign": expected}
    assert "%2B" in call.url or "+" not in expected  # the sign is URL-encoded


def test_lark_signature_follows_the_documented_example():
    # Lark/Feishu custom bot: HmacSHA256 keyed with "timestamp\nsecret" over an empty
    # message, Base64; timestamp in seconds, both in the JSON body.
    timestamp, secret = 1599360473, "demo"
    key = f"{timestamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(key, digestmod=hashlib.sha256).digest()).decode()
    assert lark_sign(timestamp, secret) == expected
    body = json.loads(build_call("lark", "https://open.larksuite.com/open-apis/bot/v2/hook/x",
                                 MSG, secret=secret, now_ms=timestamp * 1000).body)
    assert (body["timestamp"], body["sign"]) == (str(timestamp), expected)
    assert body["msg_type"] == "post"


def test_dingtalk_and_wecom_get_markdown_messages():
    ding = payload("dingtalk", MSG)
    assert ding["msgtype"] == "markdown"
    assert ding["markdown"]["title"] == MSG.title
    assert ding["markdown"]["text"].startswith("### [ICP filing] Filing F1")
    wecom = payload("wecom", MSG)
    assert wecom == {"msgtype": "markdown", "markdown": {"content": ding["markdown"]["text"]}}


def test_lark_posts_hold_one_text_line_per_paragraph_and_text_is_available():
    post = payload("lark", MSG)["content"]["post"]["en_us"]
    assert post["title"] == MSG.title
    assert post["content"] == [[{"tag": "text", "text": "Dear Zhang Wei,"}],
                               [{"tag": "text", "text": "Your filing F1 was approved."}]]
    zh = payload("lark", Message(title="t", body="b", language="zh"))
    assert "zh_cn" in zh["content"]["post"]
    assert payload("lark", MSG, lark_format="text")["msg_type"] == "text"


def test_slack_gets_a_text_fallback_and_blocks():
    slack = payload("slack", MSG)
    assert slack["text"].startswith(MSG.title)
    assert [b["type"] for b in slack["blocks"]] == ["header", "section"]
    assert slack["blocks"][1]["text"]["type"] == "mrkdwn"


def test_custom_calls_carry_an_hmac_of_the_exact_body():
    call = build_call("custom", "https://hooks.example/x", MSG, secret="s3cret", now_ms=0)
    expected = hmac.new(b"s3cret", call.body, hashlib.sha256).hexdigest()
    assert call.headers[SIGNATURE_HEADER] == f"sha256={expected}"
    body = json.loads(call.body)
    assert (body["title"], body["filing_id"], body["type"]) == (
        MSG.title, "F1", "application_review_result")
    unsigned = build_call("custom", "https://hooks.example/x", MSG, secret=None, now_ms=0)
    assert SIGNATURE_HEADER not in unsigned.headers


@pytest.mark.parametrize("kind", ["dingtalk", "lark", "custom"])
def test_a_receiver_tells_valid_invalid_and_missing_signatures(kind):
    call = build_call(kind, "http://127.0.0.1:9/hook/x", MSG, secret="right",
                      now_ms=1_700_000_000_000)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(call.url).query))
    args = {"query": query, "headers": dict(call.headers), "body": call.body}
    assert check_signature(kind, "right", **args) == "valid"
    assert check_signature(kind, "wrong", **args) == "invalid"
    plain = build_call(kind, "http://127.0.0.1:9/hook/x", MSG, secret=None, now_ms=0)
    bare = {"query": dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(plain.url).query)),
            "headers": dict(plain.headers), "body": plain.body}
    assert check_signature(kind, "right", **bare) == "invalid"
    assert check_signature(kind, None, **bare) == "none"


def test_an_unknown_robot_type_is_refused():
    with pytest.raises(ValueError, match="unknown robot type"):
        payload("fax", MSG)
