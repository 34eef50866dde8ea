"""What the case-file renderer may fetch, and how text reaches the running header safely."""

from __future__ import annotations

import pytest

from bco.reports.pdf import TEMPLATES, ConfinedFetcher, css_string, page_of


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:5000/healthz",
                                 "https://example.org/font.woff",
                                 f"file://{TEMPLATES}/../pdf.py"])
def test_the_fetcher_refuses_the_network_and_other_files(url: str) -> None:
    with pytest.raises(ValueError):
        ConfinedFetcher().fetch(url)


def test_the_fetcher_reads_its_own_stylesheet_and_data_urls() -> None:
    own = ConfinedFetcher().fetch(f"file://{TEMPLATES}/casefile.css")
    assert b"@page" in own.read()
    own.close()
    data = ConfinedFetcher().fetch("data:text/plain;base64,aGFsbG8=")
    assert data.read() == b"hallo"


def test_header_text_cannot_leave_its_css_string() -> None:
    quoted = str(css_string('C-1 "</style><script>'))
    assert quoted.startswith('"') and quoted.endswith('"')
    assert "</style>" not in quoted and '"' not in quoted[1:-1]
    assert quoted == '"C-1 \\22 \\3C /style\\3E \\3C script\\3E "'


def test_page_x_of_y_in_any_word_order() -> None:
    assert str(page_of("page {page} of {pages}")) == (
        '"page " counter(page) " of " counter(pages)')
    assert str(page_of("{page}/{pages}")) == 'counter(page) "/" counter(pages)'
