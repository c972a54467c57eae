"""(being built)"""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_staff

bp = Blueprint("registrations", __name__, url_prefix="/console/registrations")
require_staff(bp)


@bp.route("/")
def index():
    return render_template("console/placeholder.html", title="registrations")
