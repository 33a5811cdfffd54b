"""The small `Event` every dispatch decision is made from, free of GitHub's payload shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.ports.github_data import PullRequest

SubjectKind = Literal["pull_request", "issue", "none"]


class Event(BaseModel):
    """One GitHub delivery, reduced to what dispatch and the engine use.

    `kind` is the webhook event name (`pull_request`, `issue_comment`, ...), `action` its action
    (`opened`, `created`, ... or "" when the event has none).
    """

    model_config = ConfigDict(frozen=True)

    delivery_id: str
    kind: str
    action: str = ""
    repo: str = ""  # "owner/name"; "" for events without a repository
    default_branch: str = ""
    installation_id: int | None = None
    sender: str = ""
    sender_is_bot: bool = False
    subject: SubjectKind = "none"
    number: int | None = None  # PR or issue number
    head_sha: str = ""  # PR head, when the payload carries it
    # pull_request events: the pull as the delivery carries it (the shape `get_pull` returns)
    pull: PullRequest | None = None
    draft: bool = False
    label: str = ""  # issues.labeled / pull_request.labeled
    comment_id: int | None = None
    comment_body: str = ""
    check_run_external_id: str = ""  # check_run events: the run id Baton gave the check run
    requested_action: str = ""  # check_run.requested_action: the button's identifier
    ref: str = ""  # push: the ref pushed to, e.g. "refs/heads/main"
    changed_paths: tuple[str, ...] = ()  # push: files its commits added, modified or removed
    # installation events: the repositories added (created, added) or removed (removed, deleted)
    repositories: tuple[str, ...] = ()
