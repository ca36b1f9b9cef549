import pytest

from discourse.ingest.pieces import byline_name, split_pieces, strip_bio

PROSE = ("Our teams found that the most useful thing a director can do is to ask the people "
         "closest to the work what gets in their way, and then remove it without fuss.")
PROSE2 = ("The waiting list fell by a third in a year, and the staff survey showed the highest "
          "scores on trust that the service had recorded since the survey began.")

COMPILATION = "\n\n".join([
    "Why the ward ran itself",
    "By Hannah Oduya",
    PROSE,
    "Hannah Oduya is director of nursing at Fenbridge Trust.",
    "Stop waiting for a saviour, writes Tom Alder",
    PROSE2,
    "The numbers behind the rota",
    PROSE + " " + PROSE2,
    "One leader, one plan",
    "Priya Shah",
    "Priya Shah",
    PROSE2,
])


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By Hannah Oduya", "Hannah Oduya"),
        ("Hannah Oduya", "Hannah Oduya"),
        ("Written by: Dr Elaine Sutcliffe", "Dr Elaine Sutcliffe"),
        ("Hannah Oduya, Director of Nursing", "Hannah Oduya"),
        ("Hannah Oduya\nHannah Oduya", "Hannah Oduya"),
        ("Leading Change Together", None),
        ("The council said.", None),
        ("Menu", None),
    ],
)
def test_byline_name(line, name):
    assert byline_name(line) == name


def test_compilation_is_split_with_titles_and_authors():
    pieces = split_pieces(COMPILATION)
    assert [(p.title, p.author) for p in pieces] == [
        ("Why the ward ran itself", "Hannah Oduya"),
        ("Stop waiting for a saviour", "Tom Alder"),
        ("The numbers behind the rota", None),
        ("One leader, one plan", "Priya Shah"),
    ]
    assert pieces[0].text == PROSE  # bio dropped, byline lifted
    assert pieces[3].text == PROSE2  # repeated caption + byline lifted


def test_single_article_keeps_one_piece_and_lifts_title():
    text = "\n\n".join(["Leadership should be shared", "By Ann Lee", PROSE, PROSE2])
    pieces = split_pieces(text)
    assert len(pieces) == 1
    assert (pieces[0].title, pieces[0].author) == ("Leadership should be shared", "Ann Lee")
    assert pieces[0].text == f"{PROSE}\n\n{PROSE2}"


def test_subheadings_do_not_split_a_single_article():
    text = "\n\n".join([PROSE, "What changed", PROSE2, "What next", PROSE])
    pieces = split_pieces(text)
    assert len(pieces) == 1
    assert "What changed" in pieces[0].text and "What next" in pieces[0].text


def test_sign_off_line_is_not_a_new_piece():
    text = "\n\n".join(["Title of the post", "By Ann Lee", PROSE, "In other words, trust.",
                        "Ann Lee, chief executive, Fenbridge Trust"])
    pieces = split_pieces(text)
    assert len(pieces) == 1
    assert pieces[0].text.endswith("In other words, trust.")


def test_strip_bio_only_drops_bios():
    body = [PROSE, "Councillor Ray Fenn, who chairs the board, told me trust is not optional."]
    assert strip_bio(body, "Ann Lee") == body
    assert strip_bio([PROSE, "Ann Lee is chief executive of Fenbridge Trust."], "Ann Lee") == [PROSE]
    assert strip_bio([PROSE, "Jo Park has over two decades of coaching experience."], None) == [PROSE]


def test_no_text_invented():
    for piece in split_pieces(COMPILATION):
        for block in piece.text.split("\n\n"):
            assert block in COMPILATION
