"""Tests of lib.kv.corpus: the Wikipedia dump inside the gensim wheel and its clean-up."""
import numpy as np
import pytest

from lib.kv import corpus


class _WordTokenizer:
    """One token per whitespace-separated word (ids are word lengths)."""

    def __call__(self, text, add_special_tokens=False):
        return {"input_ids": [len(word) for word in text.split()]}


class TestCorpusPath:
    def test_file_is_in_the_gensim_wheel_and_gensim_is_not_imported(self):
        import sys
        path = corpus.corpus_path()
        assert path.exists() and path.name.endswith("-shortened.bz2")
        assert "gensim" not in sys.modules


class TestCleanWikitext:
    @pytest.mark.parametrize("raw, clean", [
        ("'''Anarchism''' is a [[political philosophy]].", "Anarchism is a political philosophy."),
        ("societies [[stateless society|stateless societies]].", "societies stateless societies."),
        ("A{{cite|x={{inner}}}} B<ref name=a>note</ref> C<ref name=b/>", "A B C"),
        ("x [[File:A.jpg|thumb|A [[caption]] here]] y", "x y"),
        ("see [http://example.org the site] and [http://bare.org]", "see the site and"),
        ("== History ==\n* first item\n# second", "History\nfirst item\nsecond"),
        ("a\n{| class=wikitable\n| cell\n|}\nb", "a\n\nb"),
        ("text (, ) more &amp; &nbsp;end", "text more & end"),
        ("Body.\n== See also ==\n* Other", "Body."),
    ])
    def test_markup_is_reduced_to_prose(self, raw, clean):
        assert corpus.clean_wikitext(raw) == clean


class TestArticles:
    def test_articles_are_cleaned_main_namespace_pages(self):
        arts = corpus.articles()
        titles = [t for t, _ in arts]
        assert titles[0] == "Anarchism" and len(arts) >= 90 and len(set(titles)) == len(titles)
        assert all(len(text) >= 2000 for _, text in arts)
        residue = [t for t, text in arts if "{{" in text or "[[" in text or "<ref" in text]
        assert len(residue) <= 3  # known: an unbalanced template (ASCII), two captions with brackets

    def test_bad_min_chars(self):
        with pytest.raises(ValueError, match="`min_chars` must be a positive integer"):
            corpus.articles(0)


class TestSegments:
    def test_one_segment_per_article_in_dump_order(self):
        segs = corpus.segments(_WordTokenizer(), 5, length=300)
        assert [s.index for s in segs] == list(range(5))
        assert all(len(s.ids) == 300 and s.ids.dtype == np.int64 for s in segs)
        assert segs[0].title == "Anarchism"

    def test_too_many_segments_is_a_clear_error(self):
        with pytest.raises(ValueError, match=r"fewer than `n`=1000"):
            corpus.segments(_WordTokenizer(), 1000, length=300)

    def test_short_text_is_a_clear_error(self):
        with pytest.raises(ValueError, match="the text has 3 tokens, fewer than the segment `length` 10"):
            corpus.segment_from_text(_WordTokenizer(), "three short words", 10)
        with pytest.raises(ValueError, match="`length` must be a positive integer"):
            corpus.segment_from_text(_WordTokenizer(), "x", 0)
        with pytest.raises(ValueError, match="`n` must be a positive integer"):
            corpus.segments(_WordTokenizer(), 0)
