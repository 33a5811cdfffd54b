"""GraphQL: the one query Baton sends (`BranchFiles`, bot/adapters/github_branch_files.py),
answered from the repository's commits. Not a GraphQL engine: any other query is refused
with GraphQL's error shape, so a change to Baton's query shows up here first."""

from __future__ import annotations

import re
from typing import Any

from tests.fakes.github import state
from tests.fakes.github.router import Ctx, Reply, route

TRUNCATE_AT = 512_000  # bytes of a blob's `text`; GitHub says `isTruncated` beyond
QUERY = re.compile(
    r"query BranchFiles\((?P<params>[^)]*)\) \{ repository\(owner: \$owner, name: \$name\) \{ "
    r"ref\(qualifiedName: \$ref\) \{ target \{ oid \.\.\. on Commit \{ (?P<fields>.*) \} \} \} "
    r"\} \} fragment blob on Blob \{ oid text isTruncated \}"
)
FILE = r"(?P<file>f\d+): file\(path: \$(?P=file)\) \{ object \{ \.\.\.blob \} \}"
DIRECTORY = (
    r"(?P<dir>d\d+): file\(path: \$(?P=dir)\) \{ object \{ \.\.\. on Tree \{ entries \{ name "
    r"object \{ \.\.\.blob \} \} \} \} \}"
)
FIELD = re.compile(f"{FILE}|{DIRECTORY}")


def _refused(message: str, kind: str | None = None, data: Any = None) -> Reply:
    error: dict[str, Any] = {"message": message, "locations": [{"line": 1, "column": 1}]}
    if kind:
        error["type"] = kind
    return Reply(200, {"data": data, "errors": [error]})


def _fields(query: str) -> list[tuple[str, bool]] | None:
    """The query's `file` fields as (alias, is a directory), or None for another query."""
    found = QUERY.fullmatch(" ".join(query.split()))
    if found is None:
        return None
    fields = [(m["file"] or m["dir"], bool(m["dir"])) for m in FIELD.finditer(found["fields"])]
    rebuilt = " ".join(m.group(0) for m in FIELD.finditer(found["fields"]))
    return fields if rebuilt == found["fields"] else None


def _blob(text: str) -> dict[str, Any]:
    data = text.encode()
    cut = data[:TRUNCATE_AT].decode(errors="ignore")
    return {"oid": state.blob_sha(text), "text": cut, "isTruncated": len(data) > TRUNCATE_AT}


def _is_directory(tree: dict[str, str], path: str) -> bool:
    return any(p.startswith(f"{path}/") for p in tree)


def _file(tree: dict[str, str], path: str) -> dict[str, Any] | None:
    if path in tree:
        return {"object": _blob(tree[path])}
    return {"object": {}} if _is_directory(tree, path) else None  # a Tree matches no fragment


def _directory(tree: dict[str, str], path: str) -> dict[str, Any] | None:
    if path in tree:
        return {"object": {}}  # a Blob is no Tree
    if not _is_directory(tree, path):
        return None
    names = sorted({p[len(path) + 1 :].split("/", 1)[0] for p in tree if p.startswith(f"{path}/")})
    entries = [
        {"name": n, "object": _blob(tree[f"{path}/{n}"]) if f"{path}/{n}" in tree else {}}
        for n in names
    ]
    return {"object": {"entries": entries}}


def _commit(
    repo: state.Repo, sha: str, fields: list[tuple[str, bool]], values: dict[str, Any]
) -> dict[str, Any]:
    tree = repo.commits[sha].tree
    answer: dict[str, Any] = {"oid": sha}
    for alias, is_directory in fields:
        path = str(values[alias])
        answer[alias] = _directory(tree, path) if is_directory else _file(tree, path)
    return answer


@route("POST", "/graphql")
def graphql(ctx: Ctx) -> Reply:
    fields = _fields(str(ctx.body.get("query", "")))
    if fields is None:
        return _refused("the fake GitHub answers only Baton's BranchFiles query")
    values = ctx.body.get("variables") or {}
    missing = [n for n in ["owner", "name", "ref"] + [a for a, _ in fields] if n not in values]
    if missing:
        return _refused(f"Variable ${missing[0]} of type String! was provided invalid value")
    full_name = f"{values['owner']}/{values['name']}"
    repo = ctx.fake.repos.get(full_name)
    installation = ctx.token.installation_id if ctx.token else None
    if repo is None or installation not in (None, repo.installation_id):
        message = f"Could not resolve to a Repository with the name '{full_name}'."
        return _refused(message, "NOT_FOUND", {"repository": None})
    ref = str(values["ref"])
    sha = repo.branches.get(ref.removeprefix("refs/heads/")) if ref.startswith("refs/") else None
    target = None if sha is None else {"target": _commit(repo, sha, fields, values)}
    return Reply(200, {"data": {"repository": {"ref": target}}})
