"""Issue 10 in Chromium: every tab at desktop (1280x800) and phone (390x844) size, with a library holding
findings of several categories, a scan history, a quarantine, ignore rules and an integrity check.

For each tab and size: the page never scrolls sideways, long paths wrap between their folders (after a
"/", or at a space) rather than inside a name, and no control sits even partly outside the window.
A screenshot of each is saved as layout-<tab>-<size>.png.
"""

import pytest

from tests.support.api import run_scan, wait_for_scan
from tests.support.apps import shared_app
from tests.support.browser import page_on_shared_server, requires_chromium, serving
from tests.support.media import do_check, do_import

# One xdist worker runs them all (--dist loadgroup): the library they look at is then made once.
pytestmark = [requires_chromium, pytest.mark.xdist_group("layouts")]

SIZES = {"desktop": (1280, 800, False), "phone": (390, 844, True)}
TABS = ("dashboard", "scanner", "settings", "maintenance", "quarantine")
SETTINGS_SECTIONS = ("scanning", "arr", "media", "notifications", "schedules", "ignores", "security")
FINDINGS = "#findings-block"  # the findings list: reworked separately, checked on its own below

SERIES = "The Extraordinarily Long Named Documentary Series About Nearly Everything (2019)"
EPISODE = f"{SERIES} - S01E0{{}} - The Pilot Episode Whose Title Goes On And On.mkv"

# What a user sees as wrong, measured in the page: sideways scrolling, controls outside the window,
# and the places where a path's line breaks inside a name.
MEASURE = r"""
const [excluded, screenWidth] = arguments;
const outsideOf = (node) => excluded && node.closest(excluded);
const shown = (node) => {
  const box = node.getBoundingClientRect();
  return box.width > 0 && box.height > 0 && getComputedStyle(node).visibility !== "hidden"
    && !node.closest(".visually-hidden");
};
const name = (node) => `${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""}`
  + ` "${(node.getAttribute("aria-label") || node.textContent || node.value || "").trim().slice(0, 40)}"`;

const controls = [];
for (const node of document.querySelectorAll("button, input, select, textarea, a[href], [role=tab]")) {
  if (outsideOf(node) || !shown(node)) continue;
  const box = node.getBoundingClientRect();
  if (box.left < -1 || box.right > window.innerWidth + 1) {
    controls.push(`${name(node)} spans x ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
}

// Each line break inside a path: the characters on either side of it.
const breaks = [];
let paths = 0;
for (const node of document.querySelectorAll(".path, .named-path")) {  // namedPath: the lists of issue 22
  if (outsideOf(node) || !shown(node)) continue;
  paths += 1;
  const chars = [];
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    for (let i = 0; i < text.length; i++) {
      const range = document.createRange();
      range.setStart(text, i);
      range.setEnd(text, i + 1);
      const rects = range.getClientRects();
      if (rects.length) chars.push({ ch: text.data[i], top: rects[0].top, height: rects[0].height });
    }
  }
  let lineStart = 0;
  for (let i = 1; i < chars.length; i++) {
    if (chars[i].top > chars[i - 1].top + chars[i - 1].height / 2) {
      const before = chars[i - 1].ch, after = chars[i].ch;
      // Fine: after a "/", at a space, after a hyphen; or inside a name longer than a whole line
      // (the line held no earlier place to break: the name started it).
      const line = chars.slice(lineStart, i - 1).map((c) => c.ch).join("");
      const wholeLineName = !/[\/ -]/.test(line.slice(1));
      lineStart = i;
      if (before !== "/" && before !== " " && before !== "-" && after !== " " && !wholeLineName) {
        const text = node.textContent;
        breaks.push(`${name(node)}: ...${chars.slice(Math.max(0, i - 12), i).map((c) => c.ch).join("")}|`
          + `${chars.slice(i, i + 12).map((c) => c.ch).join("")}... (of ${text.length} characters)`);
      }
    }
  }
}
// On a phone a table row is a card: each cell's label on the left, all of its content on the right
// (a cell holding several elements would put the second one under the label).
const cards = [];
for (const td of document.querySelectorAll(".data-table td[data-label]")) {
  if (outsideOf(td) || !shown(td) || getComputedStyle(td).display !== "grid") continue;
  const labelRight = td.getBoundingClientRect().left + parseFloat(getComputedStyle(td).paddingLeft)
    + parseFloat(getComputedStyle(td).gridTemplateColumns.split(" ")[0]);
  for (const child of td.childNodes) {
    let boxes = [];
    if (child.nodeType === Node.ELEMENT_NODE && child.tagName !== "WBR") boxes = [child.getBoundingClientRect()];
    if (child.nodeType === Node.TEXT_NODE && child.data.trim()) {
      const range = document.createRange();
      range.selectNodeContents(child);
      boxes = [...range.getClientRects()];
    }
    const left = Math.min(Infinity, ...boxes.filter((b) => b.width > 0).map((b) => b.left));
    if (left < labelRight - 1) {
      cards.push(`${td.dataset.label} of ${name(td.closest("tbody") || td)}: "${(child.textContent || "").trim().slice(0, 30)}" under the label`);
      break;
    }
  }
}
// What sticks out on the right: the innermost elements wider than the screen, to name the culprit.
const wide = [];
for (const node of document.body.querySelectorAll("*")) {
  if (outsideOf(node) || !shown(node) || node.getBoundingClientRect().right <= screenWidth + 1) continue;
  if (![...node.children].some((child) => child.getBoundingClientRect().right > screenWidth + 1)) {
    wide.push(`${name(node)}.${node.className} right=${Math.round(node.getBoundingClientRect().right)}`);
  }
}
// Text can stick out of a box that does not.
const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let text = texts.nextNode(); text && wide.length < 10; text = texts.nextNode()) {
  const range = document.createRange();
  range.selectNodeContents(text);
  const right = Math.max(0, ...[...range.getClientRects()].map((r) => r.right));
  if (right > screenWidth + 1 && !outsideOf(text.parentElement)) {
    wide.push(`text "${text.data.trim().slice(0, 40)}" in ${name(text.parentElement)} right=${Math.round(right)}`);
  }
}
return {
  scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
  controls, breaks, paths, wide: wide.slice(0, 10), cards: cards.slice(0, 10),
};
"""


def make_busy_library(app, client, library, source_dir) -> int:
    """Findings of several categories, three kept scans, a quarantined link, ignore rules, a check's results;
    the latest scan's id."""
    for body in ({"source_roots": [str(source_dir)]}, {"small_file_threshold": 1024}):
        assert client.post("/api/symlink/config", json=body).status_code == 200
    library.healthy("Movies/Ok (2020)/Ok (2020).mkv")
    for episode in (1, 2, 3):
        library.broken(f"Series/{SERIES}/Season 01/{EPISODE.format(episode)}")
    library.broken("Movies/Gone Girl (2014)/Gone Girl (2014).mkv")
    # A file of the source root the repair offers for it: a long name in a select.
    library.video("releases/Gone.Girl.2014.1080p.BluRay.x264.DTS-HD.MA.5.1-A.Very.Long.Release.Group.Name.mkv")
    library.empty("Movies/Tiny (2001)/Tiny (2001).mkv")
    library.link("Movies/Noise (1999)/Noise (1999).mkv", library.garbage("noise.mkv"))
    library.broken(f"Old/{SERIES}/Season 09/{EPISODE.format(9)}")
    library.broken("Not Mine/Someone Else (2010)/Someone Else (2010).mkv")
    # Two episodes on one file: a suspicious shared target, its links listed in one cell of the check.
    shared = library.target("shared.mkv")
    for episode in (4, 5):
        library.link(f"Series/{SERIES}/Season 01/{EPISODE.format(episode)}", shared)
    for body in ({"prefix": "Not Mine", "note": "a friend's folder, not mine to fix"},
                 {"prefix": f"{source_dir}/a debrid folder that is slow to answer/with a long name"},
                 {"path": f"Series/{SERIES}/Season 01/{EPISODE.format(3)}", "note": "known to be missing"}):
        assert client.post("/api/symlink/ignores", json=body).status_code == 201

    # A real scan of Old/, confirmed: its link waits in the quarantine.
    real = client.post("/api/symlink/scan/start", json={"mode": "real", "paths": ["Old"]}).get_json()["scan_id"]
    status = wait_for_scan(client, real)
    confirmed = client.post(f"/api/symlink/scan/{real}/confirm",
                            json={"token": status["confirmation"]["token"], "force": True})
    assert confirmed.status_code == 200, confirmed.get_json()
    assert app.extensions["linkdoctor.tasks"].wait(real, 30)
    run_scan(app)
    latest = run_scan(app, verification_depth="full", paths=[f"Series/{SERIES}", "Movies"])
    do_import(app)
    do_check(app)
    return latest


@pytest.fixture(scope="module")
def busy(tmp_path_factory, migrated_database, media_cache):
    """The busy library's app, served: made once per test process, since the tests here only look at it."""
    with shared_app(tmp_path_factory.mktemp("busy"), migrated_database, media_cache) as shared:
        latest = make_busy_library(shared.app, shared.app.test_client(), shared.library, shared.source)
        with serving(shared.app) as url:
            yield url, latest


@pytest.fixture
def busy_library(busy) -> int:
    """The latest scan's id of the busy library."""
    return busy[1]


@pytest.fixture
def page(browser, busy, tmp_path):
    """A fresh tab on the busy library (every test of this module opens that one)."""
    return page_on_shared_server(browser, busy[0], tmp_path)


def open_tab(page, tab, latest):
    """The tab as a user finds it, once everything it loads has arrived."""
    page.open(f"/scanner/scan/{latest}" if tab == "scanner" else tab)
    ready = {
        # (Scopes are shown relative to the media root once the Scanner's tree has told it.)
        "dashboard": lambda _: (len(page.css("#history-body tr")) == 3
                                and page.visible("latest-scan") and page.css("#latest-counters .counter")
                                and page.by_id("latest-scope").text.startswith("Series/")
                                and page.css("#system-facts dd.path")),
        "scanner": lambda _: (page.css("#tree li.tree-node") and page.by_id("findings-block").is_displayed()
                              and page.by_id("findings-block").get_attribute("aria-busy") == "false"
                              and page.css("#findings-body tr")),
        "settings": lambda _: (page.by_id("cfg-max_workers").get_attribute("value") not in (None, "")
                               and len(page.css("#ignores-list li")) == 3),
        "maintenance": lambda _: page.visible("maint-results") and page.css("#maint-body tr"),
        "quarantine": lambda _: page.css("#qv-body tr") and page.css("#qv-scan option[value]"),
    }[tab]
    page.wait(ready, message=f"the {tab} tab never finished loading")
    if tab == "maintenance":  # the category whose rows hold several links each
        page.click_first("#maint-categories [data-category='duplicate_targets']")
        page.wait(lambda _: page.css("#maint-body tr[data-category='duplicate_targets']"),
                  message="the shared targets never showed")
    if tab == "maintenance":  # the repair block's table too: the broken links and their candidates
        page.by_id("repair-list").click()
        page.wait(lambda _: page.visible("repair-table-wrap") and page.css("#repair-body .repair-candidate"), timeout=60,
                  message="the broken links to repair never showed")
    page.driver.execute_script("window.scrollTo(0, 0)")


def measure(page, width, excluded=None) -> dict:
    return page.driver.execute_script(MEASURE, excluded, width)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tab", TABS)
def test_each_tab_fits_the_screen(page, busy_library, screenshot_dir, tab, size):
    width, height, phone = SIZES[size]
    page.viewport(width, height, phone)
    open_tab(page, tab, busy_library)
    page.screenshot(screenshot_dir, f"layout-{tab}-{size}")
    seen = measure(page, width, excluded=FINDINGS)
    if tab == "settings":  # one section at a time (issue 22): each of them is measured
        for section in SETTINGS_SECTIONS:
            page.settings_section(section)
            page.driver.execute_script("window.scrollTo(0, 0)")
            page.screenshot(screenshot_dir, f"layout-settings-{section}-{size}")
            more = measure(page, width, excluded=FINDINGS)
            seen = {"scrollWidth": max(seen["scrollWidth"], more["scrollWidth"]), "innerWidth": more["innerWidth"],
                    **{key: seen[key] + more[key] for key in ("controls", "breaks", "paths", "wide", "cards")}}
    # (A phone zooms out a page wider than itself: innerWidth then grows past the screen's width.)
    assert seen["scrollWidth"] <= width + 1 and seen["innerWidth"] == width, f"the {tab} tab scrolls sideways: {seen['wide']}"
    assert not seen["controls"], "controls outside the window:\n" + "\n".join(seen["controls"])
    assert seen["paths"] > 0  # there were paths to look at
    assert not seen["breaks"], "paths broken inside a name:\n" + "\n".join(seen["breaks"])
    assert not seen["cards"], "content under a card's labels:\n" + "\n".join(seen["cards"])


def open_findings(page, latest, size) -> dict:
    width, height, phone = SIZES[size]
    page.viewport(width, height, phone)
    open_tab(page, "scanner", latest)
    page.driver.execute_script("document.getElementById('findings-block').scrollIntoView()")
    return measure(page, width)


@pytest.mark.parametrize("size", SIZES)
def test_the_findings_list_fits_the_screen(page, busy_library, screenshot_dir, size):
    seen = open_findings(page, busy_library, size)
    page.screenshot(screenshot_dir, f"layout-findings-{size}")
    width = SIZES[size][0]
    assert seen["scrollWidth"] <= width + 1 and seen["innerWidth"] == width, f"the findings scroll sideways: {seen['wide']}"
    assert not seen["controls"], "controls outside the window:\n" + "\n".join(seen["controls"])


@pytest.mark.parametrize("size", SIZES)
def test_the_findings_paths_wrap_between_folders(page, busy_library, size):
    seen = open_findings(page, busy_library, size)
    assert not seen["breaks"], "paths broken inside a name:\n" + "\n".join(seen["breaks"])
