"""A branch's head commit and files in one GraphQL request: the query, and its answer read.

The files are asked of the commit the branch points at (`ref { target { ... on Commit {
file(path:) } } }`), not of the branch name, so the sha and the texts always belong together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from githubkit import GitHub
from githubkit.exception import GraphQLFailed, PrimaryRateLimitExceeded

from bot.adapters import github_convert as convert
from bot.ports.github import FileContent, GitHubError

OPERATION = "BranchFiles"  # the fake GitHub answers this one query by name
BLOB = "fragment blob on Blob { oid text isTruncated }"
# GraphQL's error types that are GitHub's answer about the repository, not a passing failure.
ERROR_STATUS = {"NOT_FOUND": 404, "FORBIDDEN": 403}


def branch_files_query(paths: int, directories: int) -> str:
    """The query for that many files and directories; every path travels as a variable
    (`$f0`, `$d0`, …), so nothing a repository names is spliced into the query."""
    names = [f"f{i}" for i in range(paths)] + [f"d{i}" for i in range(directories)]
    params = ", ".join(
        ["$owner: String!", "$name: String!", "$ref: String!"] + [f"${n}: String!" for n in names]
    )
    fields = [f"f{i}: file(path: $f{i}) {{ object {{ ...blob }} }}" for i in range(paths)]
    fields += [
        f"d{i}: file(path: $d{i}) {{ object {{ ... on Tree {{ entries {{ name object {{ ...blob }} "
        "} } } }"
        for i in range(directories)
    ]
    return (
        f"query {OPERATION}({params}) {{ repository(owner: $owner, name: $name) {{ "
        f"ref(qualifiedName: $ref) {{ target {{ oid ... on Commit {{ {' '.join(fields)} }} }} }} "
        f"}} }} {BLOB}"
    )


def branch_files_variables(
    repo: str, branch: str, paths: Sequence[str], directories: Sequence[str]
) -> dict[str, str]:
    owner, name = convert.split_repo(repo)
    found = {"owner": owner, "name": name, "ref": f"refs/heads/{branch}"}
    found.update({f"f{i}": path for i, path in enumerate(paths)})
    found.update({f"d{i}": path.strip("/") for i, path in enumerate(directories)})
    return found


@dataclass
class Answer:
    sha: str
    files: dict[str, FileContent] = field(default_factory=dict)
    # Files GitHub sent no whole text for: cut short (GraphQL stops at about 500 KB) or
    # binary; the adapter reads them over REST at `sha`, as `get_file` always did.
    unread: list[str] = field(default_factory=list)

    def take(self, path: str, blob: dict[str, Any] | None) -> None:
        if not blob or "oid" not in blob:
            return  # no such path, or a directory or submodule there
        if blob.get("isTruncated") or blob.get("text") is None:
            self.unread.append(path)
        else:
            self.files[path] = FileContent(path=path, sha=blob["oid"], text=blob["text"])


def read_answer(
    data: dict[str, Any], repo: str, branch: str, paths: Sequence[str], directories: Sequence[str]
) -> Answer:
    ref = (data.get("repository") or {}).get("ref")
    if ref is None:
        raise GitHubError(404, f"{repo} has no branch `{branch}`")
    commit = ref["target"]
    answer = Answer(sha=commit["oid"])
    for i, path in enumerate(paths):
        answer.take(path, (commit.get(f"f{i}") or {}).get("object"))
    for i, directory in enumerate(directories):
        tree = (commit.get(f"d{i}") or {}).get("object") or {}
        for entry in tree.get("entries") or []:
            answer.take(f"{directory.strip('/')}/{entry['name']}", entry.get("object"))
    return answer


def as_github_error(failed: GraphQLFailed) -> GitHubError:
    """GraphQL answers 200 with `errors`; a repository it cannot see is NOT_FOUND. Anything
    else (GitHub's "Something went wrong while executing your query") may pass: a 502."""
    errors = failed.response.errors or []
    message = "; ".join(error.message for error in errors) or "GraphQL request failed"
    for error in errors:
        if error.type in ERROR_STATUS:
            return GitHubError(ERROR_STATUS[error.type], message)
    return GitHubError(502, f"GraphQL: {message}")


async def read_branch_files(
    gh: GitHub[Any], repo: str, branch: str, paths: Sequence[str], directories: Sequence[str]
) -> Answer:
    query = branch_files_query(len(paths), len(directories))
    variables = branch_files_variables(repo, branch, paths, directories)
    try:
        data = await gh.graphql.arequest(query, variables)
    except GraphQLFailed as failed:
        raise as_github_error(failed) from failed
    except PrimaryRateLimitExceeded as limited:
        # githubkit finds GraphQL's limit in a 200's body, after its retries: the wait goes
        # to the engine, which sleeps it off as for REST's 403.
        wait = max(limited.retry_after.total_seconds(), 0.0)
        raise GitHubError(403, "GraphQL rate limit exceeded", retry_after=wait) from limited
    return read_answer(data, repo, branch, paths, directories)
