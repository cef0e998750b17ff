"""Re-anchoring: re-placing notes and bookmarks on the articles as they are now (docs/data-model.md).

The store calls :func:`reanchor` inside its own transaction with its inputs
(the current fingerprints and a way to read an article); the matching itself
is :mod:`reader.userdata.anchoring`. Nothing here calls the library or emits
anything: the store announces the result after committing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from ..model import Article
from .anchoring import EXACT, MOVED, ORPHANED, Anchor, ArticleText, reanchor as place
from .models import AnchorReport
from .records import (
    anchored_articles, bookmarks_of_article, new_note_record, note_record, note_rows_of_article, orphan_note,
    save_bookmark_place, save_note_anchor, set_article_sha,
)


@dataclass
class Reanchored:
    """What one re-anchoring changed (inside the store's transaction; announced after it)."""

    note_ids: list[str] = field(default_factory=list)  # notes whose place changed
    bookmarks_changed: bool = False
    report: AnchorReport = field(default_factory=AnchorReport)


def stale_articles(conn: sqlite3.Connection, current: dict[str, str]) -> tuple[set[str], set[str]]:
    """(articles whose notes must be re-placed, articles whose bookmarks must be): those that changed since."""
    notes, marks = anchored_articles(conn)
    stale = {aid for aid, sha, orphaned in notes if _is_stale(current.get(aid), sha, orphaned)}
    stale_marks = {aid for aid, sha in marks if aid in current and current[aid] != sha}
    return stale, stale_marks


def reanchor(conn: sqlite3.Connection, stale: set[str], stale_marks: set[str], current: dict[str, str],
             articles: dict[str, "Article | None | bool"]) -> Reanchored:
    """Re-place the notes of ``stale`` and the bookmarks of ``stale_marks`` (the caller's transaction).

    ``articles``: each article now, None when it left the library (its notes
    are orphaned), False when it cannot be read now (left untouched).
    """
    done = Reanchored()
    for aid in sorted(stale):
        if articles[aid] is not False:
            done.note_ids += [r["id"] for r in _reanchor_article(conn, aid, articles[aid], current.get(aid, ""), done.report)]
    for aid in sorted(stale_marks):
        if isinstance(articles[aid], Article):
            done.bookmarks_changed |= _reanchor_bookmarks(conn, aid, articles[aid], current[aid])
    return done


def _is_stale(current_sha: str | None, anchored_sha: str, orphaned: bool) -> bool:
    """Whether a note must be re-placed: its article changed, or left and the note is not yet orphaned."""
    if current_sha is None:
        return not orphaned
    return current_sha != anchored_sha


def _reanchor_article(conn: sqlite3.Connection, article_id: str, article: Article | None, sha: str,
                      report: AnchorReport) -> list[dict]:
    """Re-place one article's notes (inside the caller's transaction); returns the records whose place
    changed, as now stored (so the caller need not read them back).

    A note whose passage was newly moved (fuzzy) or lost is flagged for review
    and counted in ``report``.
    """
    changed = []
    text = ArticleText(article) if article is not None else None
    rows = note_rows_of_article(conn, article_id)
    # Every note now matches this version of the article; only the re-placed ones are rewritten below.
    set_article_sha(conn, article_id, sha)
    for row in rows:
        record = note_record(row)
        state = MOVED if was_moved(record) else record["anchor_state"]
        old = Anchor(record["section_id"], tuple(record["section_path"]), record["quote"],
                     record["prefix"], record["suffix"], record["section_sha"], state, record["similarity"])
        new = place(article, old, text) if article is not None else None
        stored = dict(record, article_sha=sha)
        if new is None:
            if not record["orphaned"]:
                orphan_note(conn, record["id"])
                kept = record["similarity"] if record["anchor_state"] == MOVED and record["review"] else None
                stored.update(orphaned=True, anchor_state=ORPHANED, similarity=kept, review=True)
            report.count(record["id"], ORPHANED, newly=not record["orphaned"])
        elif new != old or record["orphaned"]:
            newly = new.state != old.state or (new.state == MOVED and new.quote != old.quote) or record["orphaned"]
            # Found as it was: nothing to review; newly moved or lost: review; else as before.
            review = False if new.state == EXACT else (newly or record["review"])
            save_note_anchor(conn, record["id"], article_id, new, sha, review=review)
            stored.update(new_note_record(record["id"], article_id, new, record["text"], record["tags"], record["color"],
                                  record["created"], record["updated"], sha),
                          original_quote=record["original_quote"], review=review)
            report.count(record["id"], new.state, newly=newly)
        if new != old or (new is None) != record["orphaned"]:
            changed.append(stored)
    return changed


def was_moved(record: dict) -> bool:
    """Whether an orphaned note was ``moved`` and not yet reviewed when it lost its article.

    Orphaning keeps such a note's similarity (and only such a note's), so the
    pending review survives the article's absence: back in the library, the note
    is ``moved`` again (its passage found exactly or not) and still to review.
    """
    return bool(record["orphaned"]) and record["similarity"] is not None


def _reanchor_bookmarks(conn: sqlite3.Connection, article_id: str, article: Article, sha: str) -> bool:
    """Re-place one article's bookmarks (inside the caller's transaction); whether any changed.

    The note matcher without a quote: the same section id, the same heading
    path, the one section with the same text. A bookmark that fits nowhere
    points at the whole article (``section_id`` None, state ``orphaned``) and
    keeps its old heading path and text hash, so it returns if the section
    does. Names are untouched.
    """
    changed, text = False, ArticleText(article)
    for mark in bookmarks_of_article(conn, article_id):
        old = (mark.section_id, mark.section_path, mark.section_sha, mark.anchor_state)
        new = (None, mark.section_path, mark.section_sha, ORPHANED)
        if mark.section_id is None and not mark.section_path and not mark.section_sha:
            new = old[:3] + (EXACT,)  # on the article itself: stays there
        else:
            placed = place(article, Anchor(mark.section_id or "", mark.section_path, None, "", "", mark.section_sha),
                              text, fuzzy=False)
            if placed is not None:
                new = (placed.section_id, tuple(placed.section_path), placed.section_sha, EXACT)
        save_bookmark_place(conn, mark.id, *new[:3], sha, anchor_state=new[3])
        changed |= new != old
    return changed
