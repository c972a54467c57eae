"""(being built)"""

from __future__ import annotations

from flask import Blueprint, abort

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def _token_only():
    abort(401)
