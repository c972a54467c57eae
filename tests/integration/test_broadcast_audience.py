"""Who a broadcast reaches, on SQLite and PostgreSQL: every audience kind, the contacts left out
(opted out, invalid numbers, web chat), the default language, uploaded lists, and the preview's
counts taken from the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.broadcasting.audience import Audience, AudienceError, ensure_list_contacts, parse_numbers
from bot.broadcasting.preview import preview
from bot.broadcasting.recipients import exclusions, recipients, recipients_by_language
from bot.models import Contact, ParentCollegeSession, Registration, School

PRICE = 0.0083


def _school_id(session, slug):
    return session.scalar(select(School.id).where(School.slug == slug))


def _contact(session, phone, language=None, school=None, **fields):
    contact = Contact(
        phone=phone,
        language=language,
        school_id=_school_id(session, school) if school else None,
        **fields,
    )
    session.add(contact)
    session.flush()
    return contact


def _reached(session, data, default_language="es"):
    """{phone: language} of everyone the audience would text."""
    audience = Audience.parse(data, session)
    rows = session.execute(recipients(session, audience, default_language)).all()
    assert len(rows) == len({row.phone for row in rows}), "one row per phone"
    return {row.phone: row.language for row in rows}


@pytest.fixture
def families(sessions):
    """A school year's worth of edge cases, in as few families as it takes."""
    with sessions() as session:
        _contact(session, "+13235550101", "en", "markham")
        _contact(session, "+13235550102", "es", "markham")
        _contact(session, "+13235550103", None, "markham")  # language never learnt
        _contact(session, "+13235550104", "es", "grape-street")  # also in Watts
        _contact(session, "+13235550105", "en", "gompers")  # South LA
        _contact(session, "+13235550106", "es", "roosevelt")  # Boyle Heights
        _contact(session, "+13235550107", "es", "markham", opted_out=True)
        _contact(session, "555", "es", "markham", phone_valid=False)  # Twilio's raw From
        # A web chat visitor: no phone, never texted.
        session.add(Contact(web_chat_id="browser-1", phone_valid=False, language="es"))
        session.commit()
    return sessions


def test_everyone_means_every_textable_phone(families):
    with families() as session:
        reached = _reached(session, {"kind": "everyone"})
        assert reached == {
            "+13235550101": "en",
            "+13235550102": "es",
            "+13235550103": "es",
            "+13235550104": "es",
            "+13235550105": "en",
            "+13235550106": "es",
        }
        left_out = exclusions(session, Audience.parse({"kind": "everyone"}), "es")
        assert (left_out.opted_out, left_out.invalid, left_out.duplicates) == (1, 1, 0)
        assert left_out.total == 2


def test_a_contact_without_a_language_gets_the_default_one(families):
    with families() as session:
        assert _reached(session, {"kind": "everyone"}, "en")["+13235550103"] == "en"


def test_school_means_the_familys_school(families):
    with families() as session:
        reached = _reached(session, {"kind": "school", "school": "markham"})
        assert set(reached) == {"+13235550101", "+13235550102", "+13235550103"}
        audience = Audience.parse({"kind": "school", "school": "markham"}, session)
        assert audience.describe() == "Families of Markham Middle School"
        left_out = exclusions(session, audience, "es")
        assert (left_out.opted_out, left_out.invalid) == (1, 1)
        assert _reached(session, {"kind": "school", "school": "mendez"}) == {}


def test_neighborhood_means_the_schools_in_it(families):
    with families() as session:
        watts = _reached(session, {"kind": "neighborhood", "neighborhood": "watts"})
        assert set(watts) == {"+13235550101", "+13235550102", "+13235550103", "+13235550104"}
        south_la = _reached(session, {"kind": "neighborhood", "neighborhood": "south-la"})
        assert set(south_la) == {"+13235550105"}
        audience = Audience.parse({"kind": "neighborhood", "neighborhood": "watts"}, session)
        assert audience.describe() == "Families of schools in Watts"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "school", "school": "markam"}, "There is no school 'markam'"),
        ({"kind": "neighborhood", "neighborhood": "compton"}, "no neighborhood 'compton'"),
        ({"kind": "session", "session_id": 999999}, "no Parent College session #999999"),
    ],
)
def test_names_that_do_not_exist_are_refused(sessions, data, message):
    with sessions() as session:
        with pytest.raises(AudienceError, match=message):
            Audience.parse(data, session)


def test_language_counts_unknown_languages_as_the_default(families):
    with families() as session:
        spanish = _reached(session, {"kind": "language", "language": "es"}, "es")
        assert set(spanish) == {"+13235550102", "+13235550103", "+13235550104", "+13235550106"}
        english = _reached(session, {"kind": "language", "language": "en"}, "en")
        assert set(english) == {"+13235550101", "+13235550103", "+13235550105"}
        assert Audience.parse({"kind": "language", "language": "en"}).describe() == (
            "Families who text in English"
        )


def test_session_means_its_registrants_and_the_waitlist_only_when_asked(sessions):
    with sessions() as session:
        pc_session = session.scalars(select(ParentCollegeSession)).first()
        by_status = {}
        for n, status in enumerate(["registered", "attended", "waitlisted", "cancelled"]):
            contact = _contact(session, f"+1323555020{n}", "es")
            session.add(Registration(contact=contact, session_id=pc_session.id, status=status))
            by_status[status] = contact.phone
        opted_out = _contact(session, "+13235550209", "es", opted_out=True)
        session.add(Registration(contact=opted_out, session_id=pc_session.id))
        session.flush()

        data = {"kind": "session", "session_id": pc_session.id}
        assert set(_reached(session, data)) == {by_status["registered"], by_status["attended"]}
        with_waitlist = _reached(session, {**data, "include_waitlist": True})
        assert set(with_waitlist) == {
            by_status["registered"],
            by_status["attended"],
            by_status["waitlisted"],
        }
        audience = Audience.parse({**data, "include_waitlist": True}, session)
        assert audience.describe().startswith(f"Families registered for {pc_session.title['en']}")
        assert audience.describe().endswith("(waitlist included)")
        assert exclusions(session, audience, "es").opted_out == 1


UPLOAD = (
    "Nombre,Teléfono\n"
    "Rosa,(323) 555-0101\n"  # a contact already
    "Ana,323.555.0101\n"  # the same phone written another way
    "Luis,+1 323 555 0300\n"  # nobody yet
    "Eva,323 555 0301\n"  # nobody yet
    "Sin número,llamar a la oficina\n"  # not a number
    "Mar,(323) 555-0107\n"  # opted out: stays out
    ",\n"  # an empty row is no bad line
)


def test_an_uploaded_list_reaches_new_and_known_numbers_but_not_opt_outs(families):
    number_list = parse_numbers(UPLOAD.encode("utf-8"))
    assert number_list.numbers == (
        "+13235550101",
        "+13235550300",
        "+13235550301",
        "+13235550107",
    )
    assert number_list.duplicates == 1
    assert [(r.line, r.text) for r in number_list.rejected] == [(6, "llamar a la oficina")]

    with families() as session:
        audience = Audience.parse(Audience.from_list(number_list).to_json(), session)
        assert audience == Audience.from_list(number_list)  # the stored JSON reads back the same
        assert audience.describe() == "An uploaded list of 4 numbers"

        # Before sending: nothing written, the new numbers counted in the default language.
        left_out = exclusions(session, audience, "es")
        assert (left_out.opted_out, left_out.invalid, left_out.duplicates) == (1, 1, 1)
        assert left_out.not_found == 2
        assert left_out.rejected[0].line == 6
        assert recipients_by_language(session, audience, "es") == {"en": 1, "es": 2}
        assert session.scalar(select(Contact).where(Contact.phone == "+13235550300")) is None

        assert ensure_list_contacts(session, audience.numbers) == 2
        assert ensure_list_contacts(session, audience.numbers) == 0
        new = session.scalars(select(Contact).where(Contact.phone == "+13235550300")).one()
        assert (new.consent_source, new.phone_valid, new.opted_out) == ("staff list", True, False)
        opted_out = session.scalars(select(Contact).where(Contact.phone == "+13235550107")).one()
        assert opted_out.opted_out and opted_out.consent_source is None

        reached = session.execute(recipients(session, audience, "es")).all()
        assert {row.phone for row in reached} == {"+13235550101", "+13235550300", "+13235550301"}
        assert exclusions(session, audience, "es").not_found == 0


def test_preview_counts_each_family_under_the_text_it_gets(families):
    with families() as session:
        everyone = Audience.parse({"kind": "everyone"}, session)
        both = {"en": "School is closed Friday.", "es": "La escuela estará cerrada el viernes."}
        result = preview(session, everyone, both, PRICE, "es")
        assert result.recipients == 6
        assert {lang: f.recipients for lang, f in result.by_language.items()} == {"en": 2, "es": 4}
        assert result.by_language["es"].encoding == "UCS-2"  # á in "estará"
        assert result.by_language["en"].encoding == "GSM-7"
        assert result.total_cost == pytest.approx(6 * PRICE)
        assert (result.exclusions.opted_out, result.exclusions.invalid) == (1, 1)
        assert result.audience == "Everyone subscribed"

        english_only = preview(session, everyone, {"en": both["en"], "es": " "}, PRICE, "es")
        assert set(english_only.by_language) == {"en"}
        assert english_only.by_language["en"].recipients == 6
        assert "Spanish families (4) will get the English text" in english_only.warnings[0]


# --- Reading lists and audiences (no database) ------------------------------------------------


def test_pasted_numbers_in_any_usual_format():
    pasted = (
        "(323) 555-0100\n323.555.0101\n+1 323 555 0102\n  323 555 0103  \n\n12345\n1-323-555-0100\n"
    )
    read = parse_numbers(pasted)
    assert read.numbers == ("+13235550100", "+13235550101", "+13235550102", "+13235550103")
    assert read.duplicates == 1
    assert [(r.line, r.text) for r in read.rejected] == [(6, "12345")]


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbfphone\n3235550100\n323 555 0101\n",  # Excel's CSV UTF-8, with its BOM
        "Nombre;Teléfono celular;Teléfono\nRosa;x;3235550100\nAna;y;323 555 0101\n",
        "Name\tNumber\nRosa\t3235550100\nAna\t323 555 0101\n",
        "Celulares de Markham\n3235550100\n323 555 0101\n",  # a title line over the numbers
        "Rosa,3235550100,Markham\nAna,323 555 0101,Gompers\n",  # no header: the number column
    ],
)
def test_spreadsheets_and_titles(content):
    read = parse_numbers(content)
    assert read.numbers == ("+13235550100", "+13235550101")
    assert read.rejected == ()


@pytest.mark.parametrize(
    "content, message",
    [
        ("teléfono\n3235550100\n".encode("latin-1"), "not UTF-8"),
        ("nombre,escuela\nRosa,Markham\n", "Which column holds the phone numbers"),
        ("", "no phone numbers"),
        ("12\nabc\nllamar\nfoo\n", "None of the lines is a phone number \\(line 1: '12'"),
    ],
)
def test_lists_that_cannot_be_read(content, message):
    with pytest.raises(AudienceError, match=message):
        parse_numbers(content)


@pytest.mark.parametrize(
    "data, message",
    [
        (None, "Choose who"),
        ({"kind": "parents"}, "Unknown audience 'parents'"),
        ({"kind": "school"}, "Choose the school"),
        ({"kind": "language", "language": "fr"}, "English or Spanish"),
        ({"kind": "session", "session_id": "next"}, "Choose the Parent College session"),
        ({"kind": "list", "numbers": []}, "no phone numbers"),
        ({"kind": "list", "numbers": "3235550100"}, "Upload or paste"),
        ({"kind": "list", "numbers": ["hello"]}, "line 1: 'hello'"),
    ],
)
def test_audiences_staff_must_fix(data, message):
    with pytest.raises(AudienceError, match=message):
        Audience.parse(data)


def test_every_audience_reads_back_from_its_json():
    for data in [
        {"kind": "everyone"},
        {"kind": "school", "school": "markham"},
        {"kind": "neighborhood", "neighborhood": "watts"},
        {"kind": "language", "language": "es"},
        {"kind": "session", "session_id": 3, "include_waitlist": True},
        {"kind": "list", "numbers": ["(323) 555-0100", "oops", "323.555.0100"]},
    ]:
        audience = Audience.parse(data)
        assert Audience.parse(audience.to_json()) == audience
    listed = Audience.parse({"kind": "list", "numbers": ["(323) 555-0100", "oops", "3235550100"]})
    assert listed.to_json() == {
        "kind": "list",
        "numbers": ["+13235550100"],
        "duplicates": 1,
        "rejected": [{"line": 2, "text": "oops"}],
    }
