"""The enumerations the page needs (categories, states, modes, depths, their labels), defined once here.

The page receives them from the server in a JSON data block (index.html) and
builds its selects, counters and status pills from it; no JavaScript file keeps
its own copy.
"""

from linkdoctor.models import (
    ACTIVE_STATES, ARR_FOLLOWUP, AWAITING_CONFIRMATION, CANCELLED, COMPLETED, DEPTHS, DISCARDED, ERROR, FOLDER,
    IGNORE_KINDS, IMPORT_CHECK, INTERRUPTED, JOB_ACTIVE_STATES, JOB_FINISHED_STATES, JOB_KINDS, LINK, MEDIA_REFRESH,
    MODES, PENDING, RUNNING, TARGET, WITH_PROBLEMS,
)
from linkdoctor.library import integrity
from linkdoctor.quarantine import REMOVABLE
from linkdoctor.scanner.checks import PROBLEM_CATEGORIES
from linkdoctor.scanner.phase2 import DECODE_MODES

CATEGORY_DESCRIPTIONS = {
    "broken": "the target is missing",
    "inaccessible": "the filesystem refuses to open the target",
    "small": "the target is smaller than the size threshold",
    "io_error": "reading the target fails (a sick or crashed mount)",
    "timeout": "the target, or ffprobe on it, did not answer in time",
    "corrupted": "ffprobe finds the media damaged or truncated",
}
STATE_LABELS = {
    PENDING: "pending", RUNNING: "running", COMPLETED: "completed", CANCELLED: "cancelled", ERROR: "error",
    AWAITING_CONFIRMATION: "waiting for confirmation", INTERRUPTED: "interrupted", DISCARDED: "proposal discarded",
    WITH_PROBLEMS: "completed with problems",
}
# How a state looks: "ok" (green), "active", "warning" (amber: it needs a look), "failed" (red), "neutral".
# The page colours pills and rows from this and never compares state names itself.
STATE_TONES = {
    PENDING: "active", RUNNING: "active", COMPLETED: "ok", CANCELLED: "neutral", ERROR: "failed",
    AWAITING_CONFIRMATION: "warning", INTERRUPTED: "failed", DISCARDED: "neutral", WITH_PROBLEMS: "warning",
}
# Job names in the page ({id} is the job's id, a scan's its scan id): "Scan #6" and "Import job 6" never
# read alike.
JOB_NAMES = {
    "scan": "Scan #{id}", "import": "Import job {id}", "check": "Check job {id}", "repair": "Repair job {id}",
    "enrich": "TMDB job {id}", ARR_FOLLOWUP: "Follow-up job {id}", MEDIA_REFRESH: "Media refresh job {id}",
    IMPORT_CHECK: "Import check job {id}",
}
MODE_LABELS = {"dry-run": "dry-run: only report", "real": "real: propose removals"}
DEPTH_LABELS = {"basic": "basic: links only (phase 1)", "full": "full: links + ffprobe (phases 1 and 2)"}
# What an ignore rule matches, in the words the Settings list puts before the rule's path.
IGNORE_KIND_LABELS = {LINK: "this link", FOLDER: "everything under folder", TARGET: "every link whose target is under"}
# What phase 2 decodes after its probe (setting phase2_decode), as the Settings select offers it.
DECODE_MODE_LABELS = {
    "suspicious": "files the probe doubts (confirm or clear them)",
    "sampled": "short windows through every file, doubtful files whole (finds a gap in the middle)",
    "all": "every file whole (slow, thorough)",
    "off": "none (probe only)",
}
PER_PAGE_CHOICES = (10, 25, 50, 100)
DEFAULT_PER_PAGE = 50


def vocabulary() -> dict:
    """Everything the page's JavaScript needs to name things, as JSON-ready data."""
    return {
        "categories": [
            {"key": key, "label": key, "description": CATEGORY_DESCRIPTIONS[key], "removable": key in REMOVABLE}
            for key in PROBLEM_CATEGORIES
        ],
        "state_labels": STATE_LABELS,
        "active_states": list(ACTIVE_STATES),
        "job_active_states": list(JOB_ACTIVE_STATES),
        "job_finished_states": list(JOB_FINISHED_STATES),
        "state_tones": STATE_TONES,
        "waiting_state": AWAITING_CONFIRMATION,  # a real scan's proposal waits for the user
        "job_names": JOB_NAMES,
        "job_kinds": list(JOB_KINDS),
        "modes": [{"value": mode, "label": MODE_LABELS[mode]} for mode in MODES],
        "depths": [{"value": depth, "label": DEPTH_LABELS[depth]} for depth in DEPTHS],
        "decode_modes": [{"value": mode, "label": DECODE_MODE_LABELS[mode]} for mode in DECODE_MODES],
        "ignore_kinds": [{"key": kind, "label": IGNORE_KIND_LABELS[kind]} for kind in IGNORE_KINDS],
        "per_page": {"choices": list(PER_PAGE_CHOICES), "default": DEFAULT_PER_PAGE},
        "check_categories": [
            {"key": key, "label": integrity.LABELS[key], "description": integrity.DESCRIPTIONS[key],
             "action": integrity.ACTIONS[key], "fix": integrity.FIXES[key]}
            for key in integrity.CATEGORIES
        ],
    }
