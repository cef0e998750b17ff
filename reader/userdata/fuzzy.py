"""Approximate re-finding of a quoted passage whose text was edited (typos fixed, a word rewritten).

Runs only after the exact and white-space-tolerant passes of
:mod:`reader.userdata.anchoring` failed. Two cheap ways propose candidate spans:

* **context anchors**: the end of the stored prefix and the start of the stored
  suffix, found exactly (``str.find``); the text between them is where an
  edited quote usually is;
* **similar windows**: ``rapidfuzz.fuzz.partial_ratio_alignment`` on
  overlapping chunks of the text, keeping each chunk's best alignment above a
  loose cut-off (the C implementation scans a 70 KB article in about a millisecond).

Each candidate's edges are then nudged to the best-matching span, and it is
scored on quote similarity and prefix and suffix similarity (the weights of
the Hypothesis client's ``match-quote``; no old offset is stored, so on a tie
the earlier passage wins instead of a position hint). A
candidate is accepted only when the quote is similar enough *for the context
that confirms it* (:func:`_accepted`): a passage that is really gone is
reported lost, never attached to other text. A deleted quote leaves its
prefix and suffix side by side, which is checked first.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

CONTEXT_CHARS = 32  # as anchoring.CONTEXT_CHARS: the stored prefix/suffix length
CONTEXT_KEY = 12  # characters of the stored prefix/suffix that must survive exactly to act as a context anchor
MIN_CONTEXT_KEY = 6  # shorter context cannot anchor anything
CANDIDATE_CUTOFF = 60.0  # loose partial-ratio cut-off for a window to be looked at closely
MAX_WINDOW_CANDIDATES = 8
MAX_FUZZY_QUOTE = 6000  # scoring costs ~length squared: a longer edited quote is reported lost, for review
MAX_WINDOW_QUOTE = 320  # longer quotes are aligned by their head and tail (see _window_spans)
QUOTE_PIECE = 160
MAX_CONTEXT_HITS = 20  # a context key found more often than this is not informative
REFINED_CANDIDATES = 3  # rough candidates refined per search (refining is the costly part)
SURE_SIMILARITY = 0.9  # a candidate between both context anchors this alike ends the search
WORD_CUT_PENALTY = 8.0  # score points for a span edge inside a word where the quote's edge was not
TOUCH_BONUS = 4.0  # score points per side whose stored context is exactly adjacent
TOUCH_CHARS = 8  # that many characters of context nearest the quote must touch


@dataclass(frozen=True)
class FuzzyMatch:
    span: tuple[int, int]
    similarity: float  # quote vs the matched text, 0..1
    context: float  # prefix/suffix agreement, 0..1 (the mean of the two sides)
    score: float
    before: float = 0.0  # the prefix's agreement alone
    after: float = 0.0  # the suffix's agreement alone


def quote_similarity(a: str, b: str) -> float:
    """How alike two passages are, 0..1 (normalized Indel similarity, as rapidfuzz's ``ratio``)."""
    return fuzz.ratio(a, b) / 100.0


def find_similar(text: str, quote: str, prefix: str = "", suffix: str = "") -> FuzzyMatch | None:
    """The best accepted approximate occurrence of ``quote`` in ``text``, or ``None``."""
    if not _searchable(text, quote.strip(), prefix, suffix):
        return None
    # Both edges set by surviving context and the quote nearly the same: no need to scan the text.
    between = [refine(text, quote, prefix, suffix, span) for span in _context_spans(text, quote.strip(), prefix, suffix)
               if span[2] and span[3]]
    sure = [m for m in between if m is not None and m.similarity >= SURE_SIMILARITY]
    if sure:
        return max(sure, key=_preference)
    ranked = rough_candidates(text, quote, prefix, suffix)
    return max((refine(text, quote, prefix, suffix, span) for _, span in ranked[:REFINED_CANDIDATES]),
               key=_preference, default=None)


def _searchable(text: str, quote: str, prefix: str, suffix: str) -> bool:
    """Worth a fuzzy search: a quote of sensible length, not cut out of this text."""
    return 4 <= len(quote) <= MAX_FUZZY_QUOTE and bool(text) and not was_deleted(text, quote, prefix, suffix)


def rough_candidates(text: str, quote: str, prefix: str = "", suffix: str = "") -> list[tuple[float, tuple]]:
    """Candidate spans scored as found (not yet refined), best first; none if the quote was deleted here.

    Refining costs ~20 scorings per candidate, so callers refine only the best
    few (across several texts, e.g. every section of an article).
    """
    quote = quote.strip()
    if not _searchable(text, quote, prefix, suffix):
        return []
    rough = set(_context_spans(text, quote, prefix, suffix)) | set(_window_spans(text, quote))
    return sorted(((m.score, span) for span in rough if (m := _scored(text, quote, prefix, suffix, span[:2])) is not None),
                  key=lambda c: (-c[0], c[1][0]))  # best first; on a tie the earlier passage


def refine(text: str, quote: str, prefix: str, suffix: str, span: tuple) -> FuzzyMatch | None:
    """A rough candidate with its edges refined and scored; ``None`` when it does not pass the cut-off."""
    quote = quote.strip()
    match = _scored(text, quote, prefix, suffix, _refined(text, quote, prefix, suffix, *span))
    return match if match is not None and _accepted(match) else None


def _preference(match: FuzzyMatch | None) -> tuple:
    """The best score; on a tie the earlier passage (e.g. the first copy of a duplicated paragraph)."""
    return (-1.0, 0) if match is None else (match.score, -match.span[0])


def _accepted(match: FuzzyMatch) -> bool:
    """The cut-off: the less the quote itself agrees, the more the context must.

    Calibrated on benchmarks/bench_anchoring.py (docs/performance.md): random
    prose of the same length scores about 0.3-0.5 on the quote and on each
    side's context, so every rule asks clearly more than that.
    """
    q, weak, strong = match.similarity, min(match.before, match.after), max(match.before, match.after)
    return ((q >= 0.9 and weak >= 0.55)  # a few typos: neither side contradicts
            or (q >= 0.75 and strong >= 0.85 and weak >= 0.5)  # a word rewritten: one side confirms
            or (q >= 0.6 and weak >= 0.9))  # more rewritten, but both sides confirm the place


def was_deleted(text: str, quote: str, prefix: str, suffix: str) -> bool:
    """The stored prefix and suffix now meet in ``text``, with far less than the quote between them."""
    # White space at the seam is often merged when a passage is cut out.
    before, after = prefix.rstrip()[-CONTEXT_KEY:], suffix.lstrip()[:CONTEXT_KEY]
    if len(before) < MIN_CONTEXT_KEY or len(after) < MIN_CONTEXT_KEY:
        return False
    gap_limit = max(2, len(quote) // 4)
    start = text.find(before)
    hits = 0
    while start >= 0 and hits < MAX_CONTEXT_HITS:
        end = start + len(before)
        if 0 <= text.find(after, end, end + gap_limit + len(after)) - end <= gap_limit:
            return True
        start, hits = text.find(before, start + 1), hits + 1
    return False


def _occurrences(text: str, key: str) -> list[int]:
    found, start = [], text.find(key)
    while start >= 0 and len(found) <= MAX_CONTEXT_HITS:
        found.append(start)
        start = text.find(key, start + 1)
    return found if len(found) <= MAX_CONTEXT_HITS else []


def _context_spans(text: str, quote: str, prefix: str, suffix: str):
    """Spans bounded by the surviving end of the prefix and/or start of the suffix.

    Each is ``(start, end, start_fixed, end_fixed)``: an edge set by a context
    anchor is where the quote begins or ends, and refining leaves it alone.
    """
    length, slack = len(quote), len(quote) // 2 + 8
    before, after = prefix[-CONTEXT_KEY:], suffix[:CONTEXT_KEY]
    starts = [i + len(before) for i in _occurrences(text, before)] if len(before.strip()) >= MIN_CONTEXT_KEY else []
    ends = _occurrences(text, after) if len(after.strip()) >= MIN_CONTEXT_KEY else []
    for start in starts:
        closing = [end for end in ends if length - slack <= end - start <= length + slack]
        yield from ((start, end, True, True) for end in closing)
        if not closing:
            yield start, min(len(text), start + length), True, False
    for end in ends:
        yield max(0, end - length), end, False, True


def _window_spans(text: str, quote: str):
    """Spans where the quote (a long one: its head and its tail) aligns well with the text.

    Aligning a long needle costs about its length squared per position, so a
    quote over :data:`MAX_WINDOW_QUOTE` characters is looked for by its first
    and last :data:`QUOTE_PIECE` characters, paired like the context anchors.
    """
    if len(quote) <= MAX_WINDOW_QUOTE:
        return [(start, end, False, False) for start, end in _aligned(text, quote)]
    length, slack = len(quote), len(quote) // 4
    starts = [start for start, _ in _aligned(text, quote[:QUOTE_PIECE])]
    ends = [end for _, end in _aligned(text, quote[-QUOTE_PIECE:])]
    spans = [(s, e, False, False) for s in starts for e in ends if length - slack <= e - s <= length + slack]
    spans += [(s, min(len(text), s + length), False, False) for s in starts]
    return spans + [(max(0, e - length), e, False, False) for e in ends]


def _aligned(text: str, needle: str) -> list[tuple[int, int]]:
    """Each chunk's best alignment of ``needle``, for the chunks that resemble it at all (best first)."""
    length = len(needle)
    chunk = max(8 * length, 1000)
    step = chunk - 2 * length
    found = []
    for offset in range(0, max(1, len(text) - 2 * length + 1), step):
        aligned = fuzz.partial_ratio_alignment(needle, text[offset:offset + chunk], score_cutoff=CANDIDATE_CUTOFF)
        if aligned is not None:
            found.append((aligned.score, offset + aligned.dest_start, offset + aligned.dest_end))
    found.sort(reverse=True)
    return [(start, end) for _, start, end in found[:MAX_WINDOW_CANDIDATES]]


def _refined(text: str, quote: str, prefix: str, suffix: str, start: int, end: int,
             start_fixed: bool, end_fixed: bool) -> tuple[int, int]:
    """The span with its free edges moved (start, then end) to where quote and context fit best."""
    reach = max(4, min(24, len(quote) // 3))

    def fit(s: int, e: int) -> float:
        match = _scored(text, quote, prefix, suffix, (s, e))
        return match.score if match is not None else -1.0

    if not start_fixed:
        first = start
        start = max(_edges(text, max(0, start - reach), min(end, start + reach), first),
                    key=lambda s: (fit(s, end), -abs(s - first)))
    if not end_fixed:
        last = end
        end = max(_edges(text, max(start + 1, end - reach), min(len(text), end + reach), last),
                  key=lambda e: (fit(start, e), -abs(e - last)))
    return _trimmed(text, start, end)


def _edges(text: str, low: int, high: int, near: int) -> list[int]:
    """Where an edge may go between ``low`` and ``high``: word boundaries, and close to ``near``."""
    close = range(max(low, near - 2), min(high, near + 2) + 1)
    return sorted(set(close) | {i for i in range(low, high + 1) if not _cuts_word(text, i)})


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _scored(text: str, quote: str, prefix: str, suffix: str, span: tuple[int, int]) -> FuzzyMatch | None:
    start, end = span
    if end <= start:
        return None
    similarity = quote_similarity(quote, text[start:end])
    before = _side(prefix, text[max(0, start - len(prefix)):start], at_edge=start == 0, tail=True)
    after = _side(suffix, text[end:end + len(suffix)], at_edge=end == len(text), tail=False)
    context = (before + after) / 2
    # Weights of Hypothesis' match-quote: quote 50, prefix + suffix 20 each;
    # more for a side whose stored context touches the span exactly (a rewritten edge
    # word then stays inside), less for a span that cuts a word the quote did not cut.
    touching = _touches(prefix, text, start, tail=True) + _touches(suffix, text, end, tail=False)
    cuts = (_cuts_word(text, start) and not _cuts_word(prefix + quote, len(prefix))) + \
        (_cuts_word(text, end) and not _cuts_word(quote + suffix, len(quote)))
    score = 50 * similarity + 40 * context + TOUCH_BONUS * touching - WORD_CUT_PENALTY * cuts
    return FuzzyMatch(span, similarity, context, score, before, after)


def _touches(stored: str, text: str, at: int, tail: bool) -> bool:
    """The stored context's characters nearest the quote are exactly beside ``at`` in ``text``."""
    key = stored.rstrip()[-TOUCH_CHARS:] if tail else stored.lstrip()[:TOUCH_CHARS]
    if len(key) < MIN_CONTEXT_KEY:
        return False
    if tail:
        return text[:at].rstrip().endswith(key)
    return text[at:].lstrip().startswith(key)


def _cuts_word(text: str, at: int) -> bool:
    return 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum()


def _side(stored: str, found: str, at_edge: bool, tail: bool) -> float:
    """How well one side's stored context agrees with the text beside the candidate, 0..1.

    Short stored context (the quote began or ended its paragraph or section)
    says less, so the characters it lacks count as a neutral 0.5; an empty one
    agrees a little with a candidate at the edge of the text. Context is
    compared from the quote outwards: the nearer half alone may carry it (an
    edit further out should not sink the match).
    """
    known = min(len(stored), CONTEXT_CHARS) / CONTEXT_CHARS
    if not stored.strip():
        return 0.6 if at_edge else 0.5
    if not found:
        similarity = 0.0
    else:
        near = max(1, len(stored) // 2)
        stored_near, found_near = (stored[-near:], found[-near:]) if tail else (stored[:near], found[:near])
        similarity = max(quote_similarity(stored, found), quote_similarity(stored_near, found_near) * 0.95)
    return known * similarity + (1 - known) * 0.5
