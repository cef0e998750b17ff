"""The library sidebar: adding folders (with a bad file), drag and drop, removing, rescanning."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from .shell_support import WAIT_MS, article_file, drop_event, window  # noqa: F401 - fixtures


def _folder_with_a_bad_file(tmp_path):
    folder = tmp_path / "incoming"
    article_file(folder, "good one.txt", "= Good one =\n\nFine text.\n\n== Part ==\n\nMore.\n")
    article_file(folder, "good two.md", "# Good two\n\nAlso fine.\n")
    (folder / "broken.txt").write_bytes(b"= Broken =\n\x00\x01binary")
    return folder


def test_adding_a_folder_with_a_bad_file_shows_the_reason_and_loads_the_rest(qtbot, window, tmp_path):
    panel = window.library_panel
    before = panel.article_count()
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS) as blocker:
        panel.add_paths([_folder_with_a_bad_file(tmp_path)])
        assert window.activity.isVisible()  # the scan runs in the background
    report = blocker.args[0]
    assert [s.path.endswith("broken.txt") for s in report.skipped] == [True]
    assert panel.article_count() == before + 2
    assert {"Good one", "Good two"} <= set(panel.visible_titles())
    assert panel.skipped_list.isVisible()
    assert panel.skipped_button.text() == "Skipped files (1)"
    row = panel.skipped_list.item(0).text()
    assert row.startswith("broken.txt: ") and "binary" in row
    assert "broken.txt" in window.statusBar().currentMessage() and "binary" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: not window.activity.isVisible())


def test_dropping_a_file_on_the_window_adds_it(qtbot, window, tmp_path):
    path = article_file(tmp_path / "dropped", "dropped.txt", "= Dropped article =\n\nHello.\n")
    panel = window.library_panel
    event = drop_event(QUrl.fromLocalFile(str(path)))
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.dropEvent(event)
    assert event.isAccepted()
    assert "Dropped article" in panel.visible_titles()


def test_dropping_a_remote_url_is_refused(window):
    event = drop_event(QUrl("http://example.com/a.txt"))
    event.setAccepted(False)
    window.library_panel.dropEvent(event)
    assert not event.isAccepted() and not window.activity.isVisible()


def test_remove_source_and_rescan(qtbot, window, tmp_path):
    panel = window.library_panel
    folder = _folder_with_a_bad_file(tmp_path)
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.add_paths([folder])
    window.open_article(window.library.find_by_title("Good one").id)
    (folder / "good three.txt").write_text("= Good three =\n\nNew.\n", encoding="utf-8")
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        window.actions_by_name["rescan"].trigger()
    assert "Good three" in panel.visible_titles()
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.remove_source(str(folder))
    qtbot.waitUntil(lambda: "Good one" not in panel.visible_titles())
    assert not panel.skipped_button.isVisible()
    # the open article left the library: the page says so instead of showing stale text
    qtbot.waitUntil(lambda: window.view.article is None)
    assert "no longer in the library" in window.view.toPlainText()


def test_remove_with_no_added_source_says_so(window):
    window.library_panel.choose_source_to_remove()
    assert "no added source" in window.statusBar().currentMessage()


def test_an_article_edited_on_disk_is_shown_anew_after_rescan(qtbot, window, tmp_path):
    path = article_file(tmp_path / "edit", "changing.txt", "= Changing =\n\nFirst version.\n\n== One ==\n\nA.\n")
    panel = window.library_panel
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.add_paths([path])
    article_id = window.library.find_by_title("Changing").id
    window.open_article(article_id)
    assert window.toc.section_ids() == ["_lead", "one"]
    path.write_text("= Changing =\n\nSecond version.\n\n== One ==\n\nA.\n\n== Two ==\n\nB.\n", encoding="utf-8")
    with qtbot.waitSignal(window.view.rerendered, timeout=WAIT_MS):
        window.actions_by_name["rescan"].trigger()
    assert "Second version." in window.view.toPlainText()
    assert window.toc.section_ids() == ["_lead", "one", "two"]


def test_remove_source_dialog_is_not_modal_and_removes_the_choice(qtbot, window, tmp_path):
    panel = window.library_panel
    folder = _folder_with_a_bad_file(tmp_path)
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.add_paths([folder])
    dialog = panel.choose_source_to_remove()  # returns at once: open(), not exec()
    assert dialog.isVisible() and dialog.comboBoxItems() == [str(folder)]
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        dialog.accept()
    assert "Good one" not in panel.visible_titles()


def test_articles_with_the_same_title_are_told_apart_in_the_list(qtbot, window, tmp_path):
    panel = window.library_panel
    article_file(tmp_path / "old", "copy.txt", "= Twin =\n\nFirst copy.\n")
    article_file(tmp_path / "new", "copy.txt", "= Twin =\n\nSecond copy.\n")
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.add_paths([tmp_path / "old", tmp_path / "new"])
    qtbot.waitUntil(lambda: "Twin · new/copy.txt" in panel.visible_titles(), timeout=WAIT_MS)
    assert "Twin · old/copy.txt" in panel.visible_titles() and "Twin" not in panel.visible_titles()
