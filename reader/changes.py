"""What a change changed, as one value (like Anki's ``OpChanges``).

Every change the core makes (a scan, a note saved, a bookmark moved, a
re-anchoring) reaches the library's listeners as a named event;
:meth:`Changes.of_event` turns any of them into this one value. A front end asks the value what
to reload (``changes.notes``, ``changes.touches(article_id)``...) instead of
matching event names; the window applies it on the GUI thread through one
helper (``reader.gui.panel_support.ChangeFeed``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    articles: tuple[str, ...] = ()  # ids of articles added, updated, moved or removed
    notes: tuple[str, ...] = ()  # ids of notes added, edited or re-placed
    deleted_notes: tuple[str, ...] = ()  # ids of notes trashed (or dropped from the trash)
    bookmarks: bool = False  # some bookmark changed
    anchors: bool = False  # re-anchoring moved or lost some passage (notes to review)
    note_articles: tuple[str, ...] = ()  # the articles the changed notes are on
    changed_notes: tuple = ()  # the changed notes themselves (``Note`` values, as stored)

    @property
    def any_notes(self) -> bool:
        return bool(self.notes or self.deleted_notes or self.anchors)

    @property
    def library(self) -> bool:
        return bool(self.articles)

    def touches(self, article_id: str | None) -> bool:
        """Whether something shown with ``article_id`` (its text, its notes) changed."""
        return article_id is not None and (article_id in self.articles or article_id in self.note_articles
                                           or bool(self.deleted_notes))

    def __or__(self, other: "Changes") -> "Changes":
        return Changes(
            articles=tuple(dict.fromkeys(self.articles + other.articles)),
            notes=tuple(dict.fromkeys(self.notes + other.notes)),
            deleted_notes=tuple(dict.fromkeys(self.deleted_notes + other.deleted_notes)),
            bookmarks=self.bookmarks or other.bookmarks,
            anchors=self.anchors or other.anchors,
            note_articles=tuple(dict.fromkeys(self.note_articles + other.note_articles)),
            changed_notes=self.changed_notes + other.changed_notes,
        )

    @classmethod
    def of_event(cls, event: str, payload) -> "Changes":
        """The value for any library event (``articles_changed`` or one of the store's)."""
        if event == "articles_changed":
            return cls.of_scan(payload)
        return cls.of_store_event(event, payload)

    @classmethod
    def of_scan(cls, report) -> "Changes":
        summaries = list(report.added) + list(report.updated) + list(report.moved)
        # a source whose articles all may have changed (an archive removed or replaced) is named by its id
        sources = tuple(getattr(report, "sources_changed", ()) or ())
        return cls(articles=tuple(s.id for s in summaries) + tuple(report.removed) + sources)

    @classmethod
    def of_store_event(cls, event: str, payload) -> "Changes":
        """The value for one of the store's events (``notes_changed``, ``bookmarks_changed``...)."""
        if event == "notes_changed":
            changed = list(getattr(payload, "changed", []) or [])
            return cls(notes=tuple(n.id for n in changed), deleted_notes=tuple(getattr(payload, "deleted", []) or []),
                       note_articles=tuple(dict.fromkeys(n.article_id for n in changed)), changed_notes=tuple(changed))
        if event == "trash_emptied":
            return cls(deleted_notes=tuple(payload or ()))
        if event == "bookmarks_changed":
            return cls(bookmarks=True)
        if event == "anchors_changed":
            return cls(anchors=True)
        return cls()
