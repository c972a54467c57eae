"""Staff accounts: admins list, create and change them (role, switched on or off, unlock, a new
password); every staff user changes their own password and makes or revokes their API token on
the account page. The same operations as `bot user ...`, and audited the same way.

Two rules keep the console from locking itself out: an admin cannot switch off or demote
themself, and the last active admin cannot be switched off or demoted. Password and token
hashes never leave the database; a new token is shown once, on the page that made it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import LoginThrottle, StaffUser
from bot.staff import audit
from bot.staff.accounts import (
    MIN_PASSWORD_LENGTH,
    ROLES,
    AccountError,
    confirm_password,
    create_user,
    end_sessions,
    is_locked,
    issue_api_token,
    revoke_api_token,
    set_password,
    unlock,
)
from bot.staff.login_throttle import current_locks, forget
from bot.text.staff_time import staff_time
from webhooks.client_address import client_address
from webhooks.services import services

from .auth import remember_login, require_admin, require_staff

bp = Blueprint("staff_users", __name__, url_prefix="/console/staff")
require_admin(bp)

account_bp = Blueprint("account", __name__, url_prefix="/console/account")
require_staff(account_bp)


@bp.context_processor
@account_bp.context_processor
def _helpers():
    return {"when": staff_time}


# --- the rules -----------------------------------------------------------------------------


def _other_active_admins(db: Session, user: StaffUser) -> int:
    # Locked so two admins demoting each other at once cannot both succeed (PostgreSQL).
    others = (
        select(StaffUser.id)
        .where(
            StaffUser.role == StaffUser.ROLE_ADMIN,
            StaffUser.active.is_(True),
            StaffUser.id != user.id,
        )
        .with_for_update()
    )
    return len(db.execute(others).all())


def _keep_an_admin(db: Session, user: StaffUser, doing: str) -> None:
    if user.is_admin and user.active and _other_active_admins(db, user) == 0:
        raise AccountError(
            f"{user.email} is the last active admin: make another account admin before "
            f"{doing} this one."
        )


def change_role(db: Session, actor: StaffUser, user: StaffUser, role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}.")
    if role == user.role:
        return
    if role != StaffUser.ROLE_ADMIN:
        if user.id == actor.id:
            raise AccountError(
                "You cannot take away your own admin role. Ask another admin to do it."
            )
        _keep_an_admin(db, user, "changing the role of")
    user.role = role


def switch(db: Session, actor: StaffUser, user: StaffUser, active: bool) -> None:
    if not active:
        if user.id == actor.id:
            raise AccountError("You cannot switch off your own account.")
        _keep_an_admin(db, user, "switching off")
        end_sessions(user)
    user.active = active


def check_repeated(password: str, repeated: str) -> None:
    if password != repeated:
        raise AccountError("The two passwords are not the same. Type the new password twice.")


# --- admin pages ---------------------------------------------------------------------------


def _accounts(db: Session) -> list[StaffUser]:
    return list(
        db.execute(
            select(StaffUser).order_by(StaffUser.active.desc(), func.lower(StaffUser.email))
        ).scalars()
    )


def _render_list(db: Session, form: dict | None = None, error: str | None = None, status=200):
    locks = current_locks(db)
    locked_emails = {lock.subject for lock in locks if lock.kind == LoginThrottle.ACCOUNT}
    return (
        render_template(
            "console/staff_list.html",
            accounts=_accounts(db),
            roles=ROLES,
            locks=locks,
            is_locked=lambda account: account.email in locked_emails,
            form=form or {"role": StaffUser.ROLE_STAFF},
            error=error,
            min_length=MIN_PASSWORD_LENGTH,
        ),
        status,
    )


@bp.route("/")
def index():
    with services().sessions() as db:
        return _render_list(db)


@bp.route("/new", methods=["POST"])
def create():
    form = {key: request.form.get(key, "") for key in ("email", "name", "role")}
    password = request.form.get("password", "")
    with services().sessions() as db:
        try:
            check_repeated(password, request.form.get("password_again", ""))
            user = create_user(db, form["email"], password, form["role"], form["name"])
        except AccountError as error:
            db.rollback()
            return _render_list(db, form, str(error), 400)
        audit.record(
            db,
            g.staff,
            "staff_user.create",
            "staff_user",
            user.id,
            email=user.email,
            role=user.role,
        )
        db.commit()
        flash(
            f"Account made for {user.email}. Tell them their password in person or by phone, "
            "not by email; they can change it on their account page."
        )
    return redirect(url_for("staff_users.index"))


def _load(db: Session, user_id: int) -> StaffUser:
    user = db.get(StaffUser, user_id)
    if user is None:
        abort(404)
    return user


def _actor(db: Session) -> StaffUser:
    return db.get(StaffUser, g.staff.id)


@bp.route("/<int:user_id>")
def show(user_id: int):
    with services().sessions() as db:
        user = _load(db, user_id)
        return render_template(
            "console/staff_edit.html",
            account=user,
            roles=ROLES,
            locked_until=is_locked(db, user.email),
            itself=user.id == g.staff.id,
            min_length=MIN_PASSWORD_LENGTH,
        )


def _change(user_id: int, change) -> object:
    """Runs `change(db, actor, user)` (which returns the flash message and records the audit
    entry), or flashes why it was refused; back to the account's page either way."""
    with services().sessions() as db:
        user = _load(db, user_id)
        try:
            message = change(db, _actor(db), user)
        except AccountError as error:
            db.rollback()
            flash(str(error), "error")
        else:
            db.commit()
            flash(message)
    return redirect(url_for("staff_users.show", user_id=user_id))


@bp.route("/<int:user_id>/role", methods=["POST"])
def role(user_id: int):
    def change(db, actor, user):
        before = user.role
        change_role(db, actor, user, request.form.get("role", ""))
        if user.role == before:
            return f"{user.email} is already {before}."
        audit.record(
            db, actor, "staff_user.role", "staff_user", user.id, before=before, after=user.role
        )
        return f"{user.email} is now {user.role}."

    return _change(user_id, change)


@bp.route("/<int:user_id>/active", methods=["POST"])
def active(user_id: int):
    def change(db, actor, user):
        turn_on = request.form.get("active") == "1"
        if user.active == turn_on:
            return f"{user.email} is already switched {'on' if turn_on else 'off'}."
        switch(db, actor, user, turn_on)
        action = "staff_user.activate" if turn_on else "staff_user.deactivate"
        audit.record(db, actor, action, "staff_user", user.id)
        if turn_on:
            return f"{user.email} is switched on and can log in again."
        return (
            f"{user.email} is switched off: they are logged out and their API token stops working."
        )

    return _change(user_id, change)


@bp.route("/<int:user_id>/unlock", methods=["POST"])
def unlock_account(user_id: int):
    def change(db, actor, user):
        unlock(db, user.email)
        audit.record(db, actor, "staff_user.unlock", "staff_user", user.id)
        return f"{user.email} is unlocked and can log in again."

    return _change(user_id, change)


@bp.route("/locks/<int:lock_id>/unlock", methods=["POST"])
def unlock_lock(lock_id: int):
    """Lifts any lock on the list: an email with no account, or a client address."""
    with services().sessions() as db:
        found = db.get(LoginThrottle, lock_id)
        if found is not None:
            what = f"{found.kind} {found.subject}"
            forget(db, found.kind, found.subject)
            audit.record(
                db,
                _actor(db),
                "login_lock.unlock",
                "login_lock",
                lock_id,
                kind=found.kind,
                subject=found.subject[:100],
            )
            db.commit()
            flash(f"Unlocked: {what}.")
    return redirect(url_for("staff_users.index"))


@bp.route("/<int:user_id>/password", methods=["POST"])
def password(user_id: int):
    def change(db, actor, user):
        new = request.form.get("password", "")
        check_repeated(new, request.form.get("password_again", ""))
        set_password(user, new)
        audit.record(db, actor, "staff_user.password", "staff_user", user.id)
        return f"New password set for {user.email} (and the account is unlocked)."

    return _change(user_id, change)


# --- your own account ----------------------------------------------------------------------


def _render_account(db: Session, token: str | None = None):
    return render_template(
        "console/account.html",
        account=_actor(db),
        token=token,
        api_url=request.host_url + "api/conversations",
        min_length=MIN_PASSWORD_LENGTH,
    )


@account_bp.route("/")
def page():
    with services().sessions() as db:
        return _render_account(db)


@account_bp.route("/password", methods=["POST"])
def change_password():
    with services().sessions() as db:
        me = _actor(db)
        new = request.form.get("password", "")
        try:
            _confirm(db, me)
            check_repeated(new, request.form.get("password_again", ""))
            set_password(me, new)
        except AccountError as error:
            db.rollback()
            flash(str(error), "error")
        else:
            audit.record(db, me, "staff_user.password", "staff_user", me.id, own=True)
            db.commit()
            # Every other login of this account ended with the old password; this one goes on.
            remember_login(me)
            flash(
                "Your password is changed. Any other place you were logged in is logged out, "
                "and your API token (if you had one) stopped working."
            )
    return redirect(url_for("account.page"))


def _confirm(db: Session, me: StaffUser) -> None:
    """The current password, asked again before a change a stolen session must not make."""
    result = confirm_password(db, me, request.form.get("current", ""), client_address())
    if result.outcome == "locked":
        db.commit()  # the lock it just earned
        raise AccountError("Too many wrong passwords: try again in 15 minutes.")
    if result.outcome != "ok":
        raise AccountError("Your current password is not right; nothing was changed.")
    db.commit()  # a right password takes its try back, whatever happens next


@account_bp.route("/token", methods=["POST"])
def make_token():
    with services().sessions() as db:
        me = _actor(db)
        try:
            _confirm(db, me)
        except AccountError as error:
            db.rollback()
            flash(str(error), "error")
            return redirect(url_for("account.page"))
        replaced = me.api_token_hash is not None
        token = issue_api_token(me)
        audit.record(db, me, "staff_user.api_token", "staff_user", me.id, replaced=replaced)
        db.commit()
        # Shown in this response only (never stored or put in the session cookie): reloading
        # the page does not show it again.
        return _render_account(db, token)


@account_bp.route("/token/revoke", methods=["POST"])
def revoke_token():
    with services().sessions() as db:
        me = _actor(db)
        if me.api_token_hash is None:
            flash("You have no API token.")
        else:
            revoke_api_token(me)
            audit.record(db, me, "staff_user.api_token_revoke", "staff_user", me.id)
            db.commit()
            flash("Your API token is revoked: it no longer works.")
    return redirect(url_for("account.page"))
