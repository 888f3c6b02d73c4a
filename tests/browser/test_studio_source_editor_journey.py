"""The source editor in Chromium (issue 13): line numbers that follow the box, each problem a
link that puts the caret on its line, hints for the line under the caret, Tab left alone; and a
2 MB draft numbered without lag."""

import re

import pytest
from playwright.sync_api import Page, expect

from eduapp.accounts.models import Role
from eduapp.content.models import DocumentKind
from eduapp.studio import revisions
from eduapp.transaction import unit_of_work
from tests.browser.test_studio_journeys import LIVE_CHECK_MS, sign_in
from tests.studio.test_studio_source_editor import PORTER_LINE, SOURCE

pytestmark = pytest.mark.browser

SLUG = "night-handover"
EDITOR = f"/studio/scenario/{SLUG}"
#: Enough text in the ending for the box to scroll (it shows about 28 lines).
LONG = SOURCE.replace("What happened.\n", "".join(f"Line {n} of the story.\n" for n in range(80)))
CHOICE_LINE = LONG.splitlines().index("[[Listen first -> heard]]") + 1


@pytest.fixture
def editor(page: Page, make_user) -> Page:
    educator = make_user(Role.PATIENT_EDUCATOR)
    with unit_of_work():
        document = revisions.create_document(
            educator, DocumentKind.SCENARIO, SLUG, "The night handover", "patient educator"
        )
        revisions.save_merging(educator, document, 1, LONG, "A porter and a long ending")
    sign_in(page, educator)
    page.goto(EDITOR)
    return page


def numbers(page: Page) -> list[str]:
    return page.locator(".source-numbers").evaluate("el => el.textContent.split('\\n')")


#: For each number in the gutter: where it is drawn, and where the box draws that line (its
#: border, its padding, the lines above, less what is scrolled away), in pixels from the top.
LEVELS = """el => {
  const style = getComputedStyle(el), box = el.getBoundingClientRect();
  const text = document.querySelector('.source-numbers').firstChild, levels = [];
  let at = 0;
  for (const number of text.data.split('\\n')) {
    const range = document.createRange();
    range.setStart(text, at); range.setEnd(text, at + number.length);
    const n = Number(number.trim());
    const drawn = range.getBoundingClientRect().top;
    const line = box.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop)
      + (n - 1) * parseFloat(style.lineHeight) - el.scrollTop;
    if (drawn >= box.top && drawn < box.bottom) { levels.push([n, drawn - line]); }
    at += number.length + 1;
  }
  return levels;
}"""


def shown(page: Page) -> list[int]:
    """The numbers in the gutter, in order."""
    return [int(n) for n in numbers(page)]


def level(page: Page) -> list[int]:
    """The numbers the gutter shows inside the box; each must sit level with its line."""
    levels = page.locator("#source").evaluate(LEVELS)
    # Text sits in its line box a little below the box's top, the same in both: compare offsets.
    offsets = {round(offset) for _, offset in levels}
    assert len(offsets) == 1 and abs(offsets.pop()) <= 4, levels
    return [n for n, _ in levels]


def start_of(line: int) -> int:
    """Where a line of LONG starts, as a textarea's selectionStart."""
    return len("\n".join(LONG.splitlines()[: line - 1])) + 1


def caret(page: Page) -> dict:
    return page.locator("#source").evaluate(
        """el => ({focused: document.activeElement === el, at: el.selectionStart,
                   line: el.value.slice(0, el.selectionStart).split('\\n').length,
                   top: el.scrollTop})"""
    )


def test_line_numbers_links_and_hints(editor: Page, axe_check, screenshot_widths):
    page = editor
    source = page.locator("#source")
    lines = LONG.count("\n") + 1

    # Line numbers: the lines in view, hidden from screen readers, level with the box's lines.
    gutter = page.locator(".source-gutter")
    expect(gutter).to_have_attribute("aria-hidden", "true")
    in_view = level(page)
    assert in_view[0] == 1 and 25 <= len(in_view) <= 30
    assert shown(page) == list(range(1, len(shown(page)) + 1))
    box, numbered = source.bounding_box(), gutter.bounding_box()
    assert numbered["height"] == pytest.approx(box["height"], abs=1)  # never taller than the box
    expect(source).to_have_accessible_name("Source of the scenario")

    # ... and they follow its scrolling, to the last line.
    source.evaluate("el => { el.scrollTop = 600; }")
    page.wait_for_function("() => document.querySelector('.source-numbers').textContent[0] !== '1'")
    assert 25 <= level(page)[0] <= 30  # some 600 px of lines scrolled away
    source.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    page.wait_for_function(
        f"() => document.querySelector('.source-numbers').textContent.endsWith('{lines}')"
    )
    assert level(page)[-1] == lines
    source.evaluate("el => { el.scrollTop = 0; }")

    # A problem's line is a link: the caret goes to the start of that line, in view, focused.
    problem = page.locator("#problems li", has_text="porter")
    expect(problem).to_contain_text(f"line {PORTER_LINE}, in node 'opening':")
    problem.get_by_role("link", name=f"line {PORTER_LINE}").click()
    at = caret(page)
    assert at["focused"] and at["line"] == PORTER_LINE
    assert at["at"] == start_of(PORTER_LINE)
    status = page.locator(".source-position")
    expect(status).to_contain_text(f"Line {PORTER_LINE}, in node 'opening'. A choice")
    spoken = page.locator(".source-status [aria-live=polite]")
    expect(spoken).to_have_text(re.compile(rf"^Line {PORTER_LINE}, in node 'opening'\. A choice"))

    # Hints follow the caret: the choice's effects name the declared variables.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(status).to_contain_text(f"Line {PORTER_LINE - 2}")
    expect(status).to_contain_text("Variables declared: voice.")
    page.keyboard.press("ArrowUp")
    expect(status).to_contain_text("A choice: the label learners see, then -> and the target")
    expect(status).to_contain_text("(here 'heard')")

    # In the header: its lines, and the variables' syntax.
    source.evaluate("el => el.setSelectionRange(0, 0)")
    for _ in range(6):
        page.keyboard.press("ArrowDown")
    expect(status).to_have_text(
        "Line 7, in the header. A variable: var name = value | "
        "description (a whole number, or true or false)."
    )
    expect(spoken).to_contain_text("Line 7, in the header.")
    at = start_of(CHOICE_LINE)
    source.evaluate(f"el => el.setSelectionRange({at}, {at})")

    # Typing a line adds its number; the live list links its problems to their lines too.
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("[[Call the registrar -> registrar]]")
    source.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(page.locator(".source-numbers")).to_contain_text(f"\n{lines + 1}")
    live = page.locator("#problems li", has_text="registrar")
    expect(live).to_contain_text(
        f"line {CHOICE_LINE + 1}, in node 'opening':", timeout=LIVE_CHECK_MS
    )
    source.evaluate("el => { el.setSelectionRange(0, 0); el.scrollTop = 0; el.blur(); }")
    live.get_by_role("link", name=f"line {CHOICE_LINE + 1}").click()
    assert caret(page)["focused"] and caret(page)["line"] == CHOICE_LINE + 1

    # The box keeps a textarea's Tab: it leaves the box, it types nothing.
    typed = source.input_value()
    page.keyboard.press("Tab")
    assert not caret(page)["focused"] and source.input_value() == typed

    # A problem far down: the box scrolls its line into view.
    source.fill(LONG + "\n:: late | Late\n\nText.\n\n[[Back -> nowhere]]\n")
    far = page.locator("#problems li", has_text="'nowhere'")
    expect(far).to_be_visible(timeout=LIVE_CHECK_MS)
    far.get_by_role("link").click()
    at = caret(page)
    line_height = source.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    visible = source.evaluate("el => el.clientHeight")
    assert at["top"] <= (at["line"] - 1) * line_height <= at["top"] + visible - line_height
    assert at["line"] in level(page)

    page.locator(".source-cheats summary").click()
    expect(page.locator(".cheat-list")).to_contain_text("the id of the node it leads to")
    axe_check(page)
    screenshot_widths(page, "studio-source-editor")


def test_a_two_megabyte_draft_is_numbered_to_its_last_line(editor: Page):
    page = editor
    source = page.locator("#source")
    # About 2 MB in 72,000 lines: the gutter holds only the numbers in view, level to the end.
    lines = source.evaluate(
        """el => {
             const body = Array.from({length: 72000}, (_, n) => `Line ${n} of a long story.`);
             el.value = el.value.replace('What the learner sees first.', body.join('\\n'));
             el.dispatchEvent(new Event('input'));
             return el.value.split('\\n').length;
           }"""
    )
    assert source.evaluate("el => el.value.length") > 1_900_000
    source.evaluate("el => { el.scrollTop = el.scrollHeight; }")
    page.wait_for_function(
        f"() => document.querySelector('.source-numbers').textContent.endsWith('{lines}')"
    )
    assert len(numbers(page)) < 40  # not 72,000 numbers to lay out at every new line
    assert level(page)[-1] == lines  # no drift after 72,000 lines
    assert shown(page)[0] > 71_000
    source.evaluate("el => { el.scrollTop = el.scrollHeight / 2; }")
    page.wait_for_function(
        f"() => !document.querySelector('.source-numbers').textContent.endsWith('{lines}')"
    )
    assert 30_000 < level(page)[0] < 40_000
