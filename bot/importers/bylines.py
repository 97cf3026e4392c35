"""Who wrote an answer on a copied Q&A page: the byline under it ("Name, MD" / "City Specialty" / stars), or,
on other sites, the line before it ("Name (City, ST) on Oct 20, 2011")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

# Specialties as such pages print them. Matched longest first, so "Facial Plastic Surgeon" wins over
# "Plastic Surgeon" and the words before the match are the city.
SPECIALTIES = (
    "Facial Plastic Surgeon",
    "Facial Plastic and Reconstructive Surgeon",
    "Plastic Surgeon",
    "Plastic and Reconstructive Surgeon",
    "Reconstructive Surgeon",
    "Cosmetic Surgeon",
    "Dermatologic Surgeon",
    "Mohs Surgeon",
    "Dermatologist",
    "Cosmetic Dermatologist",
    "Oculoplastic Surgeon",
    "Oculofacial Plastic Surgeon",
    "Ophthalmic Plastic Surgeon",
    "Ophthalmologist",
    "Otolaryngologist",
    "ENT Surgeon",
    "Head and Neck Surgeon",
    "Oral and Maxillofacial Surgeon",
    "Maxillofacial Surgeon",
    "Oral Surgeon",
    "Hair Restoration Surgeon",
    "Hair Transplant Surgeon",
    "Breast Surgeon",
    "General Surgeon",
    "Vascular Surgeon",
    "Bariatric Surgeon",
    "Phlebologist",
    "Aesthetic Physician",
    "Cosmetic Physician",
    "Family Physician",
    "Family Medicine Physician",
    "Internal Medicine Physician",
    "Emergency Medicine Physician",
    "Internist",
    "Anesthesiologist",
    "Radiologist",
    "Interventional Radiologist",
    "Endocrinologist",
    "Gynecologist",
    "Obstetrician-Gynecologist",
    "OB-GYN",
    "Urogynecologist",
    "Urologist",
    "Nurse Practitioner",
    "Physician Assistant",
    "Registered Nurse",
    "Nurse Injector",
    "Aesthetic Nurse",
    "Aesthetic Nurse Practitioner",
    "Cosmetic Dentist",
    "Dentist",
    "Orthodontist",
    "Periodontist",
    "Prosthodontist",
    "Aesthetician",
    "Esthetician",
    "Medical Aesthetician",
    "Laser Specialist",
)
# Bare words that still end a byline but say little; a match on one of these is reported for checking.
GENERIC_SPECIALTIES = ("Surgeon", "Physician", "Doctor", "Nurse", "Specialist", "Practitioner")
_BY_LENGTH = sorted(SPECIALTIES + GENERIC_SPECIALTIES, key=len, reverse=True)

RATING = re.compile(r"^(\d+(?:\.\d+)?)\s+out of\s+5\s+stars?(?:\s+([\d,]+)\s+reviews?)?$", re.IGNORECASE)
_REVIEWS = re.compile(r"^([\d,]+)\s+reviews?$", re.IGNORECASE)
_CREDENTIAL = re.compile(r"^[A-Z][A-Za-z.()/-]{1,11}$")
_WORD = re.compile(r"^[^\W\d_][\w.'’-]*$")
_PARTICLES = {
    "de",
    "del",
    "della",
    "der",
    "di",
    "da",
    "do",
    "dos",
    "du",
    "la",
    "las",
    "le",
    "les",
    "los",
    "van",
    "von",
    "of",
    "on",
    "upon",
    "y",
    "bin",
    "al",
}
# Capitalised words that open titles and sentences ("Ask Your Dermatologist"), never part of a city.
_NOT_CITY = {
    "ask",
    "see",
    "consult",
    "visit",
    "find",
    "choose",
    "your",
    "my",
    "our",
    "a",
    "an",
    "i",
    "dr",
    "doctor",
    "board",
    "certified",
    "board-certified",
    "experienced",
    "qualified",
    "expert",
    "licensed",
    "good",
    "best",
    "top",
    "local",
    "trusted",
    "skilled",
}
_ROMAN = {"II", "III", "IV"}
# Closings of a letter: "Best, Dr. Ito" or "Good Luck" read like names but are the answer's own sign-off.
_CLOSING = re.compile(
    r"^(?:best(?: wishes| regards)?|(?:kind|warm)(?:est)? regards|warmly|regards|sincerely(?: yours)?|yours truly|"
    r"respectfully|cheers|all the best|take care|thanks|thank you|many thanks|good luck)\b",
    re.IGNORECASE,
)
_MONTHS = {
    m: k
    for k, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
_BEFORE = re.compile(
    r"^(?P<who>[^()]+?)\s*\((?P<where>[^()]+)\)\s*(?:on\s+|[-–—·|]\s*)?"
    r"(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})$"
)


@dataclass(frozen=True)
class Byline:
    """The lines of one answer's byline: who wrote it, where, and their rating. `start`/`end` are line indexes."""

    start: int
    end: int
    anchor: int
    name: str | None
    credentials: str
    specialty: str
    location: str
    rating: tuple[float, int | None] | None  # reviews None: the page gave stars without a review count
    doubt: str | None  # why the city/specialty split should be checked, if it should
    date: dt.date | None = None


def _is_credential(part: str) -> bool:
    return bool(_CREDENTIAL.match(part)) and sum(c.isupper() for c in part) >= 2 and part not in _ROMAN


def _credentials_only(line: str) -> bool:
    parts = [p.strip() for p in line.split(",")]
    return bool(line) and all(_is_credential(p) for p in parts)


def _is_name(text: str, tokens_min: int) -> bool:
    words = text.replace(",", " ").split()
    return tokens_min <= len(words) <= 6 and all(
        _WORD.match(w) and (w[0].isupper() or w.lower() in _PARTICLES) for w in words
    )


def name_and_credentials(line: str) -> tuple[str, str] | None:
    """Split "Sam Reyes, DO, FAAD" into ("Sam Reyes", "DO, FAAD"); None if the line is not a name line."""
    line = line.strip().rstrip(",").strip()  # "Mara Quell, MD," when the credentials go on over the next line
    if _CLOSING.match(line):
        return None
    parts = [p.strip() for p in line.split(",")]
    first = next((k for k, p in enumerate(parts) if k > 0 and _is_credential(p)), len(parts))
    name, credentials = ", ".join(parts[:first]), parts[first:]
    if not all(_is_credential(c) for c in credentials):
        return None
    # Without credentials a lone word is too likely to be something else; ask for a first and last name.
    if not _is_name(name, tokens_min=1 if credentials else 2):
        return None
    return name, ", ".join(credentials)


def is_city(text: str) -> bool:
    """Whether `text` reads as a place name: "Coeur d'Alene", "Salt Lake City, UT"."""
    words = text.replace(",", " ").split()
    return 0 < len(words) <= 5 and all(
        _WORD.match(w)
        and (w[0].isupper() or w.lower() in _PARTICLES or w.lower().startswith(("d'", "l'")))
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
            if city and not is_city(city):
                return None
            return city, line[len(line) - len(specialty) :], specialty in GENERIC_SPECIALTIES
    return None


def _surname(name: str | None) -> str | None:
    words = [w for w in (name or "").split() if w.rstrip(".").lower() not in ("dr", "doctor")]
    return words[-1].strip(".,").casefold() if words else None


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two renderings of a name are the same clinician: "Dr. Quell" and "Mara Quell"."""
    return _surname(a) is not None and _surname(a) == _surname(b)


def _rating(lines: list[str], i: int) -> tuple[tuple[float, int | None] | None, int]:
    """The rating at the first non-blank line from `i`, as (stars, reviews), and the index of its last line."""
    while i < len(lines) and not lines[i]:
        i += 1
    match = RATING.match(lines[i]) if i < len(lines) else None
    if not match:
        return None, i - 1
    reviews = match.group(2)
    # Some copies put "61 reviews" on a line of its own.
    if reviews is None and i + 1 < len(lines) and (split := _REVIEWS.match(lines[i + 1])):
        reviews, i = split.group(1), i + 1
    return (float(match.group(1)), int(reviews.replace(",", "")) if reviews else None), i


def _names_above(lines: list[str], i: int, segment_start: int) -> tuple[int, str | None, str] | None:
    """(first line, name, credentials) on the lines just above line `i`: one name line, credentials going on
    over a second line, or the name twice (in full and short)."""
    group: list[tuple[int, str, object]] = []
    k = i - 1
    while k >= segment_start and lines[k] and len(group) < 3:
        if _credentials_only(lines[k].rstrip(",")):
            group.insert(0, (k, "credentials", lines[k].rstrip(",").strip()))
        elif (named := name_and_credentials(lines[k])) is not None:
            group.insert(0, (k, "name", named))
        else:
            break
        k -= 1
    entries: list[tuple[int, str | None, list[str]]] = []
    for k, kind, value in group:
        if kind == "name":
            name, credentials = cast("tuple[str, str]", value)  # a "name" entry holds name_and_credentials()
            entries.append((k, name, [credentials] if credentials else []))
        elif entries:
            entries[-1][2].append(value)  # type: ignore[arg-type]
        else:
            entries.append((k, None, [value]))  # type: ignore[list-item]
    if not entries:
        return None
    nearest = entries[-1]
    # Only the line nearest the byline is the name, unless the one above it names the same clinician; a name-like
    # line of another person above it is the answer's own text.
    if len(entries) >= 2 and same_person(entries[-2][1], nearest[1]):
        fuller = max(entries[-2:], key=lambda e: (len(e[2]), len(e[1] or "")))
        return entries[-2][0], fuller[1], ", ".join(fuller[2])
    return nearest[0], nearest[1], ", ".join(nearest[2])


def byline_at(lines: list[str], i: int, segment_start: int) -> Byline | None:
    """The byline whose "City Specialty" line is line `i`, if it is one."""
    line = lines[i]
    if not line or RATING.match(line):
        return None
    split = city_and_specialty(line)
    rating, end = _rating(lines, i + 1)
    has_rating = rating is not None
    names = _names_above(lines, i, segment_start)
    has_text = any(lines[segment_start : names[0] if names else i])
    doubt = None
    if split is None:
        # An unknown specialty still ends a byline when a rating line follows it; keep the line whole.
        if not has_rating or not is_city(line):
            return None
        split = ("", line, False)
        doubt = f"unknown specialty in '{line}'; kept whole as the specialty, with no location"
    elif split[2]:
        doubt = f"only the generic specialty '{split[1]}' was recognised in '{line}'; check the city and specialty"
    if not names and not has_rating:
        # A lone "City Specialty" paragraph: a byline only if it closes some answer text, so an answer title
        # such as "Ask Your Dermatologist" (which opens an answer) is not taken for one.
        alone = not lines[i - 1] and (i + 1 == len(lines) or not lines[i + 1])
        if not (alone and has_text):
            return None
    city, specialty, _ = split
    return Byline(
        start=names[0] if names else i,
        end=max(end, i),
        anchor=i,
        name=names[1] if names else None,
        credentials=names[2] if names else "",
        specialty=specialty,
        location=city,
        rating=rating,
        doubt=doubt,
    )


def _text_between(lines: list[str], start: int, stop: int) -> bool:
    return any(lines[start:stop])


def bylines_under(lines: list[str], start: int) -> tuple[list[Byline], list[Byline]]:
    """Every byline under an answer from line `start` on, and the byline copies found just above real ones."""
    found, segment_start, i = [], start, start
    while i < len(lines):
        byline = byline_at(lines, i, segment_start)
        if byline is None:
            i += 1
            continue
        found.append(byline)
        segment_start = i = byline.end + 1
    # A sign-off inside an answer can read as a byline ("Dr. Jo Ray" / "Denver Dermatologist"); the page's own
    # byline then follows it with no text between. Such a copy, unrated and naming the same clinician (or no one),
    # is set apart instead of leaving the real byline with no answer above it.
    kept: list[Byline] = []
    copies: list[Byline] = []
    for k, byline in enumerate(found):
        following = found[k + 1] if k + 1 < len(found) else None
        if (
            following is not None
            and byline.rating is None
            and not _text_between(lines, byline.end + 1, following.start)
            and (byline.name is None or same_person(byline.name, following.name))
        ):
            copies.append(byline)
        else:
            kept.append(byline)
    return kept, copies


def before_byline(line: str) -> tuple[str, str, str, dt.date] | None:
    """Split "Dr. Hana Ito (Austin, TX) on Oct 20, 2011" into (name, credentials, location, date), or None."""
    match = _BEFORE.match(line)
    if not match:
        return None
    month = _MONTHS.get(match["month"][:3].lower())
    named = name_and_credentials(match["who"])
    if month is None or named is None or not is_city(match["where"]):
        return None
    try:
        date = dt.date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None
    return named[0], named[1], match["where"].strip(), date


def bylines_before(lines: list[str], start: int) -> list[Byline]:
    """Every "Name (City, ST) on Oct 20, 2011" line from line `start` on, as bylines heading the answer below."""
    found = []
    for i in range(start, len(lines)):
        parsed = before_byline(lines[i]) if lines[i] else None
        if parsed is not None:
            name, credentials, location, date = parsed
            found.append(
                Byline(
                    start=i,
                    end=i,
                    anchor=i,
                    name=name,
                    credentials=credentials,
                    specialty="",
                    location=location,
                    rating=None,
                    doubt=None,
                    date=date,
                )
            )
    return found
