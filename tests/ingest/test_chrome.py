import pytest

from discourse.ingest.chrome import is_chrome_line, strip_chrome

# Lines written by us in the shape real pages carry.
CHROME = [
    "Your browser is no longer supported",
    "Your browser is out of date. Please update your browser for the best experience on this site.",
    "For the best possible experience using our website we recommend you upgrade to a newer version.",
    "This site uses cookies. By continuing to browse the site you are agreeing to our use of cookies.",
    "We'll assume we have your consent to use cookies on this site.",
    "Learn more",
    "Accept all",
    "Skip to main content",
    "Accessability Links",
    "Home | News | Opinion | Events | Contact",
    "Share on LinkedIn",
    "Share this:",
    "Tweet",
    "– Comment",
    "3 Comments",
    "Have your say",
    "Add new comment",
    "You must sign in to make a comment",
    "You must be logged in to post a comment.",
    "Your email address will not be published. Required fields are marked *",
    "Links may be included in your comments but HTML is not permitted.",
    "Please remember that the submission of any material is governed by our Terms and Conditions.",
    "© 2016 Fictional Network. All rights reserved.",
    "Privacy policy | Terms of use",
    "5 min read",
    "Tags: leadership, public services",
    "This article was originally published in the Municipal Journal on 3 May 2019",
    "This blog first appeared on the Relational Practice blog, who kindly let us crosspost it.",
    "Posted on 14 March 2011",
    "March 3, 2014",
    "Subscribe to our newsletter for weekly updates",
]
BODY = [
    "Cookies and biscuits were the least of the cabinet's worries that winter.",
    "Leaders who listen build trust; leaders who shout build compliance.",
    "We need far fewer leaders, and far more leadership.",
    "The comment that stayed with me came from a care worker in Hull.",
    "In 2017 the council published its first joint plan with the health board.",
    "Home care visits rose by 12% between March 2014 and March 2015, the report said, "
    "as the authority shifted money from residential placements.",
    "Share the load, share the credit: that was the deal on the ward.",
]


@pytest.mark.parametrize("line", CHROME)
def test_chrome_lines_are_detected(line):
    assert is_chrome_line(line)


@pytest.mark.parametrize("line", BODY)
def test_body_lines_survive(line):
    assert not is_chrome_line(line)


def test_strip_chrome_keeps_body_in_order_and_reports_removed():
    text = "\n\n".join(["Skip to main content", BODY[1], "Tweet", BODY[2], "Back to top"])
    cleaned, removed = strip_chrome(text)
    assert cleaned == f"{BODY[1]}\n\n{BODY[2]}"
    assert removed == ["Skip to main content", "Tweet", "Back to top"]


def test_comment_tail_is_dropped_but_not_body_above_it():
    body = [f"Paragraph {i} of the argument about shared leadership in schools." for i in range(8)]
    tail = ["2 Comments", "Great piece, thanks.", "I disagree with the part about heads.", "Log in to Reply"]
    cleaned, _ = strip_chrome("\n\n".join(body + tail))
    assert cleaned == "\n\n".join(body)
