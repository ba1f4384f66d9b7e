"""Evaluation text: Wikipedia articles from the shortened enwiki dump that ships inside the gensim wheel.

The file is ``gensim/test/test_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2``
(gensim 4.4.0; 211 pages of the April 2016 dump). gensim itself is never imported: the file is located
with ``importlib.util.find_spec``. Text licence: CC BY-SA 3.0 (Wikipedia contributors).

Selection (recorded in every data file's provenance): main-namespace pages that are not redirects, in
dump order; wikitext cleaned by :func:`clean_wikitext`; the article is cut at its first "See also",
"References", "Notes", "Further reading", "External links" or "Bibliography" heading; articles with
fewer than ``min_chars`` characters are dropped (96 remain; three keep a little residual markup: an
unbalanced template in "ASCII" and two image captions that contain brackets). A segment is the first ``length`` tokens of one article
(one segment per article, so segments are independent documents for the bootstrap).
"""
from __future__ import annotations

import bz2
import functools
import html
import importlib.util
import numbers
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["CORPUS", "corpus_path", "clean_wikitext", "articles", "Segment", "segments", "segment_from_text"]

CORPUS = {
    "name": "enwiki-shortened (gensim test data)",
    "package": "gensim==4.4.0",
    "file": "gensim/test/test_data/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
    "licence": "CC BY-SA 3.0 (text of Wikipedia contributors, April 2016 dump)",
    "cleaning": "lib.kv.corpus.clean_wikitext v1: comments, refs, templates, tables, math/gallery, file and "
                "category links removed; links, bold/italic, headings and list markers reduced to their text; "
                "article cut at its first See also/References/Notes/Further reading/External links heading",
}
_END_SECTIONS = re.compile(r"^==+\s*(See also|References|Notes|Footnotes|Further reading|External links|"
                           r"Bibliography|Sources|Citations)\s*==+\s*$", re.M | re.I)


def corpus_path() -> Path:
    """Path of the dump inside the installed gensim wheel (gensim is located, never imported)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("the corpus ships in the `gensim` wheel, which is not installed; install it with: "
                         "pip install --no-deps gensim==4.4.0  (part of `make install`)")
    path = Path(list(spec.submodule_search_locations)[0]).parent / CORPUS["file"]
    if not path.exists():
        raise ValueError(f"corpus file missing: {path}; reinstall with: pip install --no-deps gensim==4.4.0")
    return path


def _drop_nested(text: str, pattern: str) -> str:
    rx = re.compile(pattern, re.S)
    while True:
        text, n = rx.subn("", text)
        if n == 0:
            return text


def clean_wikitext(text: str) -> str:
    """Plain prose from MediaWiki markup (regular expressions; good enough for language-model input).

    Parameters
    ----------
    text : str
        Wikitext of one article.

    Returns
    -------
    str
        Paragraphs separated by blank lines; headings kept as their own lines.
    """
    m = _END_SECTIONS.search(text)
    text = text[:m.start()] if m else text
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<ref[^>]*/>", "", text)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.S)
    text = re.sub(r"<(math|gallery|timeline|imagemap|score)[^>]*>.*?</\1>", "", text, flags=re.S)
    text = _drop_nested(text, r"\{\{[^{}]*\}\}")
    text = _drop_nested(text, r"\{\|(?:(?!\{\|).)*?\|\}")
    link = re.compile(r"\[\[(?![A-Za-z -]+:)(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]")
    while True:
        text, n = link.subn(r"\1", text)
        if n == 0:
            break
    text = _drop_nested(text, r"\[\[[^\[\]]*\]\]")  # File:, Image:, Category:, interlanguage links
    text = re.sub(r"\[(?:https?|ftp)://[^\s\]]+\s+([^\]]*)\]", r"\1", text)
    text = re.sub(r"\[(?:https?|ftp)://[^\]]*\]", "", text)
    text = re.sub(r"<[^<>]+>", "", text)
    text = html.unescape(text).replace("\u00a0", " ")
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"^(=+)\s*(.*?)\s*\1\s*$", r"\2", text, flags=re.M)
    text = re.sub(r"^[*#:;]+\s*", "", text, flags=re.M)
    text = re.sub(r"\(\s*[,;]?\s*\)", "", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:])", r"\1", text)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@functools.lru_cache(maxsize=2)
def articles(min_chars: int = 2000) -> tuple:
    """``(title, text)`` of every cleaned main-namespace article with at least ``min_chars`` characters."""
    if isinstance(min_chars, bool) or not isinstance(min_chars, numbers.Integral) or min_chars < 1:
        raise ValueError(f"`min_chars` must be a positive integer, got {min_chars!r}")
    out = []
    with bz2.open(corpus_path()) as fh:
        for _, elem in ET.iterparse(fh):
            if not elem.tag.endswith("}page"):
                continue
            ns = elem.find("{*}ns")
            title = elem.find("{*}title").text
            text = elem.find("{*}revision/{*}text").text or ""
            redirect = elem.find("{*}redirect") is not None or text.lstrip().upper().startswith("#REDIRECT")
            if ns is not None and ns.text == "0" and not redirect:
                cleaned = clean_wikitext(text)
                if len(cleaned) >= min_chars:
                    out.append((title, cleaned))
            elem.clear()
    return tuple(out)


@dataclass(frozen=True)
class Segment:
    """One evaluation segment: the first ``len(ids)`` tokens of article ``title`` (no BOS)."""

    index: int
    title: str
    ids: np.ndarray


def segment_from_text(tokenizer, text: str, length: int) -> np.ndarray:
    """The first ``length`` token ids of ``text`` (no special tokens); error if the text is shorter."""
    if isinstance(length, bool) or not isinstance(length, numbers.Integral) or length < 1:
        raise ValueError(f"`length` must be a positive integer, got {length!r}")
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    if len(ids) < length:
        raise ValueError(f"the text has {len(ids)} tokens, fewer than the segment `length` {length}; "
                         "use a longer text or a shorter segment")
    return np.asarray(ids[:length], dtype=np.int64)


def segments(tokenizer, n: int, length: int = 1024, min_chars: int = 2000) -> list:
    """The first ``n`` articles with at least ``length`` tokens, each cut to its first ``length`` tokens.

    Raises
    ------
    ValueError
        If the corpus has fewer than ``n`` such articles.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"`n` must be a positive integer, got {n!r}")
    out = []
    for title, text in articles(min_chars):
        try:
            ids = segment_from_text(tokenizer, text, length)
        except ValueError:
            continue
        out.append(Segment(len(out), title, ids))
        if len(out) == n:
            return out
    raise ValueError(f"the corpus has only {len(out)} articles with at least {length} tokens, fewer than "
                     f"`n`={n}; ask for fewer segments or a shorter `length`")
