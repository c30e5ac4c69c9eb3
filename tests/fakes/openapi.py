"""Check requests and answers against the upstream Sonarr/Radarr OpenAPI specs (/work/shared/specs)."""

import copy
import json
import os
import re
from functools import lru_cache
from pathlib import Path

import jsonschema

SPECS_DIR = Path(os.environ.get("LINKDOCTOR_SPECS_DIR", Path(__file__).resolve().parents[3] / "shared" / "specs"))
if not SPECS_DIR.is_dir():
    SPECS_DIR = Path("/work/shared/specs")
# The specs describe a command's body as CommandResource (no command-specific fields); upstream reads the
# extra top-level fields by command name. These are the ones the specs' README documents.
COMMAND_FIELDS = {
    "sonarr": {"RescanSeries": {"seriesId": int}, "EpisodeSearch": {"episodeIds": list}, "SeriesSearch": {"seriesId": int}},
    "radarr": {"RescanMovie": {"movieId": int}, "MoviesSearch": {"movieIds": list}, "RefreshMovie": {"movieIds": list}},
}


class SpecViolation(AssertionError):
    """A request or an answer the upstream spec does not describe."""


def _nullable(node):
    """OpenAPI 3.0 `nullable` -> JSON Schema null types, everywhere in the tree."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "$ref" in node:
            return {"anyOf": [{"$ref": node["$ref"]}, {"type": "null"}]}
        if "type" in node:
            node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = node["enum"] + [None]
    return node


@lru_cache(maxsize=None)
def load(kind: str) -> dict:
    with open(SPECS_DIR / f"{kind}-v3-openapi.json", encoding="utf-8") as handle:
        spec = json.load(handle)
    spec["components"] = _nullable(spec["components"])
    return spec


def _template_regex(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$")


def find_operation(kind: str, method: str, path: str) -> tuple[str, dict]:
    """(template, operation) of the spec matching METHOD path (path without the URL base)."""
    spec = load(kind)
    candidates = [(t, ops) for t, ops in spec["paths"].items() if _template_regex(t).match(path)]
    # A literal template (/api/v3/command) wins over a parameter one (/api/v3/{id}).
    candidates.sort(key=lambda item: item[0].count("{"))
    for template, operations in candidates:
        if method.lower() in operations:
            return template, operations[method.lower()]
    raise SpecViolation(f"{kind}: {method} {path} is not an operation of the upstream spec")


def _validate(kind: str, schema: dict, value, what: str) -> None:
    root = {**_nullable(schema), "components": load(kind)["components"]}
    try:
        jsonschema.validate(value, root, cls=jsonschema.Draft7Validator)
    except jsonschema.ValidationError as exc:
        raise SpecViolation(f"{kind}: {what} does not match the spec: {exc.message} at {list(exc.absolute_path)}") from None


def check_request(kind: str, method: str, path: str, query: dict, body) -> None:
    """The request is an operation of the spec, with known query parameters and a body of the right shape."""
    template, operation = find_operation(kind, method, path)
    known = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    unknown = set(query) - known
    if unknown:
        raise SpecViolation(f"{kind}: {method} {template}: unknown query parameter(s) {sorted(unknown)}")
    if body is None:
        return
    content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
    if content is None:
        raise SpecViolation(f"{kind}: {method} {template} takes no JSON body")
    schema = copy.deepcopy(content["schema"])
    if template == "/api/v3/command":
        name = body.get("name") if isinstance(body, dict) else None
        fields = COMMAND_FIELDS[kind].get(name)
        if fields is None:
            return  # an unknown command: the server refuses it, which is what the test looks at
        extra = {k: v for k, v in body.items() if k in fields}
        for key, type_ in fields.items():
            if not isinstance(extra.get(key), type_):
                raise SpecViolation(f"{kind}: command {name} needs {key} ({type_.__name__})")
        body = {k: v for k, v in body.items() if k not in fields}
    _validate(kind, schema, body, f"the body of {method} {template}")


def check_response(kind: str, method: str, path: str, status: int, body) -> None:
    """A 2xx answer's body matches the schema the spec gives for it."""
    template, operation = find_operation(kind, method, path)
    responses = operation.get("responses", {})
    # The generated specs list every success as 200 (POST command really answers 201).
    response = responses.get(str(status)) or responses.get("200") or responses.get("default")
    if response is None:
        raise SpecViolation(f"{kind}: {method} {template} has no answer {status} in the spec")
    content = (response.get("content") or {}).get("application/json")
    if content is None:
        if body not in (None, b"", ""):
            raise SpecViolation(f"{kind}: {method} {template} answers no JSON in the spec")
        return
    _validate(kind, content["schema"], body, f"the answer of {method} {template}")
