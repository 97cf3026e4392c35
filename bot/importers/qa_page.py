"""Parse the plain text of a public doctor Q&A page, as a person copies it from the browser.

The page reads: the question title (maybe ending "(Photo)"), an optional question body, "Doctor Answers N",
then each answer as [title] body, [name, credentials], "City Specialty", [rating], and the site's disclaimer.
Only the "City Specialty" line is always there, so it anchors each answer's byline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError

from bot.corpus import Answer
from bot.importers.records import ImportedThread, ParsedFile, Problem, schema_problems

# Specialties as such pages print them. Matched longest first, so "Facial Plastic Surgeon" wins over
# "Plastic Surgeon" and the words before the match are the city.
SPECIALTIES = (
    "Facial Plastic Surgeon", "Facial Plastic and Reconstructive Surgeon", "Plastic Surgeon",
    "Plastic and Reconstructive Surgeon", "Reconstructive Surgeon", "Cosmetic Surgeon", "Dermatologic Surgeon",
    "Mohs Surgeon", "Dermatologist", "Cosmetic Dermatologist", "Oculoplastic Surgeon", "Oculofacial Plastic Surgeon",
    "Ophthalmic Plastic Surgeon", "Ophthalmologist", "Otolaryngologist", "ENT Surgeon", "Head and Neck Surgeon",
    "Oral and Maxillofacial Surgeon", "Maxillofacial Surgeon", "Oral Surgeon", "Hair Restoration Surgeon",
    "Hair Transplant Surgeon", "Breast Surgeon", "General Surgeon", "Vascular Surgeon", "Bariatric Surgeon",
    "Phlebologist", "Aesthetic Physician", "Cosmetic Physician", "Family Physician", "Family Medicine Physician",
    "Internal Medicine Physician", "Emergency Medicine Physician", "Internist", "Anesthesiologist", "Radiologist",
    "Interventional Radiologist", "Endocrinologist", "Gynecologist", "Obstetrician-Gynecologist", "OB-GYN",
    "Urogynecologist", "Urologist", "Nurse Practitioner", "Physician Assistant", "Registered Nurse", "Nurse Injector",
    "Aesthetic Nurse", "Aesthetic Nurse Practitioner", "Cosmetic Dentist", "Dentist", "Orthodontist", "Periodontist",
    "Prosthodontist", "Aesthetician", "Esthetician", "Medical Aesthetician", "Laser Specialist",
)
# Bare words that still end a byline but say little; a match on one of these is reported for checking.
GENERIC_SPECIALTIES = ("Surgeon", "Physician", "Doctor", "Nurse", "Specialist", "Practitioner")
_BY_LENGTH = sorted(SPECIALTIES + GENERIC_SPECIALTIES, key=len, reverse=True)

_PHOTO = re.compile(r"\s*\(photos?\)\s*$", re.IGNORECASE)
_HEADER = re.compile(r"^(?:(\d+)\s+)?doctor answers?(?:\s*\(?(\d+)\)?)?$", re.IGNORECASE)
_RATING = re.compile(r"^(\d+(?:\.\d+)?)\s+out of\s+5\s+stars?(?:\s+([\d,]+)\s+reviews?)?$", re.IGNORECASE)
_REVIEWS = re.compile(r"^([\d,]+)\s+reviews?$", re.IGNORECASE)
_DISCLAIMER = re.compile(r"educational purposes|substitute for (?:professional )?medical advice", re.IGNORECASE)
_CREDENTIAL = re.compile(r"^[A-Z][A-Za-z.()/-]{1,11}$")
_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
_PARTICLES = {"de", "del", "della", "der", "di", "da", "do", "dos", "du", "la", "las", "le", "les", "los", "van", "von",
              "of", "on", "upon", "y", "bin", "al"}
# Capitalised words that open titles and sentences ("Ask Your Dermatologist"), never part of a city.
_NOT_CITY = {"ask", "see", "consult", "visit", "find", "choose", "your", "my", "our", "a", "an", "i", "dr", "doctor",
             "board", "certified", "board-certified", "experienced", "qualified", "expert", "licensed", "good", "best",
             "top", "local", "trusted", "skilled"}
_ROMAN = {"II", "III", "IV"}


@dataclass(frozen=True)
class Byline:
    """The lines under an answer: who wrote it, where, and their rating. `start`/`end` are line indexes."""

    start: int
    end: int
    anchor: int
    name: str | None
    credentials: str
    specialty: str
    location: str
    rating: tuple[float, int | None] | None  # reviews None: the page gave stars without a review count
    doubt: str | None  # why the city/specialty split should be checked, if it should


def _is_credential(part: str) -> bool:
    return bool(_CREDENTIAL.match(part)) and sum(c.isupper() for c in part) >= 2 and part not in _ROMAN


def _is_name(text: str, tokens_min: int) -> bool:
    words = text.replace(",", " ").split()
    return tokens_min <= len(words) <= 6 and all(
        _WORD.match(w) and (w[0].isupper() or w.lower() in _PARTICLES) for w in words
    )


def name_and_credentials(line: str) -> tuple[str, str] | None:
    """Split "Sam Reyes, DO, FAAD" into ("Sam Reyes", "DO, FAAD"); None if the line is not a name line."""
    parts = [p.strip() for p in line.split(",")]
    first = next((k for k, p in enumerate(parts) if k > 0 and _is_credential(p)), len(parts))
    name, credentials = ", ".join(parts[:first]), parts[first:]
    if not all(_is_credential(c) for c in credentials):
        return None
    # Without credentials a lone word is too likely to be something else; ask for a first and last name.
    if not _is_name(name, tokens_min=1 if credentials else 2):
        return None
    return name, ", ".join(credentials)


def _is_city(text: str) -> bool:
    words = text.replace(",", " ").split()
    return len(words) <= 5 and all(
        _WORD.match(w) and (w[0].isupper() or w.lower() in _PARTICLES or w.lower().startswith(("d'", "l'")))
        and w.lower().strip(".") not in _NOT_CITY
        for w in words
    )


def city_and_specialty(line: str) -> tuple[str, str, bool] | None:
    """Split "Salt Lake City Dermatologist" into ("Salt Lake City", "Dermatologist", generic?); None if it is no
    such line. The longest known specialty the line ends with wins; what comes before it must read as a city."""
    lowered = line.lower()
    for specialty in _BY_LENGTH:
        if lowered == specialty.lower() or lowered.endswith(" " + specialty.lower()):
            city = line[: len(line) - len(specialty)].strip().rstrip(",").strip()
            if city and not _is_city(city):
                return None
            return city, line[len(line) - len(specialty):], specialty in GENERIC_SPECIALTIES
    return None


def _rating(lines: list[str], i: int) -> tuple[tuple[float, int | None] | None, int]:
    """The rating at the first non-blank line from `i`, as (stars, reviews), and the index of its last line."""
    while i < len(lines) and not lines[i]:
        i += 1
    match = _RATING.match(lines[i]) if i < len(lines) else None
    if not match:
        return None, i - 1
    reviews = match.group(2)
    # Some copies put "61 reviews" on a line of its own.
    if reviews is None and i + 1 < len(lines) and (split := _REVIEWS.match(lines[i + 1])):
        reviews, i = split.group(1), i + 1
    return (float(match.group(1)), int(reviews.replace(",", "")) if reviews else None), i


def _byline_at(lines: list[str], i: int, segment_start: int) -> Byline | None:
    """The byline whose "City Specialty" line is line `i`, if it is one."""
    line = lines[i]
    if not line or _RATING.match(line):
        return None
    split = city_and_specialty(line)
    rating, end = _rating(lines, i + 1)
    has_rating = rating is not None
    named = name_and_credentials(lines[i - 1]) if i - 1 >= segment_start and lines[i - 1] else None
    has_text = any(lines[segment_start : i - 1 if named else i])
    doubt = None
    if split is None:
        # An unknown specialty still ends a byline when a rating line follows it; keep the line whole.
        if not has_rating or not _is_city(line):
            return None
        split = ("", line, False)
        doubt = f"unknown specialty in '{line}'; kept whole as the specialty, with no location"
    elif split[2]:
        doubt = f"only the generic specialty '{split[1]}' was recognised in '{line}'; check the city and specialty"
    if not named and not has_rating:
        # A lone "City Specialty" paragraph: a byline only if it closes some answer text, so an answer title
        # such as "Ask Your Dermatologist" (which opens an answer) is not taken for one.
        alone = not lines[i - 1] and (i + 1 == len(lines) or not lines[i + 1])
        if not (alone and has_text):
            return None
    city, specialty, _ = split
    return Byline(
        start=i - 1 if named else i,
        end=max(end, i),
        anchor=i,
        name=named[0] if named else None,
        credentials=named[1] if named else "",
        specialty=specialty,
        location=city,
        rating=rating,
        doubt=doubt,
    )


def _bylines(lines: list[str], start: int) -> list[Byline]:
    found, segment_start, i = [], start, start
    while i < len(lines):
        byline = _byline_at(lines, i, segment_start)
        if byline is None:
            i += 1
            continue
        found.append(byline)
        segment_start = i = byline.end + 1
    return found


def _paragraphs(lines: list[str]) -> list[str]:
    result, current = [], []
    for line in lines + [""]:
        if line:
            current.append(line)
        elif current:
            result.append("\n".join(current))
            current = []
    return result


def _is_title(paragraph: str) -> bool:
    return "\n" not in paragraph and len(paragraph) <= 100 and len(paragraph.split()) <= 12 and not paragraph.endswith(
        (".", "!", ",", ";", ":")
    )


def _first_text_line(lines: list[str], start: int, stop: int) -> int:
    return next((k for k in range(start, stop) if lines[k]), start)


def parse(text: str, file: str) -> ParsedFile:
    """Read one copied Q&A page into a thread; say clearly when the text is not such a page."""
    lines = [" ".join(line.split()) for line in text.replace("\u00a0", " ").splitlines()]

    def reject(place: str, field: str, reason: str) -> ParsedFile:
        return ParsedFile(file, rejected=(Problem(file, place, field, reason),))

    header = next((k for k, line in enumerate(lines) if _HEADER.match(line)), None)
    if header is None:
        return reject("(file)", "page", "not a doctor Q&A page: no 'Doctor Answers N' line between the question and "
                      "the answers")
    title_at = next((k for k in range(header) if lines[k]), None)
    if title_at is None:
        return reject(f"line {header + 1}", "question", "no question title above 'Doctor Answers'")
    question = _PHOTO.sub("", lines[title_at])
    body = "\n\n".join(_paragraphs(lines[title_at + 1 : header])) or None
    match = _HEADER.match(lines[header])
    stated = match.group(1) or match.group(2)

    bylines = _bylines(lines, header + 1)
    if not bylines:
        return reject(f"line {header + 1}", "answers", "no answers found: each answer should end with a line of city "
                      "and specialty, such as 'Denver Facial Plastic Surgeon'")

    answers: list[Answer] = []
    rejected: list[Problem] = []
    warnings: list[Problem] = []
    previous_end = header
    for byline in bylines:
        segment = lines[previous_end + 1 : byline.start]
        place = f"line {_first_text_line(lines, previous_end + 1, byline.start) + 1}"
        previous_end = byline.end
        paras = _paragraphs(segment)
        if not paras:
            rejected.append(Problem(file, f"line {byline.start + 1}", "body", "no answer text above this byline"))
            continue
        title = paras.pop(0) if len(paras) > 1 and _is_title(paras[0]) else None
        author = {"name": byline.name, "credentials": byline.credentials, "specialty": byline.specialty,
                  "location": byline.location}
        stars, reviews = byline.rating or (None, None)
        rating = {"stars": stars, "reviews": reviews} if reviews is not None else None
        try:
            answers.append(Answer.model_validate(
                {"author": author, "title": title, "body": "\n\n".join(paras), "rating": rating}
            ))
        except ValidationError as exc:
            rejected.extend(schema_problems(exc, file, place))
            continue
        at = f"line {byline.anchor + 1}"
        if byline.name is None:
            warnings.append(Problem(file, at, "author.name", f"no name line above '{lines[byline.anchor]}'; "
                                    "the answer is kept without an author name"))
        if stars is not None and reviews is None:
            warnings.append(Problem(file, at, "rating", "stars without a review count; the rating was left out"))
        if byline.doubt:
            warnings.append(Problem(file, at, "author.specialty", byline.doubt))

    tail = lines[previous_end + 1 :]
    disclaimer = next((k for k, line in enumerate(tail) if _DISCLAIMER.search(line)), len(tail))
    leftover = next((k for k in range(disclaimer) if tail[k]), None)
    if leftover is not None:
        at = previous_end + 1 + leftover
        warnings.append(Problem(file, f"line {at + 1}", "page", f"text after the last byline was ignored: "
                                f"'{lines[at][:60]}' (an answer needs a 'City Specialty' line under it)"))
    if stated is not None and int(stated) != len(bylines):
        warnings.append(Problem(file, f"line {header + 1}", "answers", f"the page says {stated} doctor answers "
                                f"but {len(bylines)} were found"))
    threads = ()
    if answers:
        threads = (ImportedThread(question=question, body=body, answers=tuple(answers), file=file,
                                  place=f"line {title_at + 1}"),)
    return ParsedFile(file, threads=threads, rejected=tuple(rejected), warnings=tuple(warnings))
