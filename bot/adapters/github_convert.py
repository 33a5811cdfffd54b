"""Turn githubkit's models into the GitHub port's data, and port data into request bodies."""

from __future__ import annotations

import base64
from typing import Any, Literal, cast

from githubkit_schemas.latest.models import CheckRun as KitCheckRun
from githubkit_schemas.latest.models import (
    ContentFile,
    DiffEntry,
    IssueComment,
    PullRequestReview,
    PullRequestSimple,
)
from githubkit_schemas.latest.models import Issue as KitIssue
from githubkit_schemas.latest.models import PullRequest as KitPullRequest

from bot.ports.github import (
    CheckRun,
    CheckRunUpdate,
    Comment,
    FileContent,
    Issue,
    PullFile,
    PullRequest,
    Review,
    Role,
)

# GitHub refuses a check run whose output summary or text is longer than this.
OUTPUT_LIMIT = 65535
ROLES: frozenset[str] = frozenset({"read", "triage", "write", "maintain", "admin"})
ReactionContent = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]
REACTIONS: frozenset[str] = frozenset(
    {"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}
)


def split_repo(repo: str) -> tuple[str, str]:
    owner, _, name = repo.partition("/")
    if not owner or not name or "/" in name:
        raise ValueError(f"repository {repo!r} is not of the form 'owner/name'")
    return owner, name


def with_marker(body: str, marker: str) -> str:
    return body if marker in body else f"{body}\n\n{marker}"


def to_pull(pr: KitPullRequest | PullRequestSimple) -> PullRequest:
    """A pull as `get` returns it, or as the pulls listing does (whose user may be null)."""
    return PullRequest(
        number=pr.number,
        title=pr.title,
        body=pr.body or "",
        state=pr.state,
        draft=pr.draft is True,
        author=pr.user.login if pr.user else "",
        head_sha=pr.head.sha,
        head_ref=pr.head.ref,
        base_ref=pr.base.ref,
        base_sha=pr.base.sha,
        html_url=pr.html_url,
        comments=pr.comments if isinstance(pr, KitPullRequest) else None,
    )


def to_issue(issue: KitIssue) -> Issue:
    # A label is a name or an object, depending on the endpoint's age.
    labels = [label if isinstance(label, str) else label.name or "" for label in issue.labels]
    return Issue(
        number=issue.number,
        id=issue.id,
        title=issue.title,
        body=issue.body or "",
        state=issue.state,
        author=issue.user.login if issue.user else "",
        labels=[label for label in labels if label],
        is_pull_request=bool(issue.pull_request),  # absent (UNSET, falsy) on a plain issue
        html_url=issue.html_url,
    )


def to_pull_file(entry: DiffEntry) -> PullFile:
    patch = entry.patch if isinstance(entry.patch, str) else None
    previous = entry.previous_filename if isinstance(entry.previous_filename, str) else None
    return PullFile(
        filename=entry.filename,
        status=entry.status,
        additions=entry.additions,
        deletions=entry.deletions,
        changes=entry.changes,
        patch=patch,
        previous_filename=previous,
    )


def to_comment(comment: IssueComment) -> Comment:
    body = comment.body if isinstance(comment.body, str) else ""
    author = comment.user.login if comment.user else ""
    return Comment(id=comment.id, body=body, author=author, html_url=comment.html_url)


def to_review(review: PullRequestReview) -> Review:
    return Review(id=review.id, body=review.body, html_url=review.html_url)


def to_check_run(run: KitCheckRun) -> CheckRun:
    return CheckRun(
        id=run.id,
        external_id=run.external_id or "",
        status=run.status,
        conclusion=run.conclusion,
        html_url=run.html_url or "",
    )


def to_file(content: ContentFile, text: str | None = None) -> FileContent:
    """`text` is given when the file was too large for the JSON body and was fetched raw."""
    if text is None:
        text = base64.b64decode(content.content).decode("utf-8", errors="replace")
    return FileContent(path=content.path, sha=content.sha, text=text)


def to_role(role_name: str, permission: str) -> Role:
    """`role_name` may be an organisation's custom role; `permission` is then the base one."""
    for candidate in (role_name, permission):
        if candidate in ROLES:
            return cast(Role, candidate)
    return "none"


def to_reaction(content: str) -> ReactionContent:
    if content not in REACTIONS:
        raise ValueError(f"{content!r} is not a GitHub reaction; use one of {sorted(REACTIONS)}")
    return cast(ReactionContent, content)


def truncate(text: str, limit: int = OUTPUT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    note = f"\n\n… truncated: {len(text) - limit} more characters did not fit."
    # The note itself takes room, so cut enough that the result stays within the limit.
    return text[: limit - len(note)] + note


def check_run_body(update: CheckRunUpdate) -> dict[str, Any]:
    """The fields Baton sets on a check run, for both create and update."""
    output = {"title": update.title, "summary": truncate(update.summary)}
    if update.text:
        output["text"] = truncate(update.text)
    body: dict[str, Any] = {
        "name": update.name,
        "external_id": update.external_id,
        "status": update.status,
        "output": output,
    }
    if update.status == "completed":
        body["conclusion"] = update.conclusion or "neutral"
    if update.details_url:
        body["details_url"] = update.details_url
    body["actions"] = [action.model_dump() for action in update.actions]
    return body
