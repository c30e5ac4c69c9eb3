"""Fixtures for the browser tests: the app behind a real HTTP server, and headless Chromium.

The server is werkzeug's, on 127.0.0.1 and a free port, in a daemon thread, serving the
`app` fixture of tests/conftest.py (temporary data folder and media root). The browser is
Debian's Chromium driven by Debian's chromedriver through selenium; Selenium Manager is
never asked to download anything (the driver's path is given and SE_OFFLINE is set).
One Chromium is started per test process and each test gets a fresh tab of it, with the
cookies and cache cleared (SharedChromium).
"""

import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 20

CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--window-size=1280,1000", "--lang=en-US",
)
DEFAULT_FLAGS = CHROMIUM_FLAGS  # a test may change CHROMIUM_FLAGS (monkeypatch): it then gets its own Chromium

# Console lines that are the browser reporting an HTTP error answer the page expected
# (400/404/409/501 of the API); anything else at SEVERE level is a JavaScript error.
EXPECTED_CONSOLE = ("Failed to load resource",)


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)


requires_chromium = pytest.mark.skipif(
    not chromium_available(), reason=f"browser tests need {CHROMIUM} and {CHROMEDRIVER} (Debian's chromium and chromium-driver)"
)


@contextmanager
def serving(app):
    """The app served over real HTTP by werkzeug on 127.0.0.1 and a free port, in a daemon thread; its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture
def live_server(app):
    """The app served over real HTTP; yields its base URL."""
    with serving(app) as url:
        yield url


def start_chromium(folder: Path, flags: tuple[str, ...]):
    """A headless Chromium with its own profile in `folder`, driven through Debian's chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = folder / "chromium-profile"
    profile.mkdir(parents=True)
    options = Options()
    options.binary_location = CHROMIUM
    for flag in flags:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=str(folder / "chromedriver.log"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium Manager must never download a driver
        driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    return driver


def fresh_tab(driver) -> None:
    """Leave the driver as a new browser would be: one new blank tab at the default window size, no
    cookies, no cache, no network emulation, no console lines. What a test set on its tab (scripts run on
    each new document, device metrics) goes with the closed tab; sites' storage is per origin, and each
    test's server has a port of its own (a module's shared server: page_on_shared_server clears its storage). Raises if the browser cannot be brought back."""
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert.dismiss()  # a dialog the last test left open
    except NoAlertPresentException:
        pass
    if len(driver.window_handles) != 1:  # the tests use one tab; anything else: start a new browser
        raise RuntimeError(f"{len(driver.window_handles)} tabs open")
    old = driver.current_window_handle
    driver.switch_to.new_window("tab")
    new = driver.current_window_handle
    driver.switch_to.window(old)
    driver.close()
    driver.switch_to.window(new)
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    try:
        driver.delete_network_conditions()  # test_offline_page's offline switch
    except Exception:  # chromedriver answers an error when none were set
        pass
    driver.set_window_size(1280, 1000)  # as --window-size in CHROMIUM_FLAGS
    driver.set_page_load_timeout(30)
    driver.get_log("browser")  # read, so that only this test's console lines are judged


class SharedChromium:
    """One Chromium per test process, handed to each test as a fresh tab (see fresh_tab): starting
    Chromium costs seconds, a new tab milliseconds. A test that needs other command-line flags
    (test_browser_security's host resolver rules) gets a Chromium of its own."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.driver = None
        self.started = 0

    def get(self):
        if self.driver is not None:
            try:
                fresh_tab(self.driver)
                return self.driver
            except Exception:
                self.close()  # crashed or stuck: start again rather than hand on a doubtful browser
        self.started += 1
        self.driver = start_chromium(self.folder / f"chromium-{self.started}", DEFAULT_FLAGS)
        fresh_tab(self.driver)
        return self.driver

    def close(self) -> None:
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
            self.driver = None


@pytest.fixture(scope="session")
def shared_chromium(tmp_path_factory):
    chromium = SharedChromium(tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


@pytest.fixture
def browser(request, tmp_path):
    """Headless Chromium in a fresh tab; fails the test at teardown if the page logged a JavaScript error."""
    if not chromium_available():
        pytest.skip(f"browser tests need {CHROMIUM} and {CHROMEDRIVER}")
    own = CHROMIUM_FLAGS != DEFAULT_FLAGS  # flags changed for this test: a browser of its own
    driver = start_chromium(tmp_path, CHROMIUM_FLAGS) if own else request.getfixturevalue("shared_chromium").get()
    try:
        yield driver
        errors = [entry for entry in driver.get_log("browser")
                  if entry["level"] == "SEVERE" and not any(e in entry["message"] for e in EXPECTED_CONSOLE)]
        assert not errors, "JavaScript errors on the page:\n" + json.dumps(errors, indent=1)
    finally:
        if own:
            driver.quit()
        else:
            try:
                driver.get("about:blank")  # stop the page's scripts before this test's server goes
            except Exception:
                pass  # the next test's fresh_tab finds out, and starts a new Chromium if need be


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where the tests put their screenshots (also copied to $LINKDOCTOR_SCREENSHOTS when set)."""
    path = tmp_path / "screenshots"
    path.mkdir()
    return path


class Page:
    """What a user does and sees, in the words of the page's ids and labels."""

    def __init__(self, driver, base_url: str, artifacts: Path | None = None):
        self.driver = driver
        self.base_url = base_url
        self.artifacts = artifacts  # where a timed-out wait leaves a screenshot
        self.size_name = ""  # "desktop" or "phone" when the `window` fixture (tests/web/conftest.py) set it

    # -- waiting and finding ----------------------------------------------

    def wait(self, condition, timeout: float = WAIT_SECONDS, message: str = ""):
        """Poll `condition` until it is truthy; elements replaced by a re-render are looked up again."""
        from selenium.common.exceptions import (
            NoSuchElementException, StaleElementReferenceException, TimeoutException,
        )
        from selenium.webdriver.support.ui import WebDriverWait

        waiter = WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                               ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        try:
            return waiter.until(condition, message)
        except TimeoutException as exc:
            raise AssertionError(f"{message or 'condition never met'} (after {timeout}s); {self.diagnose()}") from exc

    def diagnose(self) -> str:
        """What the page shows right now, for a failure message; and a screenshot next to the test's files."""
        notes = []
        try:
            banner = self.by_id("error-banner")
            notes.append(f"error banner: {banner.text!r}" if banner.is_displayed() else "no error banner")
            notes.append(f"tab: {self.driver.find_element('css selector', 'body').get_attribute('data-tab')}")
            if self.artifacts is not None:
                path = self.artifacts / f"timeout-{len(list(self.artifacts.glob('timeout-*.png')))}.png"
                self.driver.save_screenshot(str(path))
                notes.append(f"screenshot: {path}")
        except Exception as exc:  # the diagnosis must never hide the real failure
            notes.append(f"(no diagnosis: {exc})")
        return "; ".join(notes)

    def wait_for_text(self, element_id: str, text: str, timeout: float = WAIT_SECONDS) -> str:
        """Wait until the element with this id is displayed and its text contains `text`."""
        def check(_):
            element = self.by_id(element_id)
            return element.is_displayed() and text in element.text and element.text
        return self.wait(check, timeout, f"#{element_id} never showed {text!r}")

    def by_id(self, element_id: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.ID, element_id)

    def css(self, selector: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def click_first(self, selector: str) -> None:
        """Click the first element matching `selector`, looked up again if a re-render replaced it."""
        def click(_):
            found = self.css(selector)
            return bool(found) and (found[0].click() or True)

        self.wait(click, message=f"nothing to click at {selector}")

    def accessible_name(self, selector: str) -> str:
        """The name Chromium's accessibility tree gives the first element matching `selector` (what a screen
        reader says), computed by the browser rather than read back from the attributes."""
        root = self.driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = self.driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        tree = self.driver.execute_cdp_cmd("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
        return tree["nodes"][0].get("name", {}).get("value", "")

    def visible(self, element_id: str) -> bool:
        return self.by_id(element_id).is_displayed()

    # -- actions --------------------------------------------------------------

    def open(self, tab: str = "dashboard") -> "Page":
        self.driver.get(f"{self.base_url}/#{tab}")
        self.wait(lambda d: d.find_element("css selector", "body").get_attribute("data-ready") == "true",
                  message="the page's script never finished starting")
        return self

    def tab(self, name: str) -> None:
        self.by_id(f"tab-{name}").click()
        self.wait(lambda _: self.visible(f"panel-{name}"), message=f"the {name} tab never showed")

    def settings_section(self, name: str) -> None:
        """Open a section of the Settings tab (General, Scanning, Sonarr & Radarr, ...) by its button."""
        self.click_first(f'#settings-sections [data-section="{name}"]')
        self.wait(lambda _: self.css(f'#settings-sections [data-section="{name}"][aria-current="true"]'),
                  message=f"the settings section {name!r} never showed")

    def reveal_setting(self, element_id: str) -> None:
        """A field of Settings is typed into once its section is open: open it as a user would, if need be."""
        section = self.driver.execute_script(
            "const n = document.getElementById(arguments[0]);"
            "const s = n && n.closest('[data-settings-section]');"
            "return s && s.hidden ? s.dataset.settingsSection : null;", element_id)
        if section:
            self.settings_section(section)

    def select(self, element_id: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        self.reveal_setting(element_id)
        # Through wait(): a list that redraws its filters may replace the select (or its options) meanwhile.
        self.wait(lambda _: Select(self.by_id(element_id)).select_by_value(value) or True,
                  message=f"no option {value!r} to choose in {element_id}")

    def fill(self, element_id: str, text: str) -> None:
        self.reveal_setting(element_id)
        field = self.by_id(element_id)
        field.clear()
        field.send_keys(text)

    def tree_node(self, relative_path: str):
        """The tree's <li> of a folder, once it is shown."""
        def find(_):
            nodes = [n for n in self.css("#tree li.tree-node") if n.get_attribute("data-path") == relative_path]
            return nodes[0] if nodes and nodes[0].is_displayed() else False
        return self.wait(find, message=f"folder {relative_path!r} never showed in the tree")

    def wait_tree_loaded(self) -> None:
        self.wait(lambda _: self.by_id("tree").get_attribute("aria-busy") == "false" and self.css("#tree li.tree-node"),
                  message="the folder tree never loaded")

    def wait_scan_finished(self, status: str = "completed", timeout: float = 60) -> None:
        self.wait(lambda _: self.by_id("progress-status").get_attribute("data-status") == status
                  and self.by_id("scan-start").is_enabled(),
                  timeout, f"the scan never reached status {status!r}")

    def findings_rows(self) -> list[dict]:
        """The findings table as the user reads it: the paths whole, as their cells hold them (the folder
        before a name may be shortened on screen, or left to the tooltip on a phone: see format.js namedPath)."""
        rows = []
        for row in self.css("#findings-body tr.finding-row"):
            cells = row.find_elements("css selector", "td")
            rows.append({"category": cells[0].text, "path": cells[1].get_attribute("textContent"),
                         "target": cells[2].get_attribute("textContent"), "detail": cells[3].text})
        return rows

    def wait_findings(self, expected_count: int | None = None, timeout: float = WAIT_SECONDS) -> list[dict]:
        """Wait until the findings table is shown and settled (with this many rows, when given)."""
        def ready(_):
            block = self.by_id("findings-block")
            if not block.is_displayed() or block.get_attribute("aria-busy") != "false":
                return False
            rows = self.findings_rows()
            if expected_count is not None and len(rows) != expected_count:
                return False
            return rows or True
        shown = self.wait(ready, timeout, f"the findings table never showed {expected_count} rows")
        # The rows read inside the wait: reading them again could meet a re-render.
        return shown if isinstance(shown, list) else []

    def viewport(self, width: int, height: int, phone: bool = False) -> None:
        """Lay the page out as on a screen of width x height CSS pixels (a phone: touch-sized, mobile viewport)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": phone})

    def screenshot(self, directory: Path, name: str) -> Path:
        """A PNG of the whole page (not only the window), saved as directory/name.png."""
        import base64

        if self.size_name and not name.endswith(self.size_name):
            name = f"{name}-{self.size_name}"  # the same test at desktop and phone sizes
        path = directory / f"{name}.png"
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        })
        path.write_bytes(base64.b64decode(shot["data"]))
        extra = os.environ.get("LINKDOCTOR_SCREENSHOTS")
        if extra:
            Path(extra).mkdir(parents=True, exist_ok=True)
            (Path(extra) / path.name).write_bytes(path.read_bytes())
        return path


@pytest.fixture
def page(browser, live_server, tmp_path) -> Page:
    return Page(browser, live_server, artifacts=tmp_path)


def page_on_shared_server(driver, base_url: str, artifacts: Path) -> Page:
    """A Page on a server the tabs of earlier tests visited too (a module's shared app, tests/support/apps.py):
    that origin's storage (the Dashboard's offline copy in localStorage) cleared first, as a new browser has it."""
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": base_url, "storageTypes": "all"})
    return Page(driver, base_url, artifacts=artifacts)
