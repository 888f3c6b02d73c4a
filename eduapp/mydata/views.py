"""The learner's own pages: My learning, and My data (download, and asking for erasure).

Joining and leaving cohorts from My learning are cohorts' views (cohorts/membership_views.py);
admins carry out erasure on their own pages (admin/views.py).
"""

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user

from eduapp.accounts.models import Role
from eduapp.csv_export import csv_response
from eduapp.extensions import utcnow
from eduapp.mydata import export, queries, services
from eduapp.mydata.forms import ErasureRequestForm
from eduapp.mydata.pages import learning_page
from eduapp.security.access import requires, signed_in

bp = Blueprint("mydata", __name__, template_folder="templates")


@bp.get("/my/learning")
@requires(Role.LEARNER)
def learning():
    return learning_page()


def _data_page(form: ErasureRequestForm, status: int = 200):
    page = render_template(
        "mydata/data.html",
        pending=queries.pending_erasure_request(current_user),
        form=form,
        can_request=current_user.has_role(Role.LEARNER),
    )
    return page, status


# Any signed-in user may see and download their own data; erasure is for learners' accounts.
@bp.get("/my/data")
@signed_in
def data():
    return _data_page(ErasureRequestForm(formdata=None))


@bp.post("/my/data")
@requires(Role.LEARNER)
def request_erasure():
    form = ErasureRequestForm()
    if not form.validate_on_submit():
        return _data_page(form, 400)
    if services.request_erasure(current_user):
        flash("Your request is recorded. An administrator will carry it out.", "success")
    else:
        flash("You asked already; your request is waiting for an administrator.", "info")
    return redirect(url_for("mydata.data"))


def _filename(stem: str, extension: str) -> str:
    return f"eduapp-{stem}-{utcnow():%Y-%m-%d}.{extension}"


@bp.get("/my/data/export")
@signed_in
def export_json():
    response = Response(export.export_json(current_user), mimetype="application/json")
    filename = _filename("my-data", "json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/my/data/<any(choices, reflections):kind>.csv")
@signed_in
def export_csv(kind: str):
    if kind == "choices":
        header, rows = export.CHOICE_HEADER, export.choice_rows(current_user)
    else:
        header, rows = export.REFLECTION_HEADER, export.reflection_rows(current_user)
    return csv_response(_filename(f"my-{kind}", "csv"), header, rows)
