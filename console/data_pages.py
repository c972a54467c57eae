"""(being built)"""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_admin

bp = Blueprint("data", __name__, url_prefix="/console/data")
require_admin(bp)


@bp.route("/")
def index():
    return render_template("console/placeholder.html", title="data")
