"""Lists of connections (further Sonarr/Radarr instances, media servers): names unique per kind, and each
one's secret (an API key, a token) masked where the API shows it, kept when the masked value comes back."""

from linkdoctor.errors import ValidationError


def refuse_duplicate_names(items: list[dict], what: str, taken=()) -> None:
    """A ValidationError when two items of a kind share a name (case aside), or one takes a name in `taken`
    ((kind, lowercased name) pairs)."""
    seen = set(taken)
    for item in items:
        key = (item["kind"], item["name"].lower())
        if key in seen:
            raise ValidationError(f"two {item['kind']} {what} are named {item['name']!r}")
        seen.add(key)


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
