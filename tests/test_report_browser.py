"""The HTML report in a real browser: headless Chromium (Debian's `chromium`, with
`fonts-noto-cjk` for the Japanese), driven by playwright's Python package.

Every request that is not `file:` is aborted and recorded: the report must make none. The
page must log no console error; its verdict, counts and findings are the run's; each chart
has one mark per indicator (per total); nothing overflows the page sideways; printing to
PDF gives pages. Screenshots of the first screen and of one document are written to
`test-artifacts/` (ignored by git) for a person to look at.

Without chromium or playwright (`pip install -e '.[browser]'`, `apt-get install chromium
fonts-noto-cjk`) every test here is skipped with the reason; `.ci/run` installs both and sets
PLANCHECK_REQUIRE_BROWSER=1, where a missing browser fails instead of skipping. The HTML is
still checked without a browser by tests/test_html_report.py.
"""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from checker.cli import main
from checker.diagnostics import Severity, render_arg
from checker.report.html import verdict, verdict_counts
from tests.conftest import ROOT
from tests.test_html_report import stated_sums

pytestmark = pytest.mark.slow  # starts a browser

CHROMIUM = os.environ.get("PLANCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
FIXTURE = ROOT / "tests/data/report/evaluation.yaml"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[browser]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason is not None:
        if os.environ.get("PLANCHECK_REQUIRE_BROWSER"):
            pytest.fail(f"PLANCHECK_REQUIRE_BROWSER is set, but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The report of the real plans/ and of the fixture, made by the command line as a
    user makes it (`plancheck --format html -o report.html plans`), and the runs."""
    from click.testing import CliRunner

    from checker.run import RunOptions, run

    folder = tmp_path_factory.mktemp("report")
    made = {}
    for name, path in (("plans", ROOT / "plans"), ("fixture", FIXTURE)):
        output = folder / f"{name}.html"
        result = CliRunner().invoke(main, ["--isolated", "--no-cache", "--lang", "ja", "--format", "html",
                                           "-o", str(output), str(path)], catch_exceptions=False)
        assert result.exit_code == 1 and output.exists(), result.output
        made[name] = (output, run(RunOptions(paths=(str(path),), isolated=True, no_cache=True, lang="ja",
                                             keep_files=True)))
    return made


class Page:
    """A page that may only read files: every other request is aborted and recorded, and
    every console error and page error kept."""

    def __init__(self, browser, width: int = 1200, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height}, offline=True)
        self.page = self.context.new_page()
        self.left: list[str] = []
        self.errors: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            self.left.append(url)
            route.abort()

    def open(self, path: Path):
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser):
    opened = Page(browser)
    yield opened
    opened.close()


def test_the_report_opens_offline_fetches_nothing_and_logs_no_error(page, made):
    for path, _ in made.values():
        page.open(path)
    assert page.left == [] and page.errors == []


def test_the_first_screen_states_the_runs_verdict_and_counts(page, made):
    path, result = made["plans"]
    view = page.open(path)
    kinds = {rule.code: rule.kind for rule in result.ruleset.enabled()}
    from checker.report import ReportContext

    expected = verdict(result.diagnostics, ReportContext(lang="ja", relations=result.relations), kinds)
    counts = verdict_counts(result.diagnostics, kinds)
    assert view.inner_text("#verdict") == expected
    assert expected.startswith(f"重大な不整合 {counts['serious']} 件、丸め誤差の可能性 {counts['rounding']} 件")
    # the verdict is on the first screen, in view, and the counts beside it
    box = view.locator("#verdict").bounding_box()
    assert box is not None and box["y"] + box["height"] < 900
    for severity in Severity:
        cell = view.locator(f'tr[data-severity="{severity.label}"] td.num').inner_text()
        assert cell == str(sum(1 for d in result.diagnostics if d.severity == severity))
    assert view.locator('tr[data-relations="checked"] td').inner_text() == str(result.relations.checked)
    assert view.locator('tr[data-relations="unchecked"] td').inner_text() == str(len(result.relations.unchecked))
    # 自治体経営方針's 合計 in plain Japanese, first among the findings
    first = view.locator("ol.key-findings li").first.inner_text()
    assert "自治体経営方針" in first and "一致しません" in first and "4,200" in first
    ARTIFACTS.mkdir(exist_ok=True)
    view.screenshot(path=str(ARTIFACTS / "report-first-screen.png"))


def test_every_finding_is_in_the_page_with_its_numbers(page, made):
    for path, result in made.values():
        view = page.open(path)
        articles = view.locator("article.finding")
        assert articles.count() == len(result.diagnostics)
        texts = [articles.nth(index).inner_text() for index in range(articles.count())]
        for d in result.diagnostics:
            numbers = [render_arg(value, "ja") for value in d.args.values()
                       if isinstance(value, (Decimal, int)) and not isinstance(value, bool)]
            assert any(d.message["ja"] in text and f"{d.file}:{d.span.line}:{d.span.column}" in text
                       and all(number in text for number in numbers) for text in texts), d.message["ja"]


def test_the_charts_have_one_mark_per_indicator_and_per_total(page, made):
    path, result = made["fixture"]
    view = page.open(path)
    model = result.files[0].model
    indicators = [i for theme in model.themes for i in theme.indicators]
    assert view.locator("figure.rates svg g.mark").count() == len(indicators)
    totals = len([t for t in model.themes if t.projects]) + sum(stated_sums(table) for table in model.tables)
    assert view.locator("figure.gaps svg g.mark").count() == totals
    assert view.locator("figure[data-indicator]").count() == len(indicators)
    # each bar is drawn where its rate says: 100 % at the dashed line
    line = view.locator("figure.rates line.hundred").bounding_box()
    reached = view.locator("figure.rates g.mark.reached rect").nth(1).bounding_box()  # 100.0 %
    assert line is not None and reached is not None
    assert abs(reached["x"] + reached["width"] - (line["x"] + line["width"] / 2)) < 2
    ARTIFACTS.mkdir(exist_ok=True)
    view.locator("section.document").first.screenshot(path=str(ARTIFACTS / "report-document.png"))


def test_nothing_overflows_the_page_sideways(browser, made):
    for width in (1200, 800):
        opened = Page(browser, width=width)
        try:
            view = opened.open(made["plans"][0])
            overflow = view.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{overflow}px wider than a {width}px window"
        finally:
            opened.close()


def test_japanese_text_is_drawn_with_a_japanese_font(page, made):
    view = page.open(made["plans"][0])
    # the fonts Chromium drew the verdict with (DevTools' CSS.getPlatformFontsForNode): a CJK
    # font, not a fallback's empty boxes
    session = view.context.new_cdp_session(view)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    node = session.send("DOM.querySelector", {"nodeId": root, "selector": "#verdict"})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    assert any("CJK" in font["familyName"] or "JP" in font["familyName"] for font in fonts), fonts


def test_printing_gives_a4_pages_with_each_document_on_its_own(page, made):
    path, _ = made["plans"]
    view = page.open(path)
    view.emulate_media(media="print")
    documents = view.locator("section.document").count()
    assert view.evaluate("getComputedStyle(document.querySelector('section.document')).breakBefore") == "page"
    pdf = view.pdf(format="A4", print_background=True)
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages > documents  # the first screen, then each document from a new page
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.pdf").write_bytes(pdf)
