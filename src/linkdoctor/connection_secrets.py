"""The secret of each connection in a list (a Sonarr/Radarr instance's API key, a media server's token):
masked where the API shows it, and kept when the masked value comes back unchanged."""


def masked_secrets(items: list[dict], mask, field: str) -> list[dict]:
    """The list as the API shows it: each item's `field` masked with `mask`."""
    return [{**item, field: mask(item.get(field, ""))} for item in items or []]


def keep_masked_secrets(new: list[dict], old: list[dict], mask, field: str) -> list[dict]:
    """A masked secret sent back (as the API shows it) keeps the stored secret of the same (kind, name)."""
    stored = {(item["kind"], item["name"]): item.get(field, "") for item in old or []}
    for item in new:
        previous = stored.get((item["kind"], item["name"]), "")
        if item[field] and previous and item[field] == mask(previous):
            item[field] = previous
    return new
