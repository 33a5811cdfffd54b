"""Writing the App's credentials into `.env`: only those keys change, and they read back whole."""

from __future__ import annotations

import stat
from pathlib import Path

from dotenv import dotenv_values

from bot.web.envfile import update_env_file

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEab+/c=\nline two\n-----END RSA PRIVATE KEY-----\n"


def test_written_values_read_back_as_settings_read_them(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    odd = 'a "quoted" \\ value'
    update_env_file(env, {"GITHUB_PRIVATE_KEY": PEM, "GITHUB_APP_ID": "7", "ODD": odd})
    assert dotenv_values(env) == {"GITHUB_PRIVATE_KEY": PEM, "GITHUB_APP_ID": "7", "ODD": odd}
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_other_lines_stay_and_old_values_of_the_keys_go(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "# Baton\nOPENAI_API_KEY=sk-1\n"
        'export GITHUB_PRIVATE_KEY="-----BEGIN OLD-----\nold\n-----END OLD-----"\n'
        "GITHUB_APP_ID=3\nGITHUB_PRIVATE_KEY_PATH='/keys/x.pem'\nDATABASE_URL=sqlite:///b\n"
    )
    env.chmod(0o644)

    update_env_file(env, {"GITHUB_APP_ID": "7", "GITHUB_PRIVATE_KEY": PEM})

    lines = env.read_text().splitlines()
    assert lines[:4] == [
        "# Baton",
        "OPENAI_API_KEY=sk-1",
        "GITHUB_PRIVATE_KEY_PATH='/keys/x.pem'",
        "DATABASE_URL=sqlite:///b",
    ]
    values = dotenv_values(env)
    assert (values["GITHUB_APP_ID"], values["GITHUB_PRIVATE_KEY"]) == ("7", PEM)
    assert "old" not in env.read_text()
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
