"""The dashboard in a real browser: headless Debian chromium, driven by Selenium through
/usr/bin/chromedriver, against a whole `velocity dev` stack (see stack.py).

Each check prints one line; the first failure stops the run with its reason and a screenshot.
Run through ops/browser-test.sh (ops/test.sh runs it after `swift test`)."""

import os
import signal
import sys
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stack import ROOT, RUN_DIR, Stack  # noqa: E402

SHOTS = os.path.join(RUN_DIR, "screenshots")


class Browser:
    def __init__(self, stack, width=1280, height=860):
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         f"--window-size={width},{height}", "--lang=en-US", "--disable-extensions"]:
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.stack = stack

    def quit(self):
        self.driver.quit()

    def open(self, hash_path):
        self.driver.get(self.stack.base + "/" + hash_path)

    def go(self, hash_path):
        """Moves inside the page, as a click on a link would: no reload."""
        self.driver.execute_script("window.location.hash = arguments[0]", hash_path)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css):
        found = self.all(css)
        return found[0].text if found else None

    def until(self, what, check, seconds=30):
        deadline = time.time() + seconds
        last_error = None
        while time.time() < deadline:
            try:
                result = check()
                if result:
                    return result
            except (StaleElementReferenceException, JavascriptException, IndexError, KeyError) as error:
                last_error = error
            time.sleep(0.2)
        raise AssertionError(f"timed out after {seconds} s waiting for {what}" + (f" ({last_error})" if last_error else ""))

    def console_errors(self, allowed=()):
        """The page's console errors since the last call, less those matching an allowed text."""
        entries = self.driver.get_log("browser")
        return [entry["message"] for entry in entries
                if entry["level"] in ("SEVERE", "WARNING") and not any(text in entry["message"] for text in allowed)]

    def screenshot(self, name):
        """The whole page, not only the window: the window grows to the page's height for it."""
        os.makedirs(SHOTS, exist_ok=True)
        time.sleep(0.3)  # let charts and images settle
        size = self.driver.get_window_size()
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size["width"], min(max(height + 120, size["height"]), 2600))
        time.sleep(0.2)
        self.driver.save_screenshot(os.path.join(SHOTS, name + ".png"))
        self.driver.set_window_size(size["width"], size["height"])

    def sign_in(self, key):
        self.open("")
        self.until("the sign-in form", lambda: self.all("#signin"))
        field = self.find("#token")
        field.clear()
        field.send_keys(key)
        self.find("#signin-submit").click()
        return self.until("signed in", lambda: self.text("#whoami"))


def check(name):
    print(f"ok - {name}", flush=True)


def main():
    # A TERM (CI cancelling, ops/test.sh's trap) unwinds like Ctrl-C, so the stack is stopped.
    def terminate(*_):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, terminate)
    stack = Stack()
    browser = None
    try:
        stack.start()
        check(f"velocity dev is up on {stack.base} with a box of 2 emulated GPUs")
        browser = Browser(stack)
        run(stack, browser)
        print("browser tests passed")
        return 0
    except (Exception, KeyboardInterrupt):
        traceback.print_exc()
        if browser is not None:
            try:
                browser.screenshot("failure")
                print(f"screenshot of the failure: {SHOTS}/failure.png; console: {browser.console_errors()}")
            except Exception:
                pass
        print(f"stack log: {RUN_DIR}/dev.log", file=sys.stderr)
        return 1
    finally:
        if browser is not None:
            browser.quit()
        stack.stop()


def run(stack, browser):
    # Signing in: a bad key is refused on the form, the operator's key gets in.
    browser.open("")
    browser.until("the sign-in form", lambda: browser.all("#signin"))
    browser.find("#token").send_keys("not-a-key")
    browser.find("#signin-submit").click()
    browser.until("the refusal of a bad key", lambda: "unknown or revoked API key" in browser.driver.page_source)
    assert not browser.all("#whoami") or not browser.text("#whoami")
    browser.console_errors()  # the refused sign-in's 401 is expected in the console
    whoami = browser.sign_in(stack.key)
    assert "dev" in whoami and "operator" in whoami, whoami
    check("sign in: a bad key is refused with the API's message; the operator key shows tenant and role")

    # Overview: every queue, its charts and the box.
    browser.go("#/overview")
    browser.until("the queue table", lambda: browser.all('#overview-queues tr[data-queue="media"]'))
    assert browser.all('#overview-queues tr[data-queue="llm"]') and browser.all('#overview-queues tr[data-queue="cpu"]')
    browser.until("the queues' charts", lambda: browser.all("svg"))
    browser.until("the dead-letter count", lambda: browser.text("#dead-count") is not None)
    browser.screenshot("overview")
    assert browser.console_errors() == [], browser.console_errors()
    check("overview: every queue with charts, the dead-letter count; no console error")

    # A render goes from queued to succeeded on the Jobs page, live, without a reload.
    browser.go("#/jobs")
    browser.until("the jobs table", lambda: browser.all("#jobs-table"))
    browser.driver.execute_script("window.__noReload = true")
    # The queue is paused while the render is submitted, so the page must show it queued first.
    assert stack.json("POST", "/v1/queues/media/pause")[0] == 200
    job_id = stack.render()
    row = f'#jobs-table tr[data-job-id="{job_id}"]'
    seen = set()
    browser.until("the render's row, queued", lambda: (browser.text(row + " td.status") or "").strip() == "queued", 30)
    assert stack.json("POST", "/v1/queues/media/resume")[0] == 200

    def succeeded():
        status = browser.text(row + " td.status")
        if status:
            seen.add(status.strip())
        return status and status.strip() == "succeeded"

    browser.until("the render's row to reach succeeded", succeeded, 60)
    assert browser.driver.execute_script("return window.__noReload === true"), "the page reloaded"
    browser.screenshot("jobs")
    check(f"jobs: a render's row went {sorted(seen)} without a reload")

    # Its page: the timeline, the photo and the render side by side.
    browser.find(row + " a.job-link").click()
    browser.until("the job page", lambda: (browser.text("#job-status") or "").strip() == "succeeded")
    browser.until("the timeline", lambda: len(browser.all("#job-timeline li")) >= 1)

    def loaded(css):
        return browser.driver.execute_script(
            "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0", css)

    browser.until("the render image", lambda: loaded("img#job-render"))
    browser.until("the uploaded photo", lambda: loaded("img#job-photo"))
    assert browser.driver.execute_script("return document.querySelector('img#job-photo').naturalWidth") == 64
    browser.screenshot("job")
    assert browser.console_errors() == [], browser.console_errors()
    check("job page: status, timeline, the photo and the render side by side")

    # A job followed live on its page, from queued to the end.
    second = stack.render()
    browser.go(f"#/jobs/{second}")
    browser.until("the second job to end on its page", lambda: (browser.text("#job-status") or "").strip() == "succeeded", 60)
    steps = [li.text for li in browser.all("#job-timeline li")]
    assert len(steps) >= 2, steps
    check(f"job page follows the event stream: {len(steps)} timeline entries")

    # Batches: an OpenAI batch waits for LLM capacity (the box is in media mode) with its window's risk;
    # so does a synthetic job with a window of its own.
    batch = stack.batch(3)
    status, synthetic = stack.json("POST", "/api/oracle/component-templates/synthetic-jobs", {
        "template_id": "kpi_tile", "count": 2, "completion_window": "6h",
        "schema": {"type": "object", "properties": {"label": {"type": "string"}}, "required": ["label"]}})
    assert status == 202, (status, synthetic)
    browser.go("#/batches")
    browser.until("the batches tables", lambda: browser.all("#batches-table") and browser.all("#synthetic-table"))

    def window_cell():
        cell = browser.all(f'#batches-table tr[data-batch-id="{batch}"] td.window')
        return cell[0].text if cell else ""

    def synthetic_window():
        cell = browser.all(f'#synthetic-table tr[data-synthetic-id="{synthetic["id"]}"] td.window')
        return cell[0].text if cell else ""

    browser.until("the batch's window", lambda: window_cell().startswith("on track, expires "), 60)
    browser.until("the synthetic job's window", lambda: synthetic_window().startswith("on track, expires "), 60)
    browser.screenshot("batches")
    assert browser.console_errors() == [], browser.console_errors()
    check(f"batches: the OpenAI batch waits in its window ({window_cell()}); the synthetic job too ({synthetic_window()})")

    # GPU box: a card per GPU; switching to split asks first, then the cards follow.
    browser.go("#/gpus")
    browser.until("2 GPU cards", lambda: len(browser.all(".gpu-card")) == 2)
    # The operator's mode advice: a verdict and a row per mode, as the gateway advises.
    browser.until("the mode advice", lambda: len(browser.all("#mode-advice table.advice-options tbody tr")) == 3)
    advised = stack.json("GET", "/v1/ops/mode/advice")[1]["data"][0]["recommended"]
    verdict = browser.text("#mode-advice .advice-verdict") or ""
    assert verdict.endswith(advised), (verdict, advised)
    assert browser.all("#mode-advice .advice-reasons li"), "no reasons shown"
    # The targets the advice planned for: the box's own (its agent's mode_targets).
    targets = browser.text("#mode-advice .advice-targets") or ""
    assert targets.startswith("Targets (the box's mode_targets): a new render starts within "), targets
    # The box's autopilot: off until an operator turns it on here.
    assert browser.text("#mode-advice .autopilot-state").startswith("off"), browser.text("#mode-advice .autopilot-state")
    browser.find("#mode-advice .autopilot-toggle").click()
    browser.until("the autopilot on", lambda: (stack.json("GET", "/v1/gpus")[1]["data"][0].get("autopilot") or {}).get("enabled")
                  and (browser.text("#mode-advice .autopilot-state") or "").startswith("on"))
    browser.screenshot("gpus")
    Select(browser.find("#mode-select")).select_by_value("split")
    browser.find("#mode-switch").click()
    dialog = browser.until("the confirmation", lambda: browser.driver.execute_script(
        "const d = document.querySelector('dialog#mode-confirm'); return d && d.open ? d.innerText : null"))
    assert "split" in dialog and "running" in dialog, dialog
    browser.find("#mode-confirm-yes").click()

    def split():
        cards = browser.all(".gpu-card")
        modes = " ".join(card.text for card in cards)
        return "llm" in modes and stack.json("GET", "/v1/gpus")[1]["data"][0]["mode"] == "split"

    browser.until("the box and its cards in split mode", split, 120)
    # The operator's explicit mode took control from the autopilot.
    autopilot = stack.json("GET", "/v1/gpus")[1]["data"][0]["autopilot"]
    assert autopilot["enabled"] is False and "chose split mode" in (autopilot.get("note") or ""), autopilot
    browser.until("the autopilot shown off", lambda: (browser.text("#mode-advice .autopilot-state") or "").startswith("off"))
    browser.screenshot("gpus-split")
    assert browser.console_errors() == [], browser.console_errors()
    check("GPU box: 2 cards, the mode advice and its autopilot; the switch to split was confirmed (turning the "
          "autopilot off), and the cards followed")

    # A dead job: a poisoned render fails (out of memory) on every attempt.
    stack.set_faults({"mode": "fail", "failure": "oom", "poison": "doomed", "count": None})
    doomed = stack.render(style="doomed baroque")
    stack.wait("the poisoned render to go dead", lambda: stack.job(doomed)["status"] == "dead", 120)
    stack.set_faults(None)
    browser.go("#/dead")
    dead_row = f'#dead-table tr[data-job-id="{doomed}"]'
    browser.until("the dead job's row", lambda: browser.all(dead_row))
    browser.screenshot("dead-letters")
    browser.find(dead_row + " button.replay").click()
    stack.wait("the replayed job to succeed", lambda: stack.job(doomed)["status"] == "succeeded", 90)
    assert browser.console_errors() == [], browser.console_errors()
    check("dead letters: the dead render is listed; replay ran it again to success")

    # Fair share: two tenants' queued jobs with their weights and expected shares, a cap at its
    # limit; the operator edits the limits in place, and a refused rule changes nothing.
    assert stack.json("POST", "/v1/queues/cpu/pause")[0] == 200
    limits = {"weights": {"dev": 2}, "caps": {"tenant:*": 3, "kind:cpu.task": 5},
              "rates": {"queue": {"count": 100, "interval_ms": 60000}}}
    assert stack.json("PUT", "/v1/queues/cpu/limits", limits)[0] == 200
    fair_b = stack.create_key("fair-b")
    for key, count in [(stack.key, 3), (fair_b, 2)]:
        for _ in range(count):
            assert stack.json("POST", "/v1/jobs", {"kind": "cpu.task", "payload": {}}, key=key)[0] == 202
    browser.go("#/fairness")
    tenants = "#fair-tenants-cpu tr[data-tenant]"

    def tenant_cells():
        return {row.get_attribute("data-tenant"): [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")]
                for row in browser.all(tenants)}

    browser.until("both tenants' rows", lambda: tenant_cells().get("dev", [""])[0] == "3"
                  and tenant_cells().get("fair-b", [""])[0] == "2")
    cells = tenant_cells()
    assert cells["dev"] == ["3", "2", "67%", "0", "3"], cells
    assert cells["fair-b"] == ["2", "1", "33%", "0", "3"], cells
    subject = browser.find('#fair-subjects-cpu tr[data-subject="queue"] td.rate').text
    assert subject == "100 per minute", subject
    assert browser.find('#fair-subjects-cpu tr[data-subject="kind:cpu.task"] td.cap').text == "5"
    browser.find('section.fair-card[data-queue="cpu"] details.limits-editor summary').click()
    editor = browser.find("#fair-limits-cpu")
    editor.clear()
    editor.send_keys('{"caps": {"tenants:dev": 1}}')
    browser.find('section.fair-card[data-queue="cpu"] button.save-limits').click()
    refusal = browser.until("the refusal", lambda: browser.text("#fair-error-cpu"))
    assert "caps.tenants:dev" in refusal, refusal
    assert stack.json("GET", "/v1/queues/cpu/limits")[1]["caps"] == limits["caps"], "a refused rule changed the limits"
    browser.console_errors(allowed=("422",))  # the refused PUT
    editor.clear()
    editor.send_keys('{"caps": {"tenant:*": 1}}')
    browser.find('section.fair-card[data-queue="cpu"] button.save-limits').click()
    browser.until("the save", lambda: "saved" in (browser.text("#fair-status-cpu") or ""))
    assert stack.json("GET", "/v1/queues/cpu/limits")[1] == {"weights": {}, "caps": {"tenant:*": 1}, "rates": {},
                                                             "fair": True}
    browser.until("the new cap in the tenants' rows", lambda: tenant_cells().get("dev", ["", "", "", "", ""])[4] == "1")
    assert not browser.all("#fair-error-cpu") or not browser.find("#fair-error-cpu").is_displayed()
    browser.screenshot("fair-share")
    assert browser.console_errors() == [], browser.console_errors()
    assert stack.json("PUT", "/v1/queues/cpu/limits", {})[0] == 200
    assert stack.json("POST", "/v1/queues/cpu/resume")[0] == 200
    check("fair share: two tenants with weights 2:1 show 67%/33%, caps and rates listed; a refused edit changed "
          "nothing, a saved one took effect")

    # CRM imports: a HubSpot export is reviewed on its screen, approved by a bulk rule, committed.
    import_id = stack.crm_import(os.path.join(ROOT, "Tests/CRMImportTests/Fixtures/hubspot_contacts.csv"))
    crm_status = lambda: stack.json("GET", f"/api/crm/imports/{import_id}")[1]["status"]  # noqa: E731
    stack.wait("the import to wait for review", lambda: crm_status() == "in_review", 120)
    browser.go("#/crm")
    browser.until("the import in the list", lambda: browser.all(f'#crm-table tr[data-batch-id="{import_id}"]'))
    browser.screenshot("crm-imports")
    browser.find(f'#crm-table tr[data-batch-id="{import_id}"] a.crm-link').click()
    browser.until("the proposals", lambda: browser.all("#crm-proposals article.proposal"))
    browser.until("the mapping manifest", lambda: browser.all("#crm-mapping tr[data-column]"))
    browser.screenshot("crm-review")
    confidence = browser.find("#crm-bulk-min-confidence")
    confidence.clear()
    confidence.send_keys("0")
    browser.find("#crm-bulk-submit").click()
    browser.until("the bulk rule's outcome", lambda: "decided" in (browser.text("#crm-bulk-status") or ""))
    browser.until("commit enabled", lambda: browser.find("#crm-commit").is_enabled())
    decided = int((browser.text("#crm-bulk-status") or "0").split()[0])
    browser.find("#crm-commit").click()

    def committed():
        batch = stack.json("GET", f"/api/crm/imports/{import_id}")[1]
        # Proposals left pending (with candidates or conflicts) keep the batch in review.
        counts = batch.get("proposal_counts") or {}
        return batch["status"] in ("in_review", "committed") and counts.get("committed", 0) > 0

    stack.wait("the approved proposals to be committed", committed, 120)
    browser.until("the screen to show them committed", lambda: browser.all("#crm-proposals .proposal")
                  and "committed" in browser.find("#crm-proposals").text)
    assert browser.console_errors() == [], browser.console_errors()
    check(f"CRM imports: a HubSpot export reviewed on its screen, {decided} proposals approved by a bulk rule and committed")

    # Another tenant sees neither the job nor its row.
    other = stack.create_key("other-tenant")
    browser.go("#/overview")
    browser.find("#signout").click()
    browser.until("signed out", lambda: browser.all("#signin"))
    who = browser.sign_in(other)
    assert "other-tenant" in who and "submitter" in who, who
    browser.go(f"#/jobs/{job_id}")
    message = browser.until("the refusal", lambda: browser.text("#job-error"))
    assert "not found" in message.lower(), message
    assert not browser.all("img#job-render")
    browser.console_errors(allowed=("404",))  # the refused read
    browser.go("#/jobs")
    browser.until("the jobs table", lambda: browser.all("#jobs-table"))
    time.sleep(2.5)  # one refresh
    assert not browser.all(row), "another tenant's job is listed"
    assert not browser.all("#mode-form") or not browser.find("#mode-form").is_displayed()
    assert browser.console_errors() == [], browser.console_errors()
    check("another tenant: the job is refused (404) and not listed")

    # An iPad's screen.
    browser.driver.set_window_size(1024, 768)
    browser.go("#/overview")
    browser.until("the queue table", lambda: browser.all('#overview-queues tr[data-queue="media"]'))
    width = browser.driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 1024, f"the page is {width} px wide on a 1024 px screen"
    browser.screenshot("overview-ipad")
    check("1024x768: no horizontal scrolling")


if __name__ == "__main__":
    sys.exit(main())
