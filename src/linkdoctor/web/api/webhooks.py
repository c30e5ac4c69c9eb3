"""Sonarr/Radarr webhooks (Settings > Connect > Webhook): authenticated by the API key, whatever auth mode."""

import json
import logging

from flask import jsonify, request

from linkdoctor.auth import api_key_matches, credentials
from linkdoctor.config import get_config
from linkdoctor.errors import NotFoundError, UnauthorizedError, ValidationError
from linkdoctor.web.api.blueprint import bp
from linkdoctor.web.api.inputs import jobs
from linkdoctor.web.security import presented_api_key
from linkdoctor.webhooks.service import handle_webhook, webhook_urls

log = logging.getLogger(__name__)
APPS = ("sonarr", "radarr")


@bp.post("/webhook/<app>")
def webhook(app):
    """A webhook from Sonarr or Radarr: Test 200; Download 202 {job_id} (the check of its links) or 200 {message}."""
    if app not in APPS:
        raise NotFoundError(f"no webhook for {app!r}; use /webhook/sonarr or /webhook/radarr")
    # Always the key, even when this address needs no login: a webhook starts work.
    if not api_key_matches(presented_api_key()):
        log.warning("%s webhook refused: no valid API key", app)
        raise UnauthorizedError("send linkdoctor's API key as ?apikey= in the webhook URL or as X-Api-Key")
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except (ValueError, RecursionError):
        log.warning("%s webhook refused: the body is not JSON", app)
        raise ValidationError(f"a {app} webhook body must be JSON") from None
    try:
        status, answer = handle_webhook(jobs(), app, body)
    except ValidationError as exc:
        log.warning("%s webhook refused: %s", app, exc.message)
        raise
    return jsonify(answer), status


@bp.get("/webhook/urls")
def webhook_addresses():
    """The URLs to paste into Sonarr/Radarr (Settings > Connect > Webhook), the API key in them."""
    return jsonify(webhook_urls(get_config().public_url, credentials().api_key))
