"""(being built)"""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import require_admin, require_staff

bp = Blueprint("staff_users", __name__, url_prefix="/console/staff")
require_admin(bp)

account_bp = Blueprint("account", __name__, url_prefix="/console/account")
require_staff(account_bp)


@bp.route("/")
def index():
    return render_template("console/placeholder.html", title="staff")


@account_bp.route("/")
def page():
    return render_template("console/placeholder.html", title="account")
