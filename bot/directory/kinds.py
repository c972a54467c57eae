"""The kinds of thing staff edit (schools, programs, events and Parent College sessions) and
their fields: one spec per kind drives the console's forms and the CSV import and export, so a
value is checked the same way however it arrives (bot/directory/catalog_checks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Event, ParentCollegeSession, Program, School

TEXT_LIMIT = 2000
CAPACITY_MAX = 2000


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str  # text, long, phone, translated, int, datetime, choice, school, neighborhood,
    #            aliases, placeholders
    required: bool = False
    max_length: int = TEXT_LIMIT
    choices: tuple[tuple[str, str], ...] = ()
    hint: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        if self.type == "translated":
            return (f"{self.name}_en", f"{self.name}_es")
        return (self.name,)

    @property
    def attribute(self) -> str:
        # A reference is typed as the other row's slug and stored as its id.
        return f"{self.name}_id" if self.type in ("school", "neighborhood") else self.name

    @property
    def long(self) -> bool:
        return self.type == "long" or self.name in ("summary", "description")


@dataclass(frozen=True)
class Kind:
    name: str  # "session": audit actions are data.<name>.create and so on
    url: str  # "sessions": /console/data/sessions/
    label: str
    plural: str
    model: type
    fields: tuple[Field, ...]
    slug_from: str
    dated: bool = False  # slugs start with the date, like the seed's

    @property
    def field_columns(self) -> tuple[str, ...]:
        return tuple(column for f in self.fields for column in f.columns)

    @property
    def columns(self) -> tuple[str, ...]:
        """The CSV's columns, in order."""
        return ("slug", *self.field_columns, "archived")

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _placeholders(*names: str) -> Field:
    return Field(
        "placeholders",
        "Still to confirm",
        "placeholders",
        choices=tuple((name, name) for name in names),
        hint="Facts not confirmed yet. The bot never makes them up: it tells families it "
        "does not have that detail yet.",
    )


LANGUAGE_CHOICES = (("both", "English and Spanish"), ("en", "English"), ("es", "Spanish"))
WHEN_HINT = "Los Angeles time, like 2027-01-16 09:00"

SCHOOL = Kind(
    name="school",
    url="schools",
    label="school",
    plural="Schools",
    model=School,
    slug_from="short_name",
    fields=(
        Field("name", "Name", "text", required=True, max_length=200),
        Field("short_name", "Short name", "text", required=True, max_length=100,
              hint="What families call it, like Markham."),
        Field("level", "Level", "choice", required=True,
              choices=tuple((level, level.capitalize()) for level in School.LEVELS)),
        Field("neighborhood", "Neighborhood", "neighborhood", required=True),
        Field("campus_of", "Shares the campus of", "school",
              hint="For a magnet or academy hosted by another school."),
        Field("address", "Address", "text", max_length=300),
        Field("phone", "Office phone", "phone", max_length=32),
        Field("attendance_phone", "Attendance line", "phone", max_length=32,
              hint="Where families report an absence. Empty: the bot gives the office phone."),
        Field("hours", "Office hours", "translated", max_length=300,
              hint="Families read these in their language: give both, or leave both empty."),
        Field("bell_times", "Bell times", "translated", max_length=300,
              hint="When classes start and end, like: 8:00 a.m. to 3:03 p.m.; Tuesdays 1:33 p.m."),
        Field("enrollment_contact", "Enrolling a child", "translated", max_length=300,
              hint="Who enrolls new students and when, like: the main office, Room 101, "
              "weekdays 8 a.m. to 3 p.m."),
        Field("days_off", "Days off", "translated", max_length=200,
              hint="The next holidays and breaks with no school, short: families get them "
              "by text."),
        Field("principal", "Principal", "text", max_length=200),
        Field("website", "Website", "text", max_length=200),
        Field("aliases", "Other names", "aliases",
              hint="How families write the name, separated by commas (markham, markham ms)."),
        _placeholders("address", "phone", "attendance_phone", "hours", "bell_times",
                      "enrollment_contact", "days_off", "principal", "website"),
    ),
)  # fmt: skip

PROGRAM = Kind(
    name="program",
    url="programs",
    label="program",
    plural="Programs",
    model=Program,
    slug_from="name",
    fields=(
        Field("name", "Name", "translated", required=True, max_length=200),
        Field("summary", "Summary", "translated", required=True, max_length=600,
              hint="Sent by text message: keep it to two or three sentences."),
        Field("aliases", "Other names", "aliases",
              hint="How families write it, separated by commas (internet, wifi)."),
        Field("website", "Website", "text", max_length=200),
        _placeholders("summary", "website"),
    ),
)  # fmt: skip

EVENT = Kind(
    name="event",
    url="events",
    label="event",
    plural="Events",
    model=Event,
    slug_from="title",
    dated=True,
    fields=(
        Field("title", "Title", "translated", required=True, max_length=200),
        Field("description", "Description", "translated", max_length=600,
              hint="Families read it in their language: give both, or leave both empty."),
        Field("starts_at", "Starts", "datetime", required=True, hint=WHEN_HINT),
        Field("ends_at", "Ends", "datetime", hint=WHEN_HINT),
        Field("place", "Place", "text", max_length=300),
        Field("school", "School", "school",
              hint="Leave empty for an event for every school."),
        Field("neighborhood", "Neighborhood", "neighborhood",
              hint="Leave empty for an event for every neighborhood."),
        _placeholders("description", "starts_at", "ends_at", "place"),
    ),
)  # fmt: skip

SESSION = Kind(
    name="session",
    url="sessions",
    label="Parent College session",
    plural="Parent College sessions",
    model=ParentCollegeSession,
    slug_from="title",
    dated=True,
    fields=(
        Field("title", "Title", "translated", required=True, max_length=200),
        Field("starts_at", "Starts", "datetime", required=True, hint=WHEN_HINT),
        Field("ends_at", "Ends", "datetime", hint=WHEN_HINT),
        Field("place", "Place", "text", required=True, max_length=300),
        Field("school", "Host school", "school"),
        Field("neighborhood", "Neighborhood", "neighborhood",
              hint="Families of every school in it are offered this session."),
        Field("capacity", "Capacity (adults)", "int", required=True,
              hint="Seats count adults, not families."),
        Field("language", "Taught in", "choice", required=True, choices=LANGUAGE_CHOICES),
        Field("notes", "Notes for staff", "long", max_length=TEXT_LIMIT),
        _placeholders("starts_at", "ends_at", "place", "capacity"),
    ),
)  # fmt: skip

KINDS: dict[str, Kind] = {kind.name: kind for kind in (SCHOOL, PROGRAM, EVENT, SESSION)}
KINDS_BY_URL: dict[str, Kind] = {kind.url: kind for kind in KINDS.values()}
