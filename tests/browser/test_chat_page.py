"""The web chat page in a real browser: the system's Chromium, driven by Playwright, on a
phone-sized viewport, against the Flask app served over real HTTP with a fake Rasa behind it."""

from __future__ import annotations

import pytest

from bot.texts import text

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}  # a common cheap Android phone, in CSS pixels

playwright_sync = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (requirements.lock has it)"
)
expect = playwright_sync.expect


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="es-MX", is_mobile=True, has_touch=True)
    yield context
    context.close()


def _send(page, words: str, label: str, button: str) -> None:
    page.get_by_label(label).fill(words)
    page.get_by_role("button", name=button).click()


def _fits_the_screen(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"


def test_a_family_chats_reloads_and_still_sees_the_thread(phone, live_url):
    page = phone.new_page()
    page.goto(live_url + "/chat")
    expect(page.locator("html")).to_have_attribute("lang", "es")

    _send(page, "hola, donde queda markham?", "Su mensaje", "Enviar")
    replies = page.locator("#thread .msg.out .body")
    expect(replies).to_have_text(["[es] you said: hola, donde queda markham?"])
    expect(page.get_by_label("Su mensaje")).to_have_value("")
    _fits_the_screen(page)

    page.reload()
    expect(page.locator("#thread .msg .body")).to_have_text(
        ["hola, donde queda markham?", "[es] you said: hola, donde queda markham?"]
    )

    # The toggle changes the page's words, not the thread.
    page.get_by_role("link", name="English").click()
    expect(page.get_by_label("Your message")).to_be_visible()
    expect(page.locator("#thread .msg")).to_have_count(2)
    _send(page, "a" * 300 + " long words never widen the page", "Your message", "Send")
    expect(replies).to_have_count(2)
    _fits_the_screen(page)

    box = page.get_by_role("button", name="Send").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # a thumb, not a mouse


def test_another_visitor_starts_with_an_empty_thread(browser, phone, live_url):
    first = phone.new_page()
    first.goto(live_url + "/chat")
    _send(first, "hola", "Su mensaje", "Enviar")
    expect(first.locator("#thread .msg.out")).to_have_count(1)

    stranger = browser.new_context(viewport=PHONE, locale="en-US")
    try:
        page = stranger.new_page()
        page.goto(live_url + "/chat")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#empty")).to_be_visible()
        expect(page.locator("#thread .msg")).to_have_count(0)
    finally:
        stranger.close()


def test_when_the_bot_is_down_the_apology_is_shown(phone, live_url, fake_rasa):
    fake_rasa.close()
    page = phone.new_page()
    page.goto(live_url + "/chat")
    _send(page, "necesito ayuda con mi hijo por favor", "Su mensaje", "Enviar")
    expect(page.locator("#thread .msg.out .body")).to_have_text(
        [text("apology_bot_unavailable", "es")], timeout=15_000
    )


def test_the_phone_simulator_texts_as_a_number_and_shows_the_thread(phone, live_url):
    page = phone.new_page()
    page.goto(live_url + "/simulator?phone=%2B13235550177")
    page.locator("#text").fill("donde queda gompers?")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#thread .body")).to_have_text(
        ["donde queda gompers?", "[es] you said: donde queda gompers?"]
    )
    expect(page.locator("#empty")).to_be_hidden()
    _fits_the_screen(page)
    box = page.get_by_role("button", name="Send").bounding_box()
    assert box["height"] >= 44  # the shared controls.css applies here too
