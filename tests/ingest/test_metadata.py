import pytest

from discourse.ingest.metadata import date_from_text, date_from_url, parse_date, read_manifest


@pytest.mark.parametrize(
    ("paras", "iso"),
    [
        (["This article was originally published in the Journal, on the 18th June 2024", "Body."], "2024-06-18"),
        (["Posted on 14 March 2011"], "2011-03-14"),
        (["Published: 2 September 2016"], "2016-09-02"),
        (["March 3, 2017"], "2017-03-03"),
        (["Updated 2022-11-08"], "2022-11-08"),
        (["First published in Municipal Review, May 2013"], "2013-05"),
        (["2017 was quite a year."], None),  # a year alone is not a date
        (["On 5 May 2015 the council voted to merge the two services, and the leader of the "
          "opposition said the decision would be remembered for a long time."], None),  # an event
        (["Posted on 31 February 2011"], "2011-02"),  # no such day: month and year stand
    ],
)
def test_date_from_text(paras, iso):
    assert date_from_text(paras) == iso


def test_parse_date_formats():
    assert parse_date("on 1st of March, 1999") == "1999-03-01"
    assert parse_date("Sept. 9, 2001") == "2001-09-09"
    assert parse_date("no date here 1234") is None


@pytest.mark.parametrize(
    ("url", "iso"),
    [
        ("https://www.example.org.uk/2013/02/11/superhead-myth/", "2013-02-11"),
        ("https://blog.example.com/2012/05/slug", "2012-05"),
        ("https://example.com/news/2019/", "2019"),
        ("https://example.com/article-12345", None),
        (None, None),
    ],
)
def test_date_from_url(url, iso):
    assert date_from_url(url) == iso


def test_manifest_reads_rows_and_reports_bad_ones(tmp_path):
    (tmp_path / "sources.csv").write_text(
        "file,title,author,year,published\n"
        "a.txt,A title,Ann Lee,2018,\n"
        "b.txt,B,,20015,\n"
        "c.txt,C,,circa 1999,\n"
        "../../etc/passwd,evil,,2001,\n"
        "d.txt,D,,,2012-05-17\n",
        encoding="utf-8",
    )
    rows, problems = read_manifest(tmp_path)
    assert rows["a.txt"].year == 2018 and rows["a.txt"].author == "Ann Lee"
    assert rows["b.txt"].year is None and rows["c.txt"].year is None
    assert rows["d.txt"].year == 2012 and rows["d.txt"].published == "2012-05-17"
    assert "../../etc/passwd" not in rows
    assert len(problems) == 3
    assert any("20015" in p for p in problems) and any("not a plain name" in p for p in problems)


def test_manifest_without_file_column(tmp_path):
    (tmp_path / "sources.csv").write_text("name,year\na.txt,2001\n", encoding="utf-8")
    rows, problems = read_manifest(tmp_path)
    assert rows == {} and "no 'file' column" in problems[0]
