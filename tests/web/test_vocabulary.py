"""The enumerations the page needs come from Python, once: the page's selects and the JS are built from them."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from linkdoctor.models import ACTIVE_STATES, DEPTHS, MODES
from linkdoctor.scanner.checks import PROBLEM_CATEGORIES
from linkdoctor.scanner.phase2 import DECODE_MODES
from linkdoctor.web.vocabulary import STATE_LABELS, vocabulary

JS_DIR = Path(__file__).resolve().parents[2] / "src" / "static" / "js"


class SelectOptions(HTMLParser):
    """Option values per select id, and the vocabulary data block."""

    def __init__(self):
        super().__init__()
        self.options, self.select, self.block, self.in_block = {}, None, "", False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select = attrs.get("id")
            self.options[self.select] = []
        elif tag == "option" and self.select:
            self.options[self.select].append(attrs.get("value"))
        elif tag == "script" and attrs.get("id") == "vocabulary":
            self.in_block = True

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "script":
            self.in_block = False

    def handle_data(self, data):
        if self.in_block:
            self.block += data


def parsed_page(client) -> SelectOptions:
    parser = SelectOptions()
    parser.feed(client.get("/").get_data(as_text=True))
    return parser


def test_the_page_carries_the_vocabulary_as_data(client):
    page = parsed_page(client)
    assert json.loads(page.block) == vocabulary()


def test_the_selects_are_built_from_the_vocabulary(client):
    options = parsed_page(client).options
    assert options["findings-category"] == [""] + list(PROBLEM_CATEGORIES)
    assert options["scan-mode"] == list(MODES)
    assert options["scan-depth"] == list(DEPTHS)
    # Settings: what phase 2 decodes, sampled included, in the order the server defines.
    assert options["cfg-phase2_decode"] == list(DECODE_MODES) == ["suspicious", "sampled", "all", "off"]


def test_every_state_has_a_label_and_the_active_ones_match():
    data = vocabulary()
    assert set(STATE_LABELS) >= {"pending", "running", "completed", "cancelled", "error", "awaiting_confirmation"}
    assert data["active_states"] == list(ACTIVE_STATES)


def test_no_javascript_file_keeps_its_own_list_of_categories_or_states():
    counters = (JS_DIR / "counters.js").read_text()
    mapped = set(re.findall(r"^\s+(\w+): \(s\) =>", counters, re.MULTILINE))
    assert mapped == set(PROBLEM_CATEGORIES)  # where each category's count is found, nothing more
    for script in JS_DIR.glob("*.js"):
        text = script.read_text()
        assert '"waiting for confirmation"' not in text, script.name
        assert not re.search(r'\[\s*"pending",\s*"running"\s*\]', text), script.name


def test_every_state_has_a_tone_and_every_job_kind_a_name():
    from linkdoctor.models import FINISHED_STATES, JOB_FINISHED_STATES, JOB_KINDS

    data = vocabulary()
    states = set(ACTIVE_STATES) | set(FINISHED_STATES) | set(JOB_FINISHED_STATES)
    assert set(data["state_tones"]) == states == set(data["state_labels"])
    assert set(data["state_tones"].values()) <= {"ok", "active", "warning", "failed", "neutral"}
    assert data["state_tones"]["with_problems"] == "warning"  # never the green of "completed"
    assert set(data["job_names"]) == set(JOB_KINDS)
    names = [name.format(id=6) for name in data["job_names"].values()]
    assert len(set(names)) == len(names) and "Scan #6" in names and "Import job 6" in names


def test_no_javascript_file_compares_a_state_with_a_literal_or_polls_jobs_by_itself():
    data = vocabulary()
    states = "|".join(sorted(data["state_tones"]))
    literal = re.compile(rf'[!=]==?\s*["\']({states})["\']|["\']({states})["\']\s*[!=]==?')
    polled = re.compile(r'["\'`]/(jobs|scan/status|scan/\$\{[^}]+\}/services)')
    for script in JS_DIR.glob("*.js"):
        text = script.read_text()
        assert not literal.search(text), f"{script.name} compares a state with a literal: use vocabulary.js"
        if script.name != "poller.js" and polled.search(text):
            # The one poller (poller.js) asks for job and scan states again; no file keeps its own loop.
            assert "setTimeout" not in text and "setInterval" not in text, f"{script.name} polls by itself"
