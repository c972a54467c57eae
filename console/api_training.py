"""The review loop through the JSON API (docs/review-loop.md): correct a message, train a model
with the corrections, read its figures, use it. Trainings need an admin's token, as the console's
Training page needs an admin; correcting a message is any staff member's work, as in the
console."""

from __future__ import annotations

from flask import Blueprint, abort, g, jsonify

from bot.models import Message, NluTraining
from bot.nlu.model_switch import activate
from bot.nlu.review_training import TrainingError, enqueue_training, request_training
from webhooks.services import services
from webhooks.threads import utc_iso

from .api import _json_body, _token_only, admin_only, save_correction

api_bp = Blueprint("api_training", __name__, url_prefix="/api")
api_bp.before_request(_token_only)


def training_json(training: NluTraining) -> dict:
    return {
        "id": training.id,
        "status": training.status,
        "progress": round(training.progress or 0.0, 2),
        "created_at": utc_iso(training.created_at),
        "finished_at": utc_iso(training.finished_at),
        "activated_at": utc_iso(training.activated_at),
        "model": training.model_file,
        "corrections": training.corrections or {},
        "figures": training.figures or {},
        "error": training.error,
    }


def training_or_404(db, training_id: int) -> NluTraining:
    training = db.get(NluTraining, training_id)
    if training is None:
        abort(404, description="There is no training with that id.")
    return training


def conflict(detail: str):
    response = jsonify(error="conflict", detail=detail)
    response.status_code = 409
    return response


@api_bp.post("/conversations/<int:conversation_id>/messages/<int:message_id>/correction")
def message_correction(conversation_id: int, message_id: int):
    """What a family's message meant: {"intent": "ask_events", "language": "es"}."""
    wanted = _json_body()
    with services().sessions() as db:
        message = db.get(Message, message_id)
        if message is None or message.conversation_id != conversation_id:
            abort(404, description="That message is not in this conversation.")
        return save_correction(db, message, wanted)


@api_bp.post("/nlu/trainings")
@admin_only
def trainings_create():
    with services().sessions() as db:
        try:
            training = request_training(db, g.api_user)
        except TrainingError as error:
            return conflict(str(error))
        db.commit()
        training_id = training.id
    enqueue_training(services().huey, training_id)
    response = jsonify(id=training_id, status="queued")
    response.status_code = 202
    return response


@api_bp.get("/nlu/trainings/<int:training_id>")
@admin_only
def trainings_show(training_id: int):
    with services().sessions() as db:
        training = training_or_404(db, training_id)
        return jsonify(training_json(training))


@api_bp.post("/nlu/trainings/<int:training_id>/activate")
@admin_only
def trainings_activate(training_id: int):
    with services().sessions() as db:
        training = training_or_404(db, training_id)
        try:
            activate(db, services().settings, training, g.api_user)
        except TrainingError as error:
            db.rollback()
            return conflict(str(error))
        db.commit()
        return jsonify(training_json(training))
