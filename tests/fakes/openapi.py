"""Check requests and answers against the upstream OpenAPI specs (/work/shared/specs): Sonarr, Radarr, Plex, Jellyfin."""

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

SPEC_FILES = {"sonarr": "sonarr-v3-openapi.json", "radarr": "radarr-v3-openapi.json",
              "plex": "plex-pms-openapi.yaml", "jellyfin": "jellyfin-openapi-12.0.0.json"}
# Query parameters clients in the wild send that a spec does not list. Plex: the community spec lists
# `path` on the POST form of a section refresh only; every client sends it on GET and Plex accepts it
# (see the specs' README).
EXTRA_QUERY = {("plex", "/library/sections/{sectionId}/refresh"): {"path"}}


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
    path = SPECS_DIR / SPEC_FILES[kind]
    with open(path, encoding="utf-8") as handle:
        if path.suffix == ".yaml":
            import yaml

            spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 2.5 MB
        else:
            spec = json.load(handle)
    spec["components"] = _nullable(spec["components"])
    return spec


def _template_regex(template: str) -> re.Pattern:
    template = template.rstrip("/") or "/"  # Plex's spec spells one path /library/sections/
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$")


def _parameter(kind: str, parameter: dict) -> dict:
    """A parameter, its $ref (#/components/parameters/...) resolved."""
    ref = parameter.get("$ref")
    if ref is None:
        return parameter
    return load(kind)["components"]["parameters"][ref.rsplit("/", 1)[1]]


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
    spec = load(kind)
    root = {**_nullable(schema), "components": spec["components"]}
    # OpenAPI 3.1 (Plex's) is JSON Schema 2020-12; 3.0 documents are close to draft 7.
    validator = jsonschema.Draft202012Validator if spec["openapi"].startswith("3.1") else jsonschema.Draft7Validator
    try:
        jsonschema.validate(value, root, cls=validator)
    except jsonschema.ValidationError as exc:
        raise SpecViolation(f"{kind}: {what} does not match the spec: {exc.message} at {list(exc.absolute_path)}") from None


def check_request(kind: str, method: str, path: str, query: dict, body) -> None:
    """The request is an operation of the spec, with known query parameters and a body of the right shape."""
    template, operation = find_operation(kind, method, path)
    parameters = [_parameter(kind, p) for p in operation.get("parameters", [])]
    known = {p["name"] for p in parameters if p["in"] == "query"} | EXTRA_QUERY.get((kind, template), set())
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
