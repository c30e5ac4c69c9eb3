"""The OpenAPI 3 description of /api/symlink/..., served at /api/symlink/openapi.json.

Kept in sync with the routes by tests/web/test_openapi.py (paths and methods against
Flask's url_map) and exercised by the fuzz run in tests/web/test_fuzz.py.
"""

from flask import jsonify

from linkdoctor.scanner.checks import PROBLEM_CATEGORIES
from linkdoctor.scanner.phase2 import DECODE_MODES
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import MAX_ID

PREFIX = "/api/symlink"
ERROR = {"$ref": "#/components/schemas/Error"}
ANY_OBJECT = {"type": "object"}
EMPTY_BODY = {"type": "object", "additionalProperties": False}
STRINGS = {"type": "array", "items": {"type": "string"}, "maxItems": 1000}
REPAIR_KIND = {"type": "string", "enum": ["broken", "shared"]}


def _id_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _query(name: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema}


def _errors(*codes: int) -> dict:
    answers = {str(code): {"description": "error", "content": {"application/json": {"schema": ERROR}}}
               for code in (400, 401, 403, 415, 421) + codes}
    return answers


def _operation(summary: str, *, body: dict | None = None, params: list | None = None,
               ok: int = 200, errors: tuple = ()) -> dict:
    operation = {
        "summary": summary,
        "responses": {str(ok): {"description": "success", "content": {"application/json": {"schema": ANY_OBJECT}}},
                      **_errors(*errors)},
    }
    if params:
        operation["parameters"] = params
    if body is not None:
        # Every state-changing route takes a JSON object, {} when it needs nothing.
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


def _object(properties: dict, required: tuple = ()) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return schema


SCAN_ID = _id_param("scan_id")
JOB_ID = _id_param("job_id")

PATHS = {
    "/config": {
        "get": _operation("The library settings, API keys masked"),
        "post": _operation("Change settings; all are validated before any is saved", body={
            "type": "object", "minProperties": 1, "additionalProperties": True,
            "properties": {
                "media_path": {"type": "string"}, "max_workers": {"type": "integer"},
                "small_file_threshold": {"type": "integer"}, "file_timeout": {"type": "number"},
                "probe_timeout": {"type": "number"}, "scans_to_keep": {"type": "integer"},
                "phase2_decode": {"type": "string", "enum": list(DECODE_MODES)},
                "decode_timeout": {"type": "number"},
                "include_regular_files": {"type": "boolean"}, "source_roots": STRINGS,
                "broken_share_limit": {"type": "number"}, "quarantine_retention_days": {"type": "integer"},
                "sonarr_enabled": {"type": "boolean"}, "sonarr_host": {"type": "string"},
                "sonarr_port": {"type": "integer"}, "sonarr_api_key": {"type": "string"},
                "tmdb_api_key": {"type": "string"}, "tmdb_base_url": {"type": "string"},
                "radarr_enabled": {"type": "boolean"}, "radarr_host": {"type": "string"},
                "radarr_port": {"type": "integer"}, "radarr_api_key": {"type": "string"},
                "auth_required": {"type": "string", "nullable": True,
                                  "enum": ["enabled", "disabled_for_local", "auto", "", None]},
                "allowed_hosts": STRINGS,
            },
        }, errors=(409,)),
    },
    "/directories": {"get": _operation("The folder tree under the media root with symlink counts", params=[
        _query("path", {"type": "string"}), _query("depth", {"type": "integer", "minimum": 0, "maximum": 6}),
        _query("full", {"type": "string", "enum": ["0", "1", "true", "false"]}),
        _query("offset", {"type": "integer", "minimum": 0, "maximum": 10**7})])},
    "/scan/start": {"post": _operation("Start a scan of the selected folders", ok=202, errors=(409,), body=_object({
        "paths": STRINGS, "mode": {"type": "string", "enum": ["dry-run", "real"]},
        "verification_depth": {"type": "string", "enum": ["basic", "full"]},
        "max_workers": {"type": "integer", "minimum": 1, "maximum": 64}}))},
    "/scan/status/{scan_id}": {"get": _operation("One scan's status", params=[SCAN_ID], errors=(404,))},
    "/scan/cancel/{scan_id}": {"post": _operation("Ask a running scan to stop", params=[SCAN_ID], body=EMPTY_BODY,
                                                  errors=(404, 409))},
    "/scans/history": {"get": _operation("The kept scans, newest first")},
    "/scan/{scan_id}/findings": {"get": _operation("A page of a scan's findings", errors=(404,), params=[
        SCAN_ID, _query("category", {"type": "string"}), _query("page", {"type": "integer", "minimum": 1}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500}),
        _query("proposed", {"type": "string", "enum": ["0", "1", "true", "false"]}),
        _query("q", {"type": "string", "maxLength": 500}),
        _query("sort", {"type": "string", "enum": ["path", "category", "target"]}),
        _query("order", {"type": "string", "enum": ["asc", "desc"]})])},
    "/scan/{scan_id}/findings/{finding_id}": {"get": _operation(
        "One finding in full: the link now, the guard on its source, its ignore rule, its Sonarr/Radarr item",
        params=[SCAN_ID, _id_param("finding_id")], errors=(404, 503))},
    "/scan/{scan_id}/discard": {"post": _operation("Close a waiting proposal without removing anything",
                                                   params=[SCAN_ID], body=EMPTY_BODY, errors=(404, 409))},
    "/scan/{scan_id}/confirm": {"post": _operation(
        "Move the proposed links (or a subset) into the quarantine", params=[SCAN_ID], errors=(404, 409),
        body=_object({"token": {"type": "string"}, "paths": STRINGS, "force": {"type": "boolean"}}, ("token",)))},
    "/scan/{scan_id}/restore": {"post": _operation("Put a scan's quarantined links back", params=[SCAN_ID],
                                                   errors=(404, 409), body=_object({"paths": STRINGS}))},
    "/scan/{scan_id}/quarantine": {"get": _operation("The journal of the links a scan removed", params=[SCAN_ID],
                                                     errors=(404,))},
    "/quarantine/purge": {"post": _operation("Delete quarantined links older than a number of days", errors=(409,),
                                             body=_object({"older_than_days": {"type": "integer", "minimum": 0,
                                                                               "maximum": 36500}}))},
    "/quarantine": {"get": _operation("Everything in the quarantine across scans", params=[
        _query("page", {"type": "integer", "minimum": 1}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500}),
        _query("q", {"type": "string", "maxLength": 500}),
        _query("scan_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID}),
        _query("category", {"type": "string", "enum": list(PROBLEM_CATEGORIES)})])},
    "/quarantine/ids": {"get": _operation("The ids of every quarantined link a filter matches (select all)", params=[
        _query("q", {"type": "string", "maxLength": 500}),
        _query("scan_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID}),
        _query("category", {"type": "string", "enum": list(PROBLEM_CATEGORIES)})])},
    "/quarantine/restore": {"post": _operation(
        "Put chosen quarantined links back, whatever scan removed them", errors=(409,),
        body=_object({"ids": {"type": "array", "minItems": 1, "maxItems": 10000,
                              "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}}, ("ids",)))},
    "/test/services": {"post": _operation(
        "Call system/status on every enabled Sonarr/Radarr instance, or on one as the settings form holds it",
        body=_object({"instance": _object({
            "kind": {"type": "string", "enum": ["sonarr", "radarr"]}, "name": {"type": "string", "maxLength": 64},
            "scheme": {"type": "string", "enum": ["http", "https"]}, "host": {"type": "string", "maxLength": 255},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "url_base": {"type": "string", "maxLength": 255}, "api_key": {"type": "string", "maxLength": 255},
            "enabled": {"type": "boolean"}, "path_mappings": {"type": "array"}}, ("kind", "host", "port"))}))},
    "/blocklist/undo": {"post": _operation(
        "Take the release blocklisted for a link off Sonarr/Radarr's blocklist", errors=(404,),
        body=_object({"path": {"type": "string", "minLength": 1, "maxLength": 4096}}, ("path",)))},
    "/webhook/{app}": {"post": _operation(
        "A Sonarr/Radarr webhook (Test, Download, Rename, file deletes), with the API key", ok=200,
        params=[{"name": "app", "in": "path", "required": True, "schema": {"type": "string", "enum": ["sonarr", "radarr"]}}],
        body={"type": "object"}, errors=(400, 401, 404))},
    "/webhook/urls": {"get": _operation("The webhook URLs to paste into Sonarr/Radarr")},
    "/test/media-servers": {"post": _operation(
        "Version and libraries of every enabled Plex/Jellyfin/Emby server, or of one as the settings form holds it",
        body=_object({"server": _object({
            "kind": {"type": "string", "enum": ["plex", "jellyfin", "emby"]},
            "name": {"type": "string", "minLength": 1, "maxLength": 64},
            "url": {"type": "string", "maxLength": 255}, "token": {"type": "string", "maxLength": 255},
            "enabled": {"type": "boolean"}, "path_mappings": {"type": "array"}}, ("kind", "name", "url"))}))},
    "/services/detect": {"post": _operation("Find Sonarr/Radarr containers through Docker and verify each",
                                            body=EMPTY_BODY)},
    "/services/apply": {"post": _operation(
        "Save a detected Sonarr/Radarr container's settings, its API key read from the container", errors=(404, 409),
        body=_object({"container": {"type": "string", "maxLength": 255}}, ("container",)))},
    "/scan/{scan_id}/notify": {"post": _operation("Tell Sonarr/Radarr again what a scan removed", ok=202,
                                                  params=[SCAN_ID], body=EMPTY_BODY, errors=(404, 409))},
    "/scan/{scan_id}/services": {"get": _operation("The Sonarr/Radarr follow-up and the media servers' refresh of a scan", params=[SCAN_ID],
                                                   errors=(404,))},
    "/jobs": {"get": _operation("Active and recent jobs", params=[
        _query("limit", {"type": "integer", "minimum": 1, "maximum": 200}), _query("kind", {"type": "string"})])},
    "/jobs/{job_id}": {"get": _operation("One job's status", params=[JOB_ID], errors=(404,))},
    "/jobs/{job_id}/cancel": {"post": _operation("Ask a job to stop", params=[JOB_ID], body=EMPTY_BODY,
                                                 errors=(404, 409))},
    "/auth/status": {"get": _operation("Open to all: whether this client is in, whether a password exists")},
    "/auth/login": {"post": _operation("Log in with the password (sets the session cookie)", errors=(429,),
                                       body=_object({"password": {"type": "string"}}, ("password",)))},
    "/auth/logout": {"post": _operation("End this browser's session", body=EMPTY_BODY)},
    "/auth/password": {"post": _operation("Set the login password (a new one needs the current one too)",
                                          errors=(403, 429), body=_object(
        {"password": {"type": "string", "minLength": 8, "maxLength": 1024},
         "current_password": {"type": "string"}}, ("password",)))},
    "/auth/setup": {"post": _operation("Open to all: set the first password with the one-time setup link's token "
                                       "(printed in the server's log) and log in", errors=(403,), body=_object(
        {"token": {"type": "string"}, "password": {"type": "string", "minLength": 8, "maxLength": 1024}},
        ("token", "password")))},
    "/auth/settings": {"get": _operation("The API key, the auth mode in force, the host names answered to")},
    "/auth/api-key": {"post": _operation("Make a new API key", body=EMPTY_BODY)},
    "/library/import": {"post": _operation("Import the library (or folders of it) into the inventory, as a job",
                                           ok=202, errors=(409,),
                                           body=_object({"paths": STRINGS, "dry_run": {"type": "boolean"}}))},
    "/library/check": {"post": _operation("Check the inventory against the library, as a job", ok=202, errors=(409,),
                                          body=_object({"verify_hash": {"type": "boolean"}}))},
    "/library/enrich": {"post": _operation("Look the inventory's items up on TMDB (titles for repair), as a job",
                                           ok=202, errors=(409,), body=EMPTY_BODY)},
    "/library/check/{job_id}/results": {"get": _operation("A page of a check's results", errors=(404,), params=[
        JOB_ID, _query("category", {"type": "string"}), _query("page", {"type": "integer", "minimum": 1}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500})])},
    "/library/pending": {"get": _operation("Inventory items waiting to be identified by hand", params=[
        _query("page", {"type": "integer", "minimum": 1}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500})])},
    "/repair/proposals": {"post": _operation(
        "List the broken links (kind broken) or the links of shared wrong targets (kind shared) with their ranked "
        "candidates, as a job", ok=202, errors=(409,), body=_object({"kind": REPAIR_KIND}))},
    "/repair/apply": {"post": _operation("Re-point links at chosen candidates, or every unambiguous one, as a job",
                                         ok=202, errors=(409,), body=_object({
                                             "items": {"type": "array", "maxItems": 1000, "items": _object(
                                                 {"path": {"type": "string"}, "target": {"type": "string"}},
                                                 ("path", "target"))},
                                             "unambiguous": {"type": "boolean"}, "kind": REPAIR_KIND}))},
    "/repair/proposals/{job_id}": {"get": _operation(
        "A page of one group (ready, ambiguous, no_candidate) of a completed listing, with each group's count",
        errors=(404, 409), params=[
            JOB_ID, _query("group", {"type": "string", "enum": ["ready", "ambiguous", "no_candidate"]}),
            _query("page", {"type": "integer", "minimum": 1}),
            _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500})])},
    "/repairs": {"get": _operation("The repairs made so far, newest first, with their state and batch", params=[
        _query("page", {"type": "integer", "minimum": 1}),
        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 500}),
        _query("job_id", {"type": "integer", "minimum": 1, "maximum": MAX_ID})])},
    "/repairs/undo": {"post": _operation("Put back the old target of every repair of one batch (its apply job)",
                                         errors=(404, 409), body=_object(
                                             {"job_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
                                             ("job_id",)))},
    "/repair/{repair_id}/undo": {"post": _operation("Put back the old target of a repair", errors=(404, 409),
                                                    params=[_id_param("repair_id")], body=EMPTY_BODY)},
    "/ignores": {
        "get": _operation("Every ignore rule, newest first"),
        "post": _operation("Ignore one link (path) or a folder or target prefix (prefix)", ok=201, errors=(409,),
                           body={**_object({"path": {"type": "string", "maxLength": 4096},
                                            "prefix": {"type": "string", "maxLength": 4096},
                                            "note": {"type": "string", "maxLength": 500}}),
                                 "minProperties": 1}),
    },
    "/ignores/preview": {"get": _operation(
        "What ignoring a link (path) or a folder or target prefix (prefix) would hide now, before adding it",
        params=[_query("path", {"type": "string", "maxLength": 4096}),
                _query("prefix", {"type": "string", "maxLength": 4096})])},
    "/ignores/{rule_id}": {"delete": _operation("Stop ignoring: the links come back in the next scan",
                                                params=[_id_param("rule_id")], body=EMPTY_BODY,
                                                errors=(404,))},
    "/schedules": {
        "get": _operation("Every schedule with its next run, the server's time zone, whether this server runs them"),
        "post": _operation("Add a schedule (a cron expression or an interval)", ok=201, errors=(409,), body=_object({
            "name": {"type": "string", "maxLength": 100},
            "cron": {"type": "string", "maxLength": 100, "nullable": True},
            "interval_minutes": {"type": "integer", "minimum": 1, "nullable": True},
            "paths": STRINGS, "depth": {"type": "string", "enum": ["basic", "full"]},
            "mode": {"type": "string", "enum": ["dry-run", "real"]}, "allow_real": {"type": "boolean"},
            "max_removals": {"type": "integer", "minimum": 1, "maximum": 10000},
            "then": {"type": "array", "items": {"type": "string", "enum": ["import", "check"]}},
            "enabled": {"type": "boolean"}}, ("name",))),
    },
    "/schedules/{schedule_id}": {"delete": _operation("Remove a schedule", params=[_id_param("schedule_id")],
                                                      errors=(404,))},
    "/schedules/{schedule_id}/run": {"post": _operation("Run a schedule now, as when it fires (serve only)", ok=202,
                                                        params=[_id_param("schedule_id")], body=EMPTY_BODY,
                                                        errors=(404, 409))},
    "/notifications": {
        "get": _operation("Every notification target (URL masked) and the events one can choose"),
        "post": _operation("Add an Apprise URL as a target", ok=201, body=_object({
            "url": {"type": "string", "maxLength": 2000},
            "events": {"type": "array", "items": {"type": "string", "enum": [
                "scan_problems", "links_quarantined", "held_back", "source_down", "followup_failed", "job_failed"]}}},
            ("url",))),
    },
    "/notifications/{target_id}": {"delete": _operation("Remove a notification target",
                                                        params=[_id_param("target_id")], errors=(404,))},
    "/notifications/test": {"post": _operation("Send a test message to every target now", body=EMPTY_BODY)},
    "/health": {"get": _operation("Open: each part's state; 503 when one is not well", errors=(503,))},
    "/system": {"get": _operation("ffprobe and ffmpeg found and their versions, database, data folder, version, "
                                  "and each enabled Sonarr/Radarr with its last connection test")},
    "/openapi.json": {"get": _operation("This document")},
}


def openapi_document() -> dict:
    """The whole document, paths under the /api/symlink server."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "linkdoctor", "version": "1",
                 "description": "Errors are {\"error\": code, \"message\": text}. Authenticate with the "
                                "X-Api-Key header, the apikey query parameter or the login session cookie."},
        "servers": [{"url": PREFIX}],
        "security": [{"ApiKeyHeader": []}, {"ApiKeyQuery": []}, {"Session": []}],
        "paths": PATHS,
        "components": {
            "schemas": {"Error": {"type": "object", "required": ["error", "message"], "properties": {
                "error": {"type": "string"}, "message": {"type": "string"}}}},
            "securitySchemes": {
                "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
                "ApiKeyQuery": {"type": "apiKey", "in": "query", "name": "apikey"},
                "Session": {"type": "apiKey", "in": "cookie", "name": "linkdoctor_session"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 description of this API."""
    return jsonify(openapi_document())
