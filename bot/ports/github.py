"""The GitHub port: what workflow steps may ask of GitHub (its data: `github_data`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from bot.ports.github_data import (
    BranchFiles,
    CheckAction,
    CheckConclusion,
    CheckRun,
    CheckRunUpdate,
    CheckStatus,
    Comment,
    FileContent,
    Issue,
    NewComment,
    NewReview,
    PullFile,
    PullRequest,
    Repository,
    Review,
    ReviewComment,
    Role,
    Side,
)

__all__ = [
    "READS",
    "UNTIMED_RATE_LIMIT_SECONDS",
    "BranchFiles",
    "CheckAction",
    "CheckConclusion",
    "CheckRun",
    "CheckRunUpdate",
    "CheckStatus",
    "Comment",
    "FileContent",
    "GitHubError",
    "GitHubPort",
    "Issue",
    "NewComment",
    "NewReview",
    "PullFile",
    "PullRequest",
    "Repository",
    "Review",
    "ReviewComment",
    "ReviewRejected",
    "Role",
    "Side",
]


# GitHub's advice for a rate limit that names no time: wait at least a minute.
UNTIMED_RATE_LIMIT_SECONDS = 60.0


class GitHubError(Exception):
    """GitHub answered with an error the adapter's own retries did not cure."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        rate_limited: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"GitHub answered {status}: {message}")
        self.status = status
        self.rate_limited = rate_limited or retry_after is not None
        # Seconds GitHub asked this installation to wait (`retry-after`, or until
        # `x-ratelimit-reset`); the engine waits them out with a durable sleep, then runs the
        # step again.
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        # DBOS pickles a step's error into its checkpoint; a replay must get the same error
        # back, with its status and wait, whatever the subclass's constructor takes.
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))

    @property
    def permanent(self) -> bool:
        """A 4xx that is not a rate limit or a timeout: asking again gets the same answer."""
        return 400 <= self.status < 500 and not self.rate_limited and self.status not in (408, 429)


def _rebuild_error(
    cls: type[GitHubError], args: tuple[Any, ...], state: dict[str, Any]
) -> GitHubError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ReviewRejected(Exception):
    """GitHub refused a review (422), typically for a comment on a line outside the diff."""


# The methods of GitHubPort that change nothing on GitHub. A dry run (bot/local/dryrun.py)
# forwards these and refuses every other method it has no stand-in for, so a write added to the
# port and not listed here is never sent by omission (tests/unit/test_dryrun.py).
READS = frozenset(
    {
        "get_repository",
        "get_branch_sha",
        "get_branch_files",
        "get_pull",
        "list_pull_files",
        "get_file",
        "get_permission",
        "find_review",
        "get_issue",
        "list_comments",
        "find_own_comments",
        "get_comment",
        "find_issues_by_marker",
        "list_sub_issues",
        "find_branch",
        "list_tree",
        "find_pull_by_head",
    }
)


class GitHubPort(Protocol):
    """GitHub, seen from one installation. Every write is idempotent except `create_issue`
    and `create_pull`, which callers guard with a lookup (see each docstring)."""

    async def get_repository(self, repo: str) -> Repository: ...

    async def get_branch_sha(self, repo: str, branch: str) -> str: ...

    async def get_branch_files(
        self, repo: str, branch: str, paths: Sequence[str], directories: Sequence[str] = ()
    ) -> BranchFiles:
        """The head commit of `branch` and, read at that same commit, the text files at
        `paths` and every text file directly in `directories`: one request, so a push
        between reads cannot pair a commit with another commit's files. GitHubError 404
        when the repository or the branch does not exist."""
        ...

    async def get_pull(self, repo: str, number: int) -> PullRequest: ...

    async def list_pull_files(self, repo: str, number: int) -> list[PullFile]:
        """All files of the PR, every page (GitHub caps the listing at 3000 files)."""
        ...

    async def get_file(self, repo: str, path: str, ref: str) -> FileContent | None:
        """A text file at a ref; None when it does not exist."""
        ...

    async def get_permission(self, repo: str, user: str) -> Role:
        """The user's role on the repository (`role_name`), "none" for non-collaborators."""
        ...

    async def upsert_comment(
        self, repo: str, number: int, marker: str, body: str, *, none_before: bool = False
    ) -> Comment:
        """Edit the issue/PR comment whose body contains `marker`, or create one.

        `marker` is a hidden HTML comment such as `<!-- baton:summary review -->`; the body
        must contain it. `none_before`: the caller saw the issue or PR without any comment
        before this write was first tried, so on that first try there is nothing to look for.
        """
        ...

    def writes_coming(self, *writes: NewReview | NewComment) -> AbstractAsyncContextManager[None]:
        """Around a step attempt's content writes: they wait for their turns to create content
        (GitHub's pace) all at once on entering, rather than each in turn just before it is
        sent. Only the writes made inside the block, in this attempt, use those turns."""
        ...

    async def find_review(self, repo: str, number: int, marker: str) -> Review | None: ...

    async def create_review(
        self,
        repo: str,
        number: int,
        commit_sha: str,
        body: str,
        comments: list[ReviewComment],
    ) -> Review:
        """Post a COMMENT review (never APPROVE). Raises ReviewRejected on 422. Asked again
        for the same review (a step run again), returns the one already posted."""
        ...

    async def upsert_check_run(self, update: CheckRunUpdate, *, new: bool = False) -> CheckRun:
        """Create the check run keyed by `external_id` on `head_sha`, or update it. `new`: the
        caller knows this is the first attempt to create it, so there is none to look for."""
        ...

    async def add_reaction(self, repo: str, comment_id: int, content: str) -> None:
        """React to an issue comment; reacting twice is a no-op on GitHub's side."""
        ...

    # Issues: the breakdown and draft workflows ------------------------------------------

    async def get_issue(self, repo: str, number: int) -> Issue:
        """An issue by number; a pull request's number gives it with `is_pull_request`."""
        ...

    async def list_comments(self, repo: str, number: int) -> list[Comment]:
        """Every comment on an issue or pull, oldest first, every page."""
        ...

    async def find_own_comments(self, repo: str, number: int, prefix: str) -> list[Comment]:
        """Comments Baton itself wrote on an issue or pull whose body starts with `prefix` (a
        marker), oldest first. A comment by anyone else is never returned, whatever it holds:
        another App or a workflow's bot may copy Baton's markers, never its authorship."""
        ...

    async def get_comment(self, repo: str, comment_id: int) -> Comment | None:
        """An issue or pull comment by id; None when it was deleted or never existed."""
        ...

    async def create_issue(
        self, repo: str, title: str, body: str, labels: Sequence[str] = ()
    ) -> Issue:
        """Open an issue. Not idempotent and never retried on a server error: put a marker in
        `body` and call `find_issues_by_marker` first, so a re-run finds what it made."""
        ...

    async def find_issues_by_marker(self, repo: str, marker: str) -> list[Issue]:
        """Issues (not pulls) Baton opened whose body contains `marker`, open or closed,
        oldest first. Issues by anyone else are never returned, even when they quote it."""
        ...

    async def list_sub_issues(self, repo: str, number: int) -> list[Issue]: ...

    async def add_sub_issue(self, repo: str, number: int, sub_issue_id: int) -> None:
        """Make issue `sub_issue_id` (its id, not its number) a sub-issue of `number`.
        Already being one is success; being another issue's sub-issue is a GitHubError."""
        ...

    # Branches, commits and pulls: the draft workflow -------------------------------------

    async def find_branch(self, repo: str, branch: str) -> str | None:
        """The sha `branch` points at; None when there is no such branch."""
        ...

    async def list_tree(self, repo: str, ref: str) -> list[str]:
        """Every file path at `ref` (a branch name or a full commit sha), sorted.

        GitHub stops a listing at 100,000 entries or 7 MB and marks it truncated; this then
        returns what GitHub sent (logged as a warning): good for choosing files to show,
        not for proving a path absent (use `get_file`).
        """
        ...

    async def commit_files(
        self,
        repo: str,
        branch: str,
        base_sha: str,
        files: Mapping[str, str | None],
        message: str,
    ) -> str:
        """One commit on `base_sha` with `files` changed (None deletes a path), then
        `branch` created or force-moved to it; returns the commit's sha.

        The branch ends as exactly that one commit on `base_sha`: an earlier commit there is
        dropped. When the branch already holds one commit on `base_sha` with the same tree,
        nothing is written and its sha is returned, so a repeated step is harmless. Callers
        still check `find_branch` and the branch's files first, to keep a human's commits.
        Deleting a path that `base_sha` does not have is a GitHubError (422); no files at
        all is a ValueError.
        """
        ...

    async def find_pull_by_head(self, repo: str, branch: str) -> PullRequest | None:
        """The pull from `branch` of this repository, open or closed (the open one first,
        then the newest); None when there is none."""
        ...

    async def create_pull(
        self, repo: str, head: str, base: str, title: str, body: str, draft: bool = True
    ) -> PullRequest:
        """Open a pull from branch `head` into `base`. Not idempotent: GitHubError 422 when
        one is already open for `head`, so call `find_pull_by_head` first. A repository whose
        plan has no draft pulls gets a ready one."""
        ...

    async def update_pull(self, repo: str, number: int, title: str, body: str) -> PullRequest:
        """Set a pull's title and body; setting the same again changes nothing."""
        ...
