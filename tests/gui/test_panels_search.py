"""Search panel against the real index: suggestions, results, did-you-mean, filters, keyboard."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThreadPool

from reader.gui.panel_support import HTML_ROLE, PAYLOAD_ROLE
from reader.gui.search_panel import SearchPanel
from reader.gui.search_text import highlight_terms, snippet_html
from reader.search.results import SearchHit, SearchResults, Snippet
from reader.search import Suggestion
from tests.conftest import DATA, SEED_ID

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)

CEASEFIRE = "aftermath/ceasefire-violations"
NEGOTIATIONS = "aftermath/negotiations-and-dissolution-of-artsakh"


@pytest.fixture
def indexed(library):
    library.update_index()
    return library


@pytest.fixture
def panel(qtbot, indexed):
    widget = SearchPanel(indexed)
    qtbot.addWidget(widget)
    widget.resize(380, 600)
    widget.show()
    return widget


def _payloads(view):
    return [view.item(i).data(PAYLOAD_ROLE) for i in range(view.count())]


def test_suggestions_appear_while_typing_with_one_debounced_request(qtbot, panel, indexed, monkeypatch):
    calls = []
    real = indexed.suggest
    monkeypatch.setattr(indexed, "suggest", lambda prefix, limit=10: calls.append(prefix) or real(prefix, limit))
    panel.focus_search()
    with qtbot.waitSignal(panel.suggestions_shown, timeout=WAIT) as shown:
        qtbot.keyClicks(panel.query, "nego")
    assert shown.args[0] >= 1
    assert calls == ["nego"]  # four keystrokes, one request
    labels = [s.label for s in _payloads(panel.suggestions)]
    assert "Negotiations and dissolution of Artsakh" in labels
    assert panel.suggestions.isVisible() and panel.results.isVisible()  # titles and headings above the hits


def test_results_appear_as_you_type_with_one_search_per_pause(qtbot, panel, indexed, monkeypatch):
    calls = []
    real = indexed.search
    monkeypatch.setattr(indexed, "search", lambda query, **kw: calls.append(query) or real(query, **kw))
    panel.focus_search()
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT) as shown:
        qtbot.keyClicks(panel.query, "Asagi Ayrim")  # no Enter
    assert shown.args == [1]
    assert calls == ["Asagi Ayrim"]  # eleven keystrokes, one search
    assert _payloads(panel.results)[1][:2] == (SEED_ID, CEASEFIRE)


def test_an_older_answer_never_replaces_a_newer_one(qtbot, panel, indexed, monkeypatch):
    release, started, returned = threading.Event(), threading.Event(), []
    real = indexed.search

    def search(query, **kw):
        if query == "ceasefire":  # the older query is slow
            started.set()
            release.wait(WAIT / 1000)
        results = real(query, **kw)
        returned.append(query)
        return results

    monkeypatch.setattr(indexed, "search", search)
    qtbot.keyClicks(panel.query, "ceasefire")
    qtbot.waitUntil(started.is_set, timeout=WAIT)
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("genocide")
    newer = _payloads(panel.results)
    release.set()
    qtbot.waitUntil(lambda: "ceasefire" in returned, timeout=WAIT)  # the old answer was computed...
    QThreadPool.globalInstance().waitForDone(WAIT)
    QCoreApplication.sendPostedEvents()  # ...and delivered to the GUI thread...
    QCoreApplication.processEvents()
    assert _payloads(panel.results) == newer  # ...and dropped
    assert panel.query.text() == "genocide"


def test_a_search_still_waiting_for_a_worker_is_cancelled(panel, indexed, monkeypatch):
    called = []
    monkeypatch.setattr(indexed, "search", lambda query, **kw: called.append(query))
    cancelled, not_cancelled = threading.Event(), threading.Event()
    cancelled.set()
    assert panel._search_worker("old", None, False, True, cancel=cancelled) == ("old", None)
    panel._search_worker("new", None, False, True, cancel=not_cancelled)
    assert called == ["new"]


def test_enter_opens_the_first_hit(qtbot, panel):
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT) as opened:
        qtbot.keyClicks(panel.query, "Asagi Ayrim")
        qtbot.keyClick(panel.query, Qt.Key.Key_Return)  # before the hits are in: opens when they come
    assert opened.args[:2] == [SEED_ID, CEASEFIRE]
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT) as opened:
        qtbot.keyClick(panel.query, Qt.Key.Key_Return)  # the hits are shown: opens at once
    assert opened.args[:2] == [SEED_ID, CEASEFIRE]


def test_a_misspelling_that_finds_nothing_shows_the_correction_s_hits(qtbot, panel):
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT) as shown:
        panel.run_query("genocdie")
    assert shown.args[0] > 0
    assert any(p[1] == "risk-of-genocide" for p in _payloads(panel.results))
    text = panel.did_you_mean.text()
    assert "Showing results for <b>genocide</b> — search instead for" in text and "genocdie</a>" in text
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT) as shown:
        panel.did_you_mean.linkActivated.emit("#as-typed")
    assert shown.args == [0]
    assert panel.query.text() == "genocdie" and panel.status.text() == "No results."
    assert "Did you mean" in panel.did_you_mean.text()


def test_an_unknown_article_id_and_nothing_to_search_are_said_in_the_panel(qtbot, panel):
    panel.run_query("article:no-such-article ceasefire")
    qtbot.waitUntil(lambda: panel.status.text() == "No article with id 'no-such-article'.", timeout=WAIT)
    assert panel.results.count() == 0
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("***")
    assert panel.status.text().startswith("Nothing to search for in “***”")


def test_keyboard_down_then_enter_opens_a_suggestion(qtbot, panel):
    with qtbot.waitSignal(panel.suggestions_shown, timeout=WAIT):
        qtbot.keyClicks(panel.query, "nego")
    qtbot.keyClick(panel.query, Qt.Key.Key_Down)
    assert panel.suggestions.currentRow() == 0
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT) as opened:
        qtbot.keyClick(panel.suggestions, Qt.Key.Key_Return)
    assert opened.args == [SEED_ID, NEGOTIATIONS, None]
    assert not panel.suggestions.isVisible()


def test_stale_suggestions_are_dropped(qtbot, panel):
    stale = panel._suggester.drop_pending()
    panel._suggester.drop_pending()  # the user typed on
    panel._suggester._answer(stale, [Suggestion(SEED_ID, None, "Old answer")])
    assert panel.suggestions.count() == 0


def test_search_then_pick_a_hit_with_its_terms(qtbot, panel):
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT) as shown:
        qtbot.keyClicks(panel.query, "Asagi Ayrim")
        qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    assert shown.args == [1]
    rows = _payloads(panel.results)
    assert rows[0] == (SEED_ID, "", ["Asagi", "Ayrim", "Aşağı", "Ayrım"])  # the article row
    assert rows[1][:2] == (SEED_ID, CEASEFIRE)
    assert "<b" in panel.results.item(1).data(HTML_ROLE)  # highlighted snippet
    assert panel.status.text() == "1 result"

    qtbot.keyClick(panel.query, Qt.Key.Key_Down)  # lands on the first hit, not its article's header row
    assert panel.results.currentRow() == 1
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT) as opened:
        qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    article_id, section_id, terms = opened.args
    assert (article_id, section_id) == (SEED_ID, CEASEFIRE)
    assert {"Aşağı", "Ayrım"} <= set(terms)


def _click_row(qtbot, view, row: int, double: bool = False) -> None:
    view.scrollToItem(view.item(row))
    centre = view.visualItemRect(view.item(row)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    if double:  # a double click is a click, then the double-click event
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_a_single_click_opens_a_hit_or_an_article_row_once(qtbot, panel):
    opened = []
    panel.open_requested.connect(lambda *args: opened.append(args[:2]))
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("Asagi Ayrim")
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT):
        _click_row(qtbot, panel.results, 1)  # the hit
    assert opened == [(SEED_ID, CEASEFIRE)]
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT):
        _click_row(qtbot, panel.results, 0)  # its article's row
    assert opened[-1] == (SEED_ID, "")
    del opened[:]
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT):
        _click_row(qtbot, panel.results, 1, double=True)  # a habitual double click opens it once
    assert opened == [(SEED_ID, CEASEFIRE)]


def test_did_you_mean_for_a_misspelling_searches_the_correction(qtbot, panel):
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("genocid")
    assert panel.did_you_mean.isVisible()
    assert "genocide" in panel.did_you_mean.text()
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.did_you_mean.linkActivated.emit("#correction")
    assert panel.query.text() == "genocide"
    assert any(p[1] == "risk-of-genocide" for p in _payloads(panel.results))


def test_no_results_says_so(qtbot, panel):
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT) as shown:
        panel.run_query("zzzqqqxxx")
    assert shown.args == [0]
    assert panel.status.text() == "No results."


def test_this_article_filter_limits_hits(qtbot, panel, indexed):
    indexed.add_sources([DATA / "wikitext"])
    indexed.update_index()
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("route")
    assert len({p[0] for p in _payloads(panel.results)}) == 3
    assert not panel.this_article.isEnabled()
    panel.set_current(SEED_ID, "_lead")
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.this_article.setChecked(True)  # re-runs the query
    assert {p[0] for p in _payloads(panel.results)} == {SEED_ID}


def test_notes_filter_finds_notes(qtbot, panel, indexed):
    indexed.store.add_note(SEED_ID, CEASEFIRE, "Pelicans were seen near the lake", quote="continued to shell Stepanakert")
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.notes_only.setChecked(True)
        panel.run_query("pelican")
    rows = _payloads(panel.results)
    assert rows[1][:2] == (SEED_ID, CEASEFIRE)
    assert panel.results.item(1).text().startswith("Note · Aftermath › Ceasefire violations")


def test_snippet_html_escapes_text_and_styles_only_the_spans():
    text = "a <script>x</script> &amp; war <img src=http://e/x.png>"
    start = text.index("war")
    html = snippet_html(Snippet(text, ((start, start + 3),)))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&amp;amp;" in html  # the text as written, escaped once
    assert "<b>war</b>" in html


def test_highlight_terms_are_the_parsed_query_words_and_the_matched_forms(indexed):
    results = indexed.search(f'ceasefire NOT Russia "Lachin corridor" -Turkey peacekeep* article:{SEED_ID} in:notes '
                             'OR title:Baku')
    assert results.terms == ("ceasefire", "Lachin", "corridor", "peacekeep", "Baku")
    hit = SearchHit("section", "a", "A", "_lead", (), 1.0, Snippet("the Negotiations", ((4, 16),)))
    assert highlight_terms(SearchResults("negotiation", 1, None, [hit], terms=("negotiation",))) == ["negotiation", "Negotiations"]


def test_up_from_the_first_row_returns_to_the_field_and_escape_closes_suggestions(qtbot, panel):
    with qtbot.waitSignal(panel.suggestions_shown, timeout=WAIT):
        qtbot.keyClicks(panel.query, "nego")
    qtbot.keyClick(panel.query, Qt.Key.Key_Down)
    assert panel.suggestions.hasFocus() or panel.focusWidget() is panel.suggestions
    qtbot.keyClick(panel.suggestions, Qt.Key.Key_Up)
    assert panel.focusWidget() is panel.query
    qtbot.keyClick(panel.query, Qt.Key.Key_Escape)
    assert not panel.suggestions.isVisible() and panel.results.isVisible()
