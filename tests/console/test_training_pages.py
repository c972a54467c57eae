"""The review loop's Training page and its API (console/training.py, console/api_training.py):
corrections waiting and kept out, a training queued for the worker, one at a time, a ready model
loaded into every Rasa server, and going back. Training itself runs in the worker
(tests/integration/test_review_training.py); Rasa here is the fake server, which records the
PUT /model calls a real one answers (the real one: tests/e2e/test_model_switch_e2e.py)."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import AuditLog, Message, NluTraining, utcnow
from tests.conftest import TEST_RASA_TOKEN
from tests.console.conftest import post_form


def _family_message(post_sms, sessions, body: str, phone: str = "+13235550100") -> tuple[int, int]:
    post_sms(body, from_number=phone)
    with sessions() as session:
        message = session.execute(
            select(Message).where(Message.direction == "in", Message.body == body)
        ).scalar_one()
        return message.conversation_id, message.id


def _ready_training(sessions, settings, name: str = "reviewed-1.tar.gz") -> int:
    model = settings.reviewed_models_dir / name
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_bytes(b"a model")
    with sessions() as session:
        training = NluTraining(
            status="ready", progress=1.0, model_file=name, finished_at=utcnow(),
            figures={"live_model": "family-line-x.tar.gz", "sets": {}, "better": [],
                     "worse": [], "changed": [], "changed_count": 0, "fixed": 0, "broken": 0},
        )  # fmt: skip
        session.add(training)
        session.commit()
        return training.id


def _actions(sessions, prefix: str = "nlu.") -> list[str]:
    with sessions() as session:
        return [
            a
            for a in session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars()
            if a.startswith(prefix)
        ]


def test_the_page_lists_corrections_waiting_and_those_kept_out_with_why(
    admin_client, client, api_token, post_sms, sessions
):
    conversation, message = _family_message(post_sms, sessions, "cuando son las clases de papas")
    _, with_phone = _family_message(
        post_sms, sessions, "llamenme al 323 555 0199 porfa", phone="+13235550101"
    )
    headers = api_token("staff")
    for conversation_id, message_id, intent in (
        (conversation, message, "ask_parent_college"),
        (None, with_phone, "talk_to_human"),
    ):
        if conversation_id is None:
            with sessions() as session:
                conversation_id = session.get(Message, message_id).conversation_id
        answer = client.post(
            f"/api/conversations/{conversation_id}/messages/{message_id}/correction",
            json={"intent": intent, "language": "es"},
            headers=headers,
        )
        assert answer.status_code == 200, answer.json
    page = admin_client.get("/console/training/").get_data(as_text=True)
    waiting = page.split('id="waiting"')[1]
    assert "ask_parent_college" in waiting and ">1<" in waiting
    assert "Kept out of training" in waiting and "phone number" in waiting
    assert "Train a new model" in page and "the project" in page


def test_a_correction_for_a_message_of_another_conversation_is_a_404(
    client, api_token, post_sms, sessions
):
    _, message = _family_message(post_sms, sessions, "hola")
    other, _ = _family_message(post_sms, sessions, "buenas", phone="+13235550102")
    answer = client.post(
        f"/api/conversations/{other}/messages/{message}/correction",
        json={"intent": "greet", "language": "es"},
        headers=api_token("staff"),
    )
    assert answer.status_code == 404


def test_staff_who_are_not_admins_cannot_train(staff_client, client, api_token):
    assert staff_client.get("/console/training/").status_code == 403
    assert client.post("/api/nlu/trainings", headers=api_token("staff")).status_code == 403


def test_train_queues_one_training_for_the_worker_and_refuses_a_second(admin_client, sessions):
    answer = post_form(admin_client, "/console/training/")
    assert answer.status_code == 302
    with sessions() as session:
        training = session.execute(select(NluTraining)).scalar_one()
        assert training.status == "queued" and training.staff_user.email.startswith("admin")
    page = admin_client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "queued" in page and 'http-equiv="refresh"' in page
    again = post_form(admin_client, "/console/training/", follow_redirects=True)
    assert f"Training #{training.id} is still queued" in again.get_data(as_text=True)
    with sessions() as session:
        assert session.execute(select(NluTraining)).scalars().all().__len__() == 1
    assert _actions(sessions) == ["nlu.train"]


def test_the_api_trains_reports_and_refuses_to_use_an_unready_model(client, api_token):
    headers = api_token("admin")
    started = client.post("/api/nlu/trainings", headers=headers)
    assert started.status_code == 202 and started.json["status"] == "queued"
    training_id = started.json["id"]
    shown = client.get(f"/api/nlu/trainings/{training_id}", headers=headers)
    assert shown.status_code == 200
    assert shown.json["status"] == "queued" and shown.json["figures"] == {}
    assert client.post("/api/nlu/trainings", headers=headers).status_code == 409
    refused = client.post(f"/api/nlu/trainings/{training_id}/activate", headers=headers)
    assert refused.status_code == 409 and "not ready" in refused.json["detail"]
    assert client.get("/api/nlu/trainings/999", headers=headers).status_code == 404


def test_using_a_model_loads_it_into_every_rasa_server_and_go_back_returns(
    admin_client, settings, sessions, fake_rasa
):
    first = _ready_training(sessions, settings, "reviewed-1.tar.gz")
    second = _ready_training(sessions, settings, "reviewed-2.tar.gz")
    post_form(admin_client, f"/console/training/{first}/activate")
    page = post_form(admin_client, f"/console/training/{second}/activate", follow_redirects=True)
    assert f"now answered by the model of training #{second}" in page.get_data(as_text=True)
    models = settings.reviewed_models_dir
    assert fake_rasa.loaded == [
        str(models / "reviewed-1.tar.gz"),
        str(models / "reviewed-2.tar.gz"),
    ]
    with sessions() as session:
        assert [t.status for t in session.execute(select(NluTraining).order_by(NluTraining.id))
                .scalars()] == ["ready", "active"]  # fmt: skip
    back = post_form(admin_client, "/console/training/go-back", follow_redirects=True)
    assert f"the model of training #{first} again" in back.get_data(as_text=True)
    assert fake_rasa.loaded[-1] == str(models / "reviewed-1.tar.gz")
    with sessions() as session:
        rows = session.execute(select(NluTraining).order_by(NluTraining.id)).scalars().all()
        assert [t.status for t in rows] == ["active", "ready"]
        assert rows[1].activated_at is None  # withdrawn: "Go back" never returns to it
    assert _actions(sessions) == ["nlu.activate", "nlu.activate", "nlu.go_back"]


def test_a_model_a_rasa_server_refuses_changes_nothing_and_says_why(
    client, api_token, settings, sessions, fake_rasa
):
    training_id = _ready_training(sessions, settings)
    fake_rasa.refuse_models = True
    answer = client.post(f"/api/nlu/trainings/{training_id}/activate", headers=api_token("admin"))
    assert answer.status_code == 409
    assert "Not every Rasa server took the model" in answer.json["detail"]
    assert "no model file at that path" in answer.json["detail"]
    # Every server is told to load the model it had, so none is left on the new one.
    assert len(fake_rasa.loaded) == 2 and fake_rasa.loaded[1].endswith(".tar.gz")
    with sessions() as session:
        assert session.get(NluTraining, training_id).status == "ready"
    assert _actions(sessions) == []


def test_every_replica_gets_the_model(settings, sessions):
    from bot.nlu.model_switch import activate
    from tests.support.fake_rasa import FakeRasa

    servers = [FakeRasa(token=TEST_RASA_TOKEN), FakeRasa(token=TEST_RASA_TOKEN)]
    try:
        scaled = settings.with_overrides(rasa_replica_urls=tuple(s.url for s in servers))
        training_id = _ready_training(sessions, scaled)
        with sessions() as session:
            activate(session, scaled, session.get(NluTraining, training_id), None)
            session.commit()
        assert all(s.loaded == [str(scaled.reviewed_models_dir / "reviewed-1.tar.gz")]
                   for s in servers)  # fmt: skip
    finally:
        for server in servers:
            server.close()


def test_a_training_left_by_a_dead_worker_does_not_block_the_next(client, api_token, sessions):
    from datetime import timedelta

    with sessions() as session:
        session.add(NluTraining(status="training", progress=0.4,
                                started_at=utcnow() - timedelta(hours=3)))  # fmt: skip
        session.commit()
    assert client.post("/api/nlu/trainings", headers=api_token("admin")).status_code == 202
    with sessions() as session:
        old = session.execute(select(NluTraining).order_by(NluTraining.id)).scalars().first()
        assert old.status == "failed" and "worker stopped" in old.error


def test_a_rasa_server_started_later_loads_the_active_model(settings, sessions, fake_rasa):
    from bot.cli.servers import _model_to_serve
    from bot.nlu.model_switch import activate
    from bot.processes.command_lines import child_env

    training_id = _ready_training(sessions, settings)
    with sessions() as session:
        activate(session, settings, session.get(NluTraining, training_id), None)
        session.commit()
    assert _model_to_serve(settings) == settings.reviewed_models_dir / "reviewed-1.tar.gz"
    scaled = settings.with_overrides(rasa_replica_urls=("http://127.0.0.1:5105",))
    assert child_env(scaled)["RASA_REPLICA_URLS"] == "http://127.0.0.1:5105"
