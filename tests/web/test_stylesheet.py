"""The stylesheet parses as its author meant: every block closed where it is opened.

A `@media` block left open swallows every rule after it (it once put the Settings Save bar's desktop
rules inside a phone-only block after a merge): the browser reports no error, so this test does."""

import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "src" / "static" / "css" / "app.css"


def test_every_block_of_the_stylesheet_is_closed_and_no_merge_marker_is_left():
    text = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    text = re.sub(r'"[^"\n]*"|\'[^\'\n]*\'', '""', text)  # braces inside strings are not blocks
    depth, unclosed_at = 0, []
    for number, line in enumerate(text.splitlines(), 1):
        for char in line:
            if char == "{":
                depth += 1
                unclosed_at.append(number)
            elif char == "}":
                assert depth > 0, f"app.css line {number}: a '}}' closes nothing"
                depth -= 1
                unclosed_at.pop()
        # A top-level section starts at column 0 only when every block before it is closed.
        if depth and line.startswith(("@media", ".", "#")) and len(unclosed_at) > 1:
            raise AssertionError(f"app.css line {number}: a top-level rule inside the block opened on line {unclosed_at[0]}")
    assert depth == 0, f"app.css: the block opened on line {unclosed_at[0]} is never closed"
    assert not re.search(r"^(<<<<<<<|=======$|>>>>>>>)", STYLESHEET.read_text(), flags=re.M)
