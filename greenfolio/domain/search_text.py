"""Search text: the one tokenisation used to index work items and to read a query.

Both databases get text already cut into words by this module and joined with spaces,
so SQLite's FTS5 tokenizer and PostgreSQL's 'simple' parser agree on the words.

- Case and diacritics are folded ("Mercure" and "mércure" are one word).
- Chinese, Japanese and Korean have no spaces between words and a query may be one
  character: each CJK character is its own word, in the index and in the query.
- Arabic writes the article and some one-letter words as part of the word ("الزئبق",
  "بالزئبق", "للتنمية"): an Arabic word is also indexed without them, and a query looks
  for the word without them, so "زئبق" finds "الزئبق" and "الزئبق" finds "زئبق". Hamza
  seats and short vowels fold away with the other marks ("إ", "أ" and "ا" are one letter).
- Anything that is not a letter or digit separates words, so FTS query syntax typed by a
  user (quotes, ``*``, ``-``, ``NEAR(``) can never reach the database as syntax: the
  query is rebuilt from quoted words only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_CJK = (
    "\u2e80-\u2fdf"  # radicals
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3100-\u312f\u31a0-\u31ff"  # bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK unified ideographs (and extension A)
    "\uac00-\ud7af"  # hangul syllables
    "\uf900-\ufaff"  # compatibility ideographs
    "\U00020000-\U0003134f"  # extensions B onwards
)
_CJK_CHAR = re.compile(f"[{_CJK}]")
_WORD = re.compile(r"[^\W_]+")
MAX_WORD = 100
"""Longer words are cut: PostgreSQL refuses lexemes over 2 KB, and nobody types them."""
MAX_QUERY_WORDS = 32


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _unmarked(run: re.Match[str]) -> str:
    return "".join(c for c in run.group() if unicodedata.category(c) != "Mn")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    # only the non-ASCII runs are looked at character by character (mostly few)
    return unicodedata.normalize("NFC", _NON_ASCII.sub(_unmarked, decomposed))


def words(text: str) -> list[str]:
    """The words of ``text``, folded, CJK characters one word each."""
    spaced = _CJK_CHAR.sub(lambda m: f" {m.group(0)} ", _fold(text))
    return [w[:MAX_WORD] for w in _WORD.findall(spaced)]


_ARABIC_PREFIX = re.compile(
    "^(?:[\u0648\u0641\u0628\u0643]?\u0627\u0644|\u0644\u0644)(?=[\u0621-\u064a]{2})"
)
"""An Arabic word's leading article, alone or after wa-, fa-, bi- or ka- (وال فال بال كال
ال), or li- contracted with it (لل), when at least two letters follow."""


def arabic_base(word: str) -> str:
    """``word`` without its leading Arabic article (and a conjunction or preposition
    joined to it); any other word as it is."""
    return _ARABIC_PREFIX.sub("", word, count=1)


def _indexed(word: str) -> Iterable[str]:
    yield word
    base = arabic_base(word)
    if base != word:
        yield base


_ARABIC_LETTER = re.compile("[\u0621-\u064a]")


def document(texts: Iterable[str]) -> str:
    """The text stored in the index for one work item (Arabic words also without their
    article). The texts are cut in one pass; the Arabic step only runs on text that has
    an Arabic letter (an import indexes every activity it stores)."""
    found = words("\n".join(texts))
    joined = " ".join(found)
    if _ARABIC_LETTER.search(joined) is None:
        return joined
    return " ".join(w for word in found for w in _indexed(word))


def _is_cjk(word: str) -> bool:
    return bool(_CJK_CHAR.fullmatch(word))


def query_words(q: str | None) -> list[str]:
    """The words a query looks for (all of them must match); empty: no search at all."""
    return [arabic_base(w) for w in words(q or "")[:MAX_QUERY_WORDS]]


def fts5_query(found: list[str]) -> str:
    """An FTS5 MATCH expression: every word quoted, the last a prefix unless it is CJK."""
    parts = [f'"{w}"' for w in found]
    if found and not _is_cjk(found[-1]):
        parts[-1] += "*"
    return " ".join(parts)


def tsquery(found: list[str]) -> str:
    """A PostgreSQL ``to_tsquery`` expression with the same meaning as ``fts5_query``."""
    parts = [f"'{w}'" for w in found]
    if found and not _is_cjk(found[-1]):
        parts[-1] += ":*"
    return " & ".join(parts)
