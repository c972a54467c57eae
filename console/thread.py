"""(being built)"""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_staff

bp = Blueprint("thread", __name__, url_prefix="/console/conversations")
require_staff(bp)


@bp.route("/<int:conversation_id>")
def show(conversation_id: int):
    return render_template("console/placeholder.html", title="thread")
