"""The one fake GitHub the project keeps: stateful, served over loopback, speaking REST.

    fake = FakeGitHub()                  # App 1; JWTs verified with keys.app_public_key()
    fake.add_repo("o/r", installation_id=1, files={"README.md": "hi\\n"})
    head = fake.add_pull("o/r", number=7, head_files={"app.py": "print(1)\\n"})
    epic = fake.add_issue("o/r", title="Epic", labels=["baton-breakdown"])
    fake.add_sub_issue("o/r", epic, fake.add_issue("o/r", title="Part one"))
    fake.set_role("o/r", "alice", "write")
    with fake.serve() as base_url:                  # http://127.0.0.1:<port>, the API base URL
        ...                                         # GitHubApp(1, keys.app_private_key(), base_url)
    assert [c.body for c in fake.comments("o/r", 7)] == [...]
    assert fake.file_at("o/r", "baton/draft-1", "app.py") == ...  # and .issues, .pulls…

Installation tokens write as `baton[bot]` (type Bot); tokens from `add_user_token` write as
their user. Issues, sub-issues (linked by issue id), pulls and the git data API (blobs,
trees, commits, refs) are written over REST too: commits made there are real commits, and
open pulls follow their branch. Every request is recorded in `fake.requests`. Faults: append
to `fake.before_hooks` (`seen -> Reply | None`, answers before the handler runs) or
`fake.after_hooks` (`(seen, reply) -> Reply | None`, answers after it ran, so the write
happened but the client sees the hook's reply); `faults` has ready-made ones. Review
comments must use `line` + `side` (the deprecated `position` is not supported).
"""

from tests.fakes.github import faults
from tests.fakes.github.diff import commentable_lines, diff_trees, make_patch, pull_file
from tests.fakes.github.fake import FakeGitHub
from tests.fakes.github.router import Reply
from tests.fakes.github.state import Seen

__all__ = [
    "FakeGitHub",
    "Reply",
    "Seen",
    "commentable_lines",
    "diff_trees",
    "faults",
    "make_patch",
    "pull_file",
]
