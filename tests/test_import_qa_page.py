"""Parsing copied doctor Q&A pages: the example page, every irregular case, and text that is no such page."""

from pathlib import Path

import pytest

from bot.importers.qa_page import city_and_specialty, name_and_credentials, parse

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def page(name: str):
    return parse((FIXTURES / name).read_text(encoding="utf-8"), name)


def test_example_page_question_and_answer_count():
    parsed = page("hydrafacial-page.txt")
    assert parsed.rejected == ()
    (thread,) = parsed.threads
    assert thread.question == "Can I get a hydrafacial the week after lip filler?"  # "(Photo)" dropped
    assert thread.body == "I booked a facial for five days after my lip filler appointment. Should I move it?"
    assert len(thread.answers) == 3 and thread.place == "line 1"


def test_example_answer_with_title_name_and_rating():
    first = page("hydrafacial-page.txt").threads[0].answers[0]
    assert first.title == "Facials after filler"
    assert first.body == "Wait two weeks so the filler can settle; suction and massage on the lips can move it."
    assert (first.author.name, first.author.credentials) == ("Priya N. Okafor", "MD")
    assert (first.author.specialty, first.author.location) == ("Facial Plastic Surgeon", "Denver")
    assert (first.rating.stars, first.rating.reviews) == (4.8, 61)


def test_example_sign_off_stays_in_the_body_and_is_not_the_byline():
    second = page("hydrafacial-page.txt").threads[0].answers[1]
    assert second.title is None
    assert second.body == (
        "Thank you for your question. A facial that avoids the lips is fine after 48 hours.\n\n"
        "Best wishes,\nSam Reyes, D.O.\nSalt Lake City, UT"
    )
    assert (second.author.name, second.author.credentials) == ("Sam Reyes", "DO, FAAD")
    assert (second.author.specialty, second.author.location) == ("Dermatologist", "Salt Lake City")
    assert (second.rating.stars, second.rating.reviews) == (5.0, 9)


def test_example_answer_without_name_line_keeps_no_invented_name():
    parsed = page("hydrafacial-page.txt")
    third = parsed.threads[0].answers[2]
    assert third.title == "Hydrafacial timing" and third.body == "Most of my patients wait one week."
    assert third.author.name is None and third.author.credentials == ""
    assert (third.author.specialty, third.author.location) == ("Dermatologic Surgeon", "San Antonio")
    assert (third.rating.stars, third.rating.reviews) == (4.9, 140)
    # The missing name is said, with the line of the byline it is missing from.
    (warning,) = parsed.warnings
    assert (warning.place, warning.field) == ("line 29", "author.name")
    assert "San Antonio Dermatologic Surgeon" in warning.reason


def test_example_disclaimer_is_no_answer():
    answers = page("hydrafacial-page.txt").threads[0].answers
    assert not any("educational purposes" in a.body for a in answers)


def test_irregular_page():
    parsed = page("irregular-page.txt")
    (thread,) = parsed.threads
    assert thread.question == "Is it normal to have a headache 3 days after Botox?"  # "(Photos)" dropped
    assert thread.body is None
    first, second, third = thread.answers
    # No title, no rating; two credentials.
    assert first.title is None and first.rating is None
    assert (first.author.name, first.author.credentials) == ("Lena Hart", "MD, FACS")
    assert (first.author.specialty, first.author.location) == ("Oculoplastic Surgeon", "Boston")
    # Line breaks inside a paragraph are kept; the review count on its own line, with a thousands comma.
    assert second.title == "Tension headaches"
    assert (
        second.body
        == "Some patients get a mild headache for a few days.\nIf it is severe or you have vision changes, call us."
    )
    assert second.author.name == "Dr. Omar Faruk" and second.author.location == "Fort Lauderdale"
    assert (second.rating.stars, second.rating.reviews) == (4.7, 1204)
    # A title that ends in a specialty is not a byline; a city with a lowercase particle; "1 review".
    assert third.title == "Ask Your Dermatologist"
    assert third.author.name is None and third.author.location == "Coeur d'Alene"
    assert third.author.specialty == "Nurse Practitioner" and third.rating.reviews == 1


def test_irregular_page_warnings_count_mismatch_and_leftover_text():
    warnings = {(w.place, w.field): w.reason for w in page("irregular-page.txt").warnings}
    assert warnings[("line 2", "answers")] == "the page says 4 doctor answers but 3 were found"
    assert "Related questions" in warnings[("line 26", "page")]
    assert ("line 23", "author.name") in warnings


def test_text_that_is_no_qa_page_is_rejected_clearly():
    parsed = page("not-a-page.txt")
    assert parsed.threads == ()
    (problem,) = parsed.rejected
    assert str(problem).startswith("not-a-page.txt: (file): page: not a doctor Q&A page: no 'Doctor Answers N' line")


def test_page_without_bylines_is_rejected():
    parsed = parse("Can I tan after Botox?\n\nDoctor Answers 1\n\nYes, after a day.\n", "p.txt")
    (problem,) = parsed.rejected
    assert (problem.place, problem.field) == ("line 3", "answers") and "Denver Facial Plastic Surgeon" in problem.reason


def test_page_without_question_is_rejected():
    (problem,) = parse("Doctor Answers 1\n\nYes.\n\nJo Ray, MD\nDenver Dermatologist\n", "p.txt").rejected
    assert (problem.place, problem.field) == ("line 1", "question")


def test_byline_without_text_is_rejected_with_its_line():
    text = (
        "Can I tan after Botox?\nDoctor Answers 2\n\nWait a day.\n\nJo Ray, MD\nDenver Dermatologist\n"
        "4.0 out of 5 stars 3 reviews\n\nAl Moss, DO\nAustin Plastic Surgeon\n4.0 out of 5 stars 2 reviews\n"
    )
    parsed = parse(text, "p.txt")
    assert len(parsed.threads[0].answers) == 1
    (problem,) = parsed.rejected
    assert (problem.place, problem.field) == ("line 10", "body")


def test_lone_byline_without_name_or_rating_still_ends_an_answer():
    text = "Can I tan after Botox?\nDoctor Answer 2\n\nWait a day.\n\nDenver Dermatologist\n\nWait two days.\n\nAustin Plastic Surgeon\n"
    answers = parse(text, "p.txt").threads[0].answers
    assert [a.body for a in answers] == ["Wait a day.", "Wait two days."]
    assert [a.author.specialty for a in answers] == ["Dermatologist", "Plastic Surgeon"]


def test_unknown_specialty_before_a_rating_is_kept_whole_and_reported():
    text = "Can I tan after Botox?\nDoctor Answers\n\nWait a day.\n\nJo Ray, MD\nBoston Trichologist\n4.5 out of 5 stars 3 reviews\n"
    parsed = parse(text, "p.txt")
    author = parsed.threads[0].answers[0].author
    assert (author.specialty, author.location) == ("Boston Trichologist", "")
    assert [w.field for w in parsed.warnings] == ["author.specialty"]


def test_stars_without_review_count_are_left_out_and_reported():
    text = "Can I tan after Botox?\nDoctor Answers 1\n\nWait a day.\n\nJo Ray, MD\nDenver Dermatologist\n4.5 out of 5 stars\n"
    parsed = parse(text, "p.txt")
    assert parsed.threads[0].answers[0].rating is None
    assert [w.field for w in parsed.warnings] == ["rating"]


def test_windows_line_endings_and_non_breaking_spaces():
    text = (FIXTURES / "hydrafacial-page.txt").read_text(encoding="utf-8")
    parsed = parse(text.replace("\n", "\r\n").replace("Denver Facial", "Denver\u00a0Facial"), "p.txt")
    assert parsed.threads[0].answers[0].author.location == "Denver" and len(parsed.threads[0].answers) == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Denver Facial Plastic Surgeon", ("Denver", "Facial Plastic Surgeon", False)),
        ("Salt Lake City Dermatologist", ("Salt Lake City", "Dermatologist", False)),
        ("San Antonio Dermatologic Surgeon", ("San Antonio", "Dermatologic Surgeon", False)),
        ("New York Otolaryngologist", ("New York", "Otolaryngologist", False)),
        ("St. Louis Oculoplastic Surgeon", ("St. Louis", "Oculoplastic Surgeon", False)),
        ("Dermatologist", ("", "Dermatologist", False)),
        ("Houston Surgeon", ("Houston", "Surgeon", True)),
        ("Salt Lake City, UT", None),
        ("Ask Your Dermatologist", None),
        ("Please see a board-certified Dermatologist", None),
    ],
)
def test_city_and_specialty(line, expected):
    assert city_and_specialty(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Priya N. Okafor, MD", ("Priya N. Okafor", "MD")),
        ("Sam Reyes, DO, FAAD", ("Sam Reyes", "DO, FAAD")),
        ("Sam Reyes, D.O.", ("Sam Reyes", "D.O.")),
        ("Ana de la Cruz, PA-C", ("Ana de la Cruz", "PA-C")),
        ("Tom Lee", ("Tom Lee", "")),
        ("Most of my patients wait one week.", None),
        ("Best wishes,", None),
        ("Hydrafacial timing", None),
    ],
)
def test_name_and_credentials(line, expected):
    assert name_and_credentials(line) == expected
