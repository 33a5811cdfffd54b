"""Setting the App up from `app.yml` through GitHub's manifest flow, with real `baton serve`
processes: the first has no credentials and writes `.env`; the second runs on that `.env`."""

from __future__ import annotations

import html
import json
import re
import stat
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from dotenv import dotenv_values
from ruamel.yaml import YAML

from tests.baton_process import ROOT, BatonProcess
from tests.e2e.conftest import INSTALLATION, REPO, pr_event
from tests.fakes import keys
from tests.fakes.github import FakeGitHub

WRITTEN = ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "BATON_APP_SLUG")


def baton(workdir: Path, log: str, **env: str) -> BatonProcess:
    """`baton serve` in `workdir` with only `env`: none of this machine's GitHub or Baton
    settings, so what it knows comes from `env` and the `.env` it finds there."""
    process = BatonProcess(env, workdir, workdir / log)
    for key in [k for k in process.env if k.startswith(("GITHUB_", "BATON_", "OPENAI_"))]:
        if key not in env:
            del process.env[key]
    return process


def form(page: str) -> tuple[str, dict[str, Any]]:
    """The registration form's action and the manifest it posts."""
    action = re.search(r'<form id="register" method="post" action="([^"]+)"', page)
    manifest = re.search(r'<input type="hidden" name="manifest" value="([^"]*)"', page)
    assert action and manifest, page
    return html.unescape(action[1]), json.loads(html.unescape(manifest[1]))


def setup_address(setup: BatonProcess) -> str:
    """The address `baton serve` printed for its operator, with the one-time set-up token."""
    printed = re.search(r"To register one, open:\s+(\S+)", setup.log())
    assert printed, setup.log()
    return printed[1]


def test_manifest_flow_writes_a_working_env(tmp_path: Path) -> None:
    github = FakeGitHub(app_id=7, public_key_pem=keys.app_public_key())
    (tmp_path / ".env").write_text("# kept\nOPENAI_API_KEY=sk-kept\n")
    with github.serve() as api_url:
        env = {"GITHUB_API_URL": api_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite'}"}
        setup = baton(tmp_path, "setup.log", **env)
        setup.start()
        try:
            with httpx.Client(base_url=setup.url, follow_redirects=True) as browser:
                opened = browser.get(setup_address(setup))  # keeps the token and state cookies
                assert "?token=" not in str(opened.url)  # moved to a cookie, out of the history
                form(opened.text)
                # The manifest says where GitHub sends webhooks: never the Host a browser sent.
                spoofed = browser.get("/", headers={"Host": "attacker.example"})
                action, manifest = form(spoofed.text)
                expected = YAML(typ="safe").load((ROOT / "bot" / "web" / "app.yml").read_text())
                assert manifest == {
                    "url": setup.url,
                    **expected,
                    "hook_attributes": {"url": f"{setup.url}/webhooks", "active": True},
                    "redirect_url": f"{setup.url}/setup/callback",
                }
                assert action.startswith("https://github.com/settings/apps/new?state=")
                state = action.split("state=", 1)[1]
                code = github.confirm_manifest(manifest)  # the person confirms on GitHub
                forged = browser.get("/setup/callback", params={"code": code, "state": "x"})
                assert forged.status_code == 400
                back = browser.get("/setup/callback", params={"code": code, "state": state})
                assert back.status_code == 200, back.text
                assert "Restart" in back.text and "BATON_ADMIN_TOKEN" in back.text
                assert f"GitHub App <strong>{github.app_slug}</strong> (id 7)" in back.text
        finally:
            setup.stop()

        assert (tmp_path / ".env").read_text().startswith("# kept\n")
        written = dotenv_values(tmp_path / ".env")  # as Baton's settings read it
        assert written["OPENAI_API_KEY"] == "sk-kept"
        assert written["GITHUB_APP_ID"] == "7"
        assert written["GITHUB_PRIVATE_KEY"] == keys.app_private_key()
        assert written["BATON_APP_SLUG"] == github.app_slug
        assert len(str(written["BATON_ADMIN_TOKEN"])) >= 40  # made up: the run pages open
        assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600

        serving = baton(tmp_path, "baton.log", **env)
        serving.start()
        try:
            assert httpx.get(f"{serving.url}/healthz").json()["status"] == "ok"
            bearer = {"Authorization": f"Bearer {written['BATON_ADMIN_TOKEN']}"}
            assert httpx.get(f"{serving.url}/runs", headers=bearer).status_code == 200
            github.add_repo(REPO, installation_id=INSTALLATION, files={"README.md": "hi\n"})
            head = github.add_pull(REPO, number=5, head_files={"README.md": "hello\n"})
            event, secret = pr_event("opened", 5, head), str(written["GITHUB_WEBHOOK_SECRET"])
            assert serving.send("pull_request", event, "not-the-new-secret").status_code == 401
            sent = serving.send("pull_request", event, secret, str(uuid.uuid4()))
            assert sent.status_code == 202 and sent.json()["status"] == "accepted"
            # It reads the repository as the App: a token got with a JWT signed by the new key.
            wait_for_installation_token(github, serving)
        finally:
            serving.stop()


def wait_for_installation_token(github: FakeGitHub, serving: BatonProcess) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(t.installation_id == INSTALLATION for t in github.tokens.values()):
            return
        time.sleep(0.1)
    raise AssertionError(f"no installation token was asked for\n{serving.log()}")


def test_a_stranger_without_the_set_up_token_cannot_register_an_app(tmp_path: Path) -> None:
    """Before the operator registers the App, someone else who reaches the page (a public
    tunnel) must not get their own App's credentials written to `.env`."""
    github = FakeGitHub(app_id=9, public_key_pem=keys.app_public_key())
    with github.serve() as api_url:
        env = {"GITHUB_API_URL": api_url, "DATABASE_URL": f"sqlite:///{tmp_path / 'b.sqlite'}"}
        setup = baton(tmp_path, "setup.log", **env)
        setup.start()
        try:
            with httpx.Client(base_url=setup.url) as stranger:
                assert stranger.get("/").status_code == 403
                assert stranger.get("/", params={"token": "guessed"}).status_code == 403
                code = github.confirm_manifest({"name": "theirs", "url": "https://evil.example"})
                back = stranger.get("/setup/callback", params={"code": code, "state": "x"})
                assert back.status_code == 403
            assert not (tmp_path / ".env").exists()
            with httpx.Client(base_url=setup.url, follow_redirects=True) as operator:
                action, manifest = form(operator.get(setup_address(setup)).text)
                code = github.confirm_manifest(manifest)
                state = action.split("state=", 1)[1]
                back = operator.get("/setup/callback", params={"code": code, "state": state})
                assert back.status_code == 200, back.text
                again = operator.get(setup_address(setup))  # the token is spent
                assert again.status_code == 409 and github.app_slug in again.text
        finally:
            setup.stop()
        assert dotenv_values(tmp_path / ".env")["GITHUB_APP_ID"] == "9"
