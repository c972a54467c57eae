"""What the Partnership is and runs: its office, neighbourhoods, schools, programs, events and
Parent College sessions. Seeded from seed/*.yaml, edited by staff later."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from bot.models.base import Base, UtcDateTime, created_at, translated, updated_at


class Organization(Base):
    """The Partnership itself: one row, used in 'who are you' answers and office hours."""

    __tablename__ = "organization"
    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    address = Column(String(300))
    phone = Column(String(32))
    website = Column(String(200))
    office_hours = translated(nullable=True)
    about = translated(nullable=True)
    # Fields whose value is not publicly known yet: shown to staff, never invented for families.
    placeholders = Column(JSON, nullable=False, default=list)
    updated_at = updated_at()


class Neighborhood(Base):
    __tablename__ = "neighborhood"
    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(100), nullable=False)
    schools = relationship("School", back_populates="neighborhood")


class School(Base):
    __tablename__ = "school"
    LEVELS = ("elementary", "middle", "high", "span")

    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = Column(String(200), nullable=False)
    short_name = Column(String(100), nullable=False)
    level = Column(String(20), nullable=False)
    neighborhood_id = Column(ForeignKey("neighborhood.id"), nullable=True)
    # A magnet or academy that shares a campus points at its host school.
    campus_of_id = Column(ForeignKey("school.id"), nullable=True)
    address = Column(String(300))
    phone = Column(String(32))
    hours = translated(nullable=True)
    principal = Column(String(200))
    website = Column(String(200))
    # What everyday questions need (bot/reading/school_matters.py): where to report an absence, who
    # enrolls a child, when classes start and end, the days with no school. Empty = unknown.
    attendance_phone = Column(String(32))
    enrollment_contact = translated(nullable=True)
    bell_times = translated(nullable=True)
    days_off = translated(nullable=True)
    aliases = Column(JSON, nullable=False, default=list)
    placeholders = Column(JSON, nullable=False, default=list)
    archived = Column(Boolean, nullable=False, default=False)
    created_at = created_at()
    updated_at = updated_at()

    neighborhood = relationship("Neighborhood", back_populates="schools")
    campus_of = relationship("School", remote_side=[id])


class Program(Base):
    __tablename__ = "program"
    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    name = translated()
    summary = translated()
    aliases = Column(JSON, nullable=False, default=list)
    website = Column(String(200))
    placeholders = Column(JSON, nullable=False, default=list)
    archived = Column(Boolean, nullable=False, default=False)
    updated_at = updated_at()


class Event(Base):
    __tablename__ = "event"
    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    title = translated()
    description = translated(nullable=True)
    starts_at = Column(UtcDateTime(), nullable=False, index=True)
    ends_at = Column(UtcDateTime())
    place = Column(String(300))
    school_id = Column(ForeignKey("school.id"), nullable=True)
    neighborhood_id = Column(ForeignKey("neighborhood.id"), nullable=True)
    placeholders = Column(JSON, nullable=False, default=list)
    archived = Column(Boolean, nullable=False, default=False)
    updated_at = updated_at()

    school = relationship("School")
    neighborhood = relationship("Neighborhood")


class ParentCollegeSession(Base):
    __tablename__ = "parent_college_session"
    id = Column(Integer, primary_key=True)
    slug = Column(String(64), nullable=False, unique=True)
    title = translated()
    starts_at = Column(UtcDateTime(), nullable=False, index=True)
    ends_at = Column(UtcDateTime())
    place = Column(String(300), nullable=False)
    school_id = Column(ForeignKey("school.id"), nullable=True)
    neighborhood_id = Column(ForeignKey("neighborhood.id"), nullable=True)
    capacity = Column(Integer, nullable=False)
    # Language the class is taught in: "en", "es" or "both" (interpretation offered).
    language = Column(String(8), nullable=False, default="both")
    notes = Column(Text)
    placeholders = Column(JSON, nullable=False, default=list)
    archived = Column(Boolean, nullable=False, default=False)
    updated_at = updated_at()

    school = relationship("School")
    neighborhood = relationship("Neighborhood")
    registrations = relationship("Registration", back_populates="session")
