"""The Training page (admins): the corrections waiting to be learned and those kept out, "Train a
new model", each training's progress, log and figures against the live model, "Use this model"
and "Go back". The work is bot/nlu/review_training.py; training runs in the worker, never here."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for

from bot.models import NluTraining, utcnow
from bot.nlu.corrections import export_corrections
from bot.nlu.model_switch import activate, go_back
from bot.nlu.review_training import (
    IN_PROGRESS,
    TrainingError,
    active_model,
    active_training,
    enqueue_training,
    in_progress,
    log_tail,
    request_training,
)
from bot.nlu.training import PROJECT
from bot.text.staff_time import staff_time
from webhooks.services import services

from .api_training import training_or_404
from .auth import require_admin

bp = Blueprint("training", __name__, url_prefix="/console/training")
require_admin(bp)
SHOWN = 20  # trainings listed, newest first


@bp.context_processor
def _helpers():
    return {"when": staff_time, "in_progress_states": IN_PROGRESS}


@bp.get("/")
def index():
    with services().sessions() as db:
        # A dry run: what a training would add now, and what it would keep out and why.
        waiting = export_corrections(db, PROJECT / "nlu_data", utcnow(), dry_run=True)
        db.rollback()
        trainings = db.query(NluTraining).order_by(NluTraining.id.desc()).limit(SHOWN).all()
        return render_template(
            "console/training.html",
            waiting=waiting,
            trainings=trainings,
            running=in_progress(db),
            live=active_model(db, services().settings).name,
            active=active_training(db),
        )


@bp.post("/")
def train():
    with services().sessions() as db:
        try:
            training = request_training(db, g.staff)
        except TrainingError as error:
            flash(str(error), "error")
            return redirect(url_for("training.index"))
        db.commit()
        training_id = training.id
    enqueue_training(services().huey, training_id)
    flash("Training started. It takes about six minutes; this page follows it.")
    return redirect(url_for("training.show", training_id=training_id))


@bp.get("/<int:training_id>")
def show(training_id: int):
    with services().sessions() as db:
        training = training_or_404(db, training_id)
        return render_template(
            "console/training_show.html",
            t=training,
            log=log_tail(services().settings, training_id),
            live=active_model(db, services().settings).name,
            active=active_training(db),
        )


@bp.post("/<int:training_id>/activate")
def use(training_id: int):
    with services().sessions() as db:
        training = training_or_404(db, training_id)
        try:
            activate(db, services().settings, training, g.staff)
        except TrainingError as error:
            db.rollback()
            flash(str(error), "error")
            return redirect(url_for("training.show", training_id=training_id))
        db.commit()
    flash(f"Families are now answered by the model of training #{training_id}.")
    return redirect(url_for("training.show", training_id=training_id))


@bp.post("/go-back")
def back():
    with services().sessions() as db:
        try:
            earlier = go_back(db, services().settings, g.staff)
        except TrainingError as error:
            db.rollback()
            flash(str(error), "error")
            return redirect(url_for("training.index"))
        db.commit()
        what = f"the model of training #{earlier.id}" if earlier else "the project's model"
    flash(f"Families are answered by {what} again.")
    return redirect(url_for("training.index"))
