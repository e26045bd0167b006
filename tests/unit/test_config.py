from datetime import timedelta
from pathlib import Path

import pytest

from workflow.config import Config, ConfigError


def test_defaults_follow_the_spec():
    config = Config()
    assert config.max_contacts == 15
    assert config.link_lifetime == timedelta(hours=72)
    assert config.retry_initial == timedelta(minutes=5)
    assert config.retry_cap == timedelta(minutes=60)
    assert config.retry_give_up == timedelta(days=5)
    assert config.database_url == f"sqlite:///{Path('instance') / 'icpsim.db'}"


def test_environment_variables_override_defaults():
    config = Config.from_env(
        {
            "ICPSIM_LINK_LIFETIME": "48h",
            "ICPSIM_RESEND_DAILY_LIMIT": "3",
            "ICPSIM_RETRY_JITTER": "0.05",
            "ICPSIM_REMINDERS": "10d,20d",
            "ICPSIM_SMTP_URL": "smtp+starttls://u:p@mail.example:587",
            "ICPSIM_INSTANCE_PATH": "/tmp/x",
            "UNRELATED": "ignored",
        }
    )
    assert config.link_lifetime == timedelta(hours=48)
    assert config.resend_daily_limit == 3
    assert config.retry_jitter == 0.05
    assert config.reminders == (timedelta(days=10), timedelta(days=20))
    assert config.smtp_url.startswith("smtp+starttls://")
    assert config.database_url == "sqlite:////tmp/x/icpsim.db"


def test_a_malformed_variable_is_named_in_the_error():
    with pytest.raises(ConfigError) as err:
        Config.from_env({"ICPSIM_MAX_CONTACTS": "many"})
    assert err.value.code == "invalid_config"
    assert "ICPSIM_MAX_CONTACTS" in err.value.message
