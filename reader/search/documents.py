"""What goes into the index: plain dicts built from articles and notes (no Whoosh here)."""

from __future__ import annotations

import hashlib
import zlib

from ..model import Article, Section
from .ranking import title_key
from .schema import STORED_PATH_SEPARATOR

SECTION, NOTE = "section", "note"


def article_owner(article_id: str) -> str:
    return "a:" + article_id


def note_owner(note_id: str) -> str:
    return "n:" + str(note_id)


def section_body(article: Article, section: Section) -> str:
    """The text indexed (and highlighted) for a section; infobox entries belong to the lead."""
    text = section.text()
    if section.is_lead and article.infobox:
        entries = "\n".join(f"{key}: {value}" for key, value in article.infobox)
        return entries + "\n\n" + text if text else entries
    return text


def pack_text(text: str) -> bytes:
    """Body text as stored for snippets: re-parsing 20 articles per query costs more than unpacking."""
    return zlib.compress(text.encode("utf-8"), 1)


def unpack_text(data) -> str:
    return zlib.decompress(data).decode("utf-8") if data else ""


def section_documents(article: Article, sha256: str) -> list[dict]:
    """One document per section; the lead carries the article's fingerprint."""
    docs = []
    for section in article.sections:
        body = section_body(article, section)
        docs.append({
            "kind": SECTION,
            "owner": article_owner(article.id),
            "article_id": article.id,
            "section_id": section.id,
            "section_path": STORED_PATH_SEPARATOR.join(section.path),
            "title": article.title,
            "heading": "" if section.is_lead else section.title,
            "path": " ".join(section.path),
            "body": body,
            "text": pack_text(body),
        })
    docs[0]["fingerprint"] = sha256
    docs[0]["title_key"] = title_key(article.title)
    return docs


def note_fingerprint(note) -> str:
    """Changes whenever anything indexed about the note changes."""
    parts = [note.article_id, note.section_id or "", STORED_PATH_SEPARATOR.join(note.section_path), note.quote or "",
             note.text or "", "\x1e".join(note.tags), str(note.orphaned)]
    return hashlib.sha256("\x00".join(map(str, parts)).encode("utf-8")).hexdigest()


def note_document(note, article_title: str) -> dict:
    body = "\n\n".join(p for p in (note.quote or "", note.text or "", " ".join(note.tags)) if p)
    path = tuple(note.section_path)
    return {
        "kind": NOTE,
        "owner": note_owner(note.id),
        "article_id": note.article_id,
        "section_id": note.section_id,
        "section_path": STORED_PATH_SEPARATOR.join(path),
        "note_id": str(note.id),
        "text": pack_text(body),
        "fingerprint": note_fingerprint(note),
        "title": article_title,
        "heading": path[-1] if path else "",
        "path": " ".join(path),
        "body": body,
    }


def document_from_stored(stored: dict) -> dict:
    """Rebuild a document from its stored fields (to fold small segments together cheaply)."""
    doc = dict(stored)
    path = [p for p in stored.get("section_path", "").split(STORED_PATH_SEPARATOR) if p]
    doc["path"] = " ".join(path)
    doc["body"] = unpack_text(stored.get("text"))
    doc["owner"] = note_owner(stored["note_id"]) if stored.get("kind") == NOTE else article_owner(stored["article_id"])
    if stored.get("kind") != NOTE and "fingerprint" in stored:  # an article's lead
        doc["title_key"] = title_key(stored.get("title", ""))
    return doc
