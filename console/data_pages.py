"""Admins edit what the bot knows: schools, programs, events and Parent College sessions. One
form and one CSV shape per kind, both from bot.directory.catalog's field spec; every change, import
and export is in the audit log."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from bot.directory import catalog, catalog_checks, catalog_csv, typed_values
from bot.directory.kinds import KINDS, KINDS_BY_URL, Kind
from bot.parent_college.sign_in_sheet import family_name
from bot.staff import audit
from webhooks.services import services

from .auth import require_admin

bp = Blueprint("data", __name__, url_prefix="/console/data")
require_admin(bp)

# Most sessions are taught with interpretation, as the seed's are.
NEW_DEFAULTS = {"session": {"language": "both"}}


def _kind(kind_url: str) -> Kind:
    kind = KINDS_BY_URL.get(kind_url)
    if kind is None:
        abort(404)
    return kind


def _row_or_404(db, kind: Kind, row_id: int):
    row = catalog.find(db, kind, row_id)
    if row is None:
        abort(404)
    return row


def _title(kind: Kind, row) -> str:
    if kind.name == "school":
        return row.name
    text = row.name if kind.name == "program" else row.title
    return (text or {}).get("en") or row.slug


@bp.route("/")
def index():
    with services().sessions() as db:
        counts = catalog.counts(db)
    return render_template(
        "console/data_index.html", kinds=list(KINDS.values()), counts=counts, title="Data"
    )


@bp.route("/<kind_url>/")
def rows(kind_url: str):
    kind = _kind(kind_url)
    show_archived = request.args.get("archived") == "1"
    with services().sessions() as db:
        found = catalog.rows(db, kind, include_archived=show_archived)
        archived_count = catalog.counts(db)[kind.name][1]
        registered = {}
        if kind.name == "session":
            registered = {pc.id: catalog_checks.registered_adults(db, pc) for pc in found}
        listed = [(row, _title(kind, row)) for row in found]
        return render_template(
            "console/data_list.html",
            kind=kind,
            rows=listed,
            registered=registered,
            show_archived=show_archived,
            archived_count=archived_count,
            local_time=typed_values.format_local,
            title=kind.plural,
        )


# ---- forms -------------------------------------------------------------------------------


def _form_values(kind: Kind, new: bool) -> dict[str, str]:
    values = {}
    for f in kind.fields:
        if f.type == "placeholders":
            values[f.name] = ", ".join(request.form.getlist(f.name))
        else:
            for column in f.columns:
                values[column] = request.form.get(column, "")
    if new:
        values["slug"] = request.form.get("slug", "")
    return values


def _for_inputs(kind: Kind, values: dict[str, str]) -> dict[str, str]:
    # <input type="datetime-local"> wants 2027-01-16T09:00; anything unreadable is shown as typed.
    shown = dict(values)
    for f in kind.fields:
        if f.type == "datetime" and values.get(f.name):
            when = typed_values.parse_local(values[f.name])
            if when is not None:
                shown[f.name] = typed_values.format_local(when).replace(" ", "T")
    return shown


def _render_form(db, kind: Kind, values: dict, errors: dict, row=None, status: int = 200):
    choices = {
        f.name: catalog.reference_choices(db, f)
        for f in kind.fields
        if f.type in ("school", "neighborhood")
    }
    placeholders = typed_values.split_list(values.get("placeholders", ""))
    page = render_template(
        "console/data_form.html",
        kind=kind,
        row=row,
        row_title=_title(kind, row) if row is not None else None,
        values=_for_inputs(kind, values),
        errors=errors,
        choices=choices,
        checked_placeholders=placeholders,
        title=f"Edit {kind.label}" if row is not None else f"New {kind.label}",
    )
    return page, status


def _promoted_message(promoted) -> str:
    names = ", ".join(family_name(r) or f"registration {r.id}" for r in promoted)
    families = "family" if len(promoted) == 1 else "families"
    return (
        f"More seats: {len(promoted)} waitlisted {families} now registered ({names}). "
        "Let them know they have a seat."
    )


@bp.route("/<kind_url>/new", methods=["GET", "POST"])
def new(kind_url: str):
    kind = _kind(kind_url)
    with services().sessions() as db:
        if request.method == "GET":
            return _render_form(db, kind, NEW_DEFAULTS.get(kind.name, {}), {})
        values = _form_values(kind, new=True)
        clean, errors = catalog_checks.validate(kind, values, session=db)
        if errors:
            return _render_form(db, kind, values, errors, status=422)
        saved = catalog.save(db, kind, clean)
        row = saved.row
        audit.record(db, g.staff, f"data.{kind.name}.create", kind.name, row.id, slug=row.slug)
        db.commit()
        flash(f"Added {kind.label} “{_title(kind, row)}”.")
        return redirect(url_for("data.rows", kind_url=kind.url))


@bp.route("/<kind_url>/<int:row_id>/edit", methods=["GET", "POST"])
def edit(kind_url: str, row_id: int):
    kind = _kind(kind_url)
    with services().sessions() as db:
        row = _row_or_404(db, kind, row_id)
        if request.method == "GET":
            return _render_form(db, kind, catalog.as_values(kind, row), {}, row=row)
        values = _form_values(kind, new=False)
        clean, errors = catalog_checks.validate(kind, values, session=db, existing=row)
        if errors:
            return _render_form(db, kind, values, errors, row=row, status=422)
        saved = catalog.save(db, kind, clean, existing=row)
        if not saved.changed:
            flash("Nothing changed.")
            return redirect(url_for("data.rows", kind_url=kind.url))
        audit.record(
            db,
            g.staff,
            f"data.{kind.name}.update",
            kind.name,
            row.id,
            slug=row.slug,
            fields=saved.changed,
            promoted=[r.id for r in saved.promoted],
        )
        db.commit()
        flash(f"Saved {kind.label} “{_title(kind, row)}”.")
        if saved.promoted:
            flash(_promoted_message(saved.promoted), "warning")
        return redirect(url_for("data.rows", kind_url=kind.url))


def _set_archived(kind_url: str, row_id: int, archived: bool):
    kind = _kind(kind_url)
    with services().sessions() as db:
        row = _row_or_404(db, kind, row_id)
        if catalog.set_archived(db, row, archived):
            action = "archive" if archived else "unarchive"
            audit.record(
                db, g.staff, f"data.{kind.name}.{action}", kind.name, row.id, slug=row.slug
            )
            db.commit()
        name = _title(kind, row)
        if archived:
            flash(f"Archived “{name}”: the bot no longer offers it to families.")
            if kind.name == "session":
                holding = catalog_checks.registered_adults(db, row)
                if holding:
                    flash(
                        f"{holding} adults are still registered for it. Tell them it is off "
                        "(a broadcast to this session's registrants).",
                        "warning",
                    )
        else:
            flash(f"“{name}” is back: the bot offers it again.")
    keep_archived_shown = "1" if request.form.get("show_archived") == "1" else None
    return redirect(url_for("data.rows", kind_url=kind.url, archived=keep_archived_shown))


@bp.post("/<kind_url>/<int:row_id>/archive")
def archive(kind_url: str, row_id: int):
    return _set_archived(kind_url, row_id, True)


@bp.post("/<kind_url>/<int:row_id>/unarchive")
def unarchive(kind_url: str, row_id: int):
    return _set_archived(kind_url, row_id, False)


# ---- CSV ---------------------------------------------------------------------------------


@bp.get("/<kind_url>/export.csv")
def export(kind_url: str):
    kind = _kind(kind_url)
    with services().sessions() as db:
        data = catalog_csv.export_csv(db, kind)
        audit.record(db, g.staff, f"data.{kind.name}.export", kind.name, None)
        db.commit()
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kind.url}.csv"'},
    )


def _render_import(kind: Kind, problems=(), more: int = 0, status: int = 200):
    page = render_template(
        "console/data_import.html",
        kind=kind,
        problems=problems,
        more=more,
        max_mb=catalog_csv.MAX_BYTES // (1024 * 1024),
        title=f"Import {kind.plural}",
    )
    return page, status


@bp.route("/<kind_url>/import", methods=["GET", "POST"])
def import_csv(kind_url: str):
    kind = _kind(kind_url)
    if request.method == "GET":
        return _render_import(kind)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_import(kind, [catalog_csv.Problem("Choose a CSV file to upload.")], 422)
    data = upload.stream.read(catalog_csv.MAX_BYTES + 1)
    with services().sessions() as db:
        try:
            result = catalog_csv.import_csv(db, kind, data, upload.filename)
        except catalog_csv.ImportRefused as refused:
            db.rollback()
            return _render_import(kind, refused.problems, refused.more, 422)
        audit.record(
            db,
            g.staff,
            f"data.{kind.name}.import",
            kind.name,
            None,
            filename=upload.filename,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            promoted=[r.id for r in result.promoted],
        )
        db.commit()
        flash(
            f"Imported {upload.filename}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        if result.promoted:
            flash(_promoted_message(result.promoted), "warning")
    return redirect(url_for("data.rows", kind_url=kind.url))
