"""What staff add to a conversation while reviewing it: internal notes, and corrections of what
the bot understood (the right intent or language of a family's message), which become training
examples through `bot nlu corrections`."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.models.base import Base, UtcDateTime, created_at, updated_at


class ConversationNote(Base):
    """A note staff leave for each other on a conversation; families never see it."""

    __tablename__ = "conversation_note"
    id = Column(Integer, primary_key=True)
    conversation_id = Column(ForeignKey("conversation.id"), nullable=False, index=True)
    staff_user_id = Column(ForeignKey("staff_user.id"), nullable=True)
    body = Column(Text, nullable=False)
    created_at = created_at()

    staff_user = relationship("StaffUser")


class NluCorrection(Base):
    """The intent (and language) a family's message really had, as a person read it. One per
    message: a second correction replaces the first (the audit log keeps both)."""

    __tablename__ = "nlu_correction"
    id = Column(Integer, primary_key=True)
    message_id = Column(ForeignKey("message.id"), nullable=False, unique=True)
    intent = Column(String(64), nullable=False)
    language = Column(String(8), nullable=False)
    staff_user_id = Column(ForeignKey("staff_user.id"), nullable=True)
    created_at = created_at()
    updated_at = updated_at()
    # Set by `bot nlu corrections` when the example was written to nlu_data/<lang>/.
    exported_at = Column(UtcDateTime())

    message = relationship("Message")
    staff_user = relationship("StaffUser")


class NluTraining(Base):
    """A model trained from the console (bot/nlu/review_training.py): the project's training data
    plus staff corrections, compared with the live model on the held-out sets, then used or not.
    status: queued, training, evaluating, ready (may be used), active (the families' model),
    failed (error says why)."""

    __tablename__ = "nlu_training"
    id = Column(Integer, primary_key=True)
    status = Column(String(16), nullable=False, default="queued", index=True)
    staff_user_id = Column(ForeignKey("staff_user.id"), nullable=True)
    created_at = created_at()
    started_at = Column(UtcDateTime())
    finished_at = Column(UtcDateTime())
    progress = Column(Float, nullable=False, default=0.0)  # 0 to 1, for the progress bar
    # The model file's name in the reviewed models folder (Settings.reviewed_models_dir).
    model_file = Column(String(255))
    # {language: {intent: examples}} added from corrections, and those kept out, with reasons.
    corrections = Column(JSON)
    figures = Column(JSON)  # the new model against the live one (bot/nlu/review_figures.py)
    error = Column(Text)
    activated_at = Column(UtcDateTime())  # last time families got this model

    staff_user = relationship("StaffUser")
