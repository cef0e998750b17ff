"""The reading view's text as the article model spells it, for quotes: table cells joined by " | ".

A ``QTextDocument`` marks each table cell with one U+FDD0 character (and the table's
end with U+FDD1) in its raw text, where the model's text of a :class:`~reader.model.Table`
joins a row's cells with ``" | "`` and puts each row on a paragraph of its own. Empty
cells (kept in the view for the page's layout) are not in the model, and a cell spanning
rows or columns has one mark. A note
quoting two cells ("River | Otters") is stored in the model's spelling, so the page's text
is read with the model's separators to find it, and positions are mapped back to the
document to paint it. A selection across cells becomes a quote in the same spelling.
An image's object character reads as nothing (the model has the caption only). A page
without tables or images is its raw text, position for position.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from PySide6.QtGui import QTextTable

from ..model import TABLE_CELL_SEPARATOR

CELL_MARK = "\ufdd0"  # QTextBeginningOfFrame: before every table cell in toRawText()
TABLE_END = "\ufdd1"  # QTextEndOfFrame
IMAGE_MARK = "\ufffc"  # an image's object character: not in the model's text, so read as nothing
ROW_BREAK = "\n\n"  # before a row's first cell: the model puts every row on a paragraph of its own
_MARK = re.compile(f"[{CELL_MARK}{TABLE_END}{IMAGE_MARK}]")
_EMPTY_CELL_ENDS = (CELL_MARK, TABLE_END)  # what follows an empty cell's mark


class PageText:
    """``text``: the document's text (paragraph and line separators as ``\\n``) with table cells
    spelt as the model spells them; :meth:`to_text` and :meth:`to_doc` map positions."""

    def __init__(self, document):
        raw = document.toRawText().replace("\u2029", "\n").replace("\u2028", "\n")
        self._segments: list[tuple[int, int, int]] = []  # (text start, document start, length; -1: a separator)
        self.marks: list[int] = []  # document positions of the cell marks, table ends and images
        if CELL_MARK not in raw and TABLE_END not in raw and IMAGE_MARK not in raw:
            self.text = raw
            return
        row_starts = _row_starts(document)
        parts, position, text_length, row_break = [], 0, 0, ""
        for index, char in _marks(raw):
            self.marks.append(index)
            if index > position:
                self._segments.append((text_length, position, index - position))
                parts.append(raw[position:index])
                text_length += index - position
            if char == CELL_MARK:
                if index in row_starts:
                    row_break = ROW_BREAK
                if raw[index + 1:index + 2] in _EMPTY_CELL_ENDS:  # an empty cell: not in the model's row
                    separator = ""
                else:
                    separator, row_break = row_break or TABLE_CELL_SEPARATOR, ""
            else:
                separator = "" if char == IMAGE_MARK else "\n"
            self._segments.append((text_length, index, -1))
            parts.append(separator)
            text_length += len(separator)
            position = index + 1
        self._segments.append((text_length, position, len(raw) - position))
        parts.append(raw[position:])
        self.text = "".join(parts)
        self._text_starts = [segment[0] for segment in self._segments]
        self._doc_starts = [segment[1] for segment in self._segments]

    def pieces(self, start: int, end: int) -> list[tuple[int, int]]:
        """The document span cut at the cell marks inside it: one piece per cell (Qt paints a span
        across cells as the whole cells), none empty."""
        found, first = [], start
        for mark in self.marks[bisect_right(self.marks, start - 1):]:
            if mark >= end:
                break
            if mark > first:
                found.append((first, mark))
            first = mark + 1
        if end > first:
            found.append((first, end))
        return found

    def to_text(self, position: int) -> int:
        """The offset in :attr:`text` of a document position (a cell mark: its separator's start)."""
        if not self._segments:
            return position
        text_start, doc_start, length = self._segments[max(0, bisect_right(self._doc_starts, position) - 1)]
        return text_start + (position - doc_start if length >= 0 else 0)

    def to_doc(self, offset: int) -> int:
        """The document position of an offset in :attr:`text` (inside a separator: the mark after its start)."""
        if not self._segments:
            return offset
        text_start, doc_start, length = self._segments[max(0, bisect_right(self._text_starts, offset) - 1)]
        if length < 0:
            return doc_start + (1 if offset > text_start else 0)
        return doc_start + (offset - text_start)


def _marks(raw: str):
    """(index, char) of every cell mark and table end in ``raw``, in order."""
    return ((match.start(), match.group()) for match in _MARK.finditer(raw))


def _row_starts(document) -> set[int]:
    """Document positions of the cell mark that starts each table row: its first own cell (a cell
    spanning down from a row above has no mark in this row). The model's row break comes before
    the row's first cell with text; the other cells with text are joined by " | ", and empty cells
    (the page's, or Qt's filling of a short row) are not in the model. About one Qt call per row."""
    starts: set[int] = set()
    frames = list(document.rootFrame().childFrames())
    while frames:  # a walk, not recursion: frames may nest
        frame = frames.pop()
        frames.extend(frame.childFrames())
        if isinstance(frame, QTextTable):
            starts.update(_first_own_cell(frame, row) for row in range(frame.rows()))
    starts.discard(None)
    return starts


def _first_own_cell(table: QTextTable, row: int) -> int | None:
    """The mark of the row's first cell that starts in it, None when cells from above cover it all."""
    for column in range(table.columns()):
        cell = table.cellAt(row, column)
        if cell.row() == row:
            return cell.firstPosition() - 1
    return None
