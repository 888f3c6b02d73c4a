"""Administration: people, their roles and confirmed addresses, the audit log, and carrying out
erasure requests (the requests and the erasure itself are mydata's)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.accounts import services as account_services
from eduapp.accounts.models import Role, User
from eduapp.admin import services
from eduapp.admin.forms import CarryOutErasureForm, ConfirmAddressForm, RolesForm
from eduapp.admin.queries import users_page
from eduapp.audit.queries import audit_page, words_of
from eduapp.extensions import db
from eduapp.mydata.models import ErasureRequest
from eduapp.mydata.queries import carried_out_erasures, pending_erasure_requests
from eduapp.mydata.services import ErasureError, erase_learner
from eduapp.security.access import requires

bp = Blueprint("admin", __name__, template_folder="templates")


@bp.get("/users")
@requires(Role.ADMIN)
def users():
    return _people_page()


def _people_page(sent: RolesForm | None = None, sent_for: int | None = None, status: int = 200):
    """The people page; a roles form that was refused comes back with its message."""
    page = users_page(request.args.get("page", 1, type=int))
    forms = {
        user.id: RolesForm(
            formdata=None, roles=[r.value for r in user.role_set], prefix=f"u{user.id}"
        )
        for user in page.items
    }
    if sent is not None:
        forms[sent_for] = sent
    return render_template("admin/users.html", page=page, forms=forms), status


@bp.post("/users/<int:user_id>/roles")
@requires(Role.ADMIN)
def set_roles(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RolesForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        return _people_page(form, user.id, status=400)
    try:
        account_services.set_roles(current_user, user, {Role(r) for r in form.roles.data})
    except account_services.SelfRoleChange:
        abort(403)
    flash(f"Roles of {user.display_name} saved.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/confirm-address")
@requires(Role.ADMIN)
def confirm_address(user_id: int):
    """Mark a person's address confirmed, so invitations to it apply (SECURITY.md row 30)."""
    user = db.get_or_404(User, user_id)
    back = redirect(url_for("admin.users", page=request.args.get("page", 1, type=int)))
    if not ConfirmAddressForm().validate_on_submit():
        flash("The form had expired; please try again.", "error")
        return back
    try:
        confirmed = services.confirm_address(current_user, user)
    except services.SelfConfirmation:
        abort(403)
    if confirmed:
        flash(f"The address of {user.display_name} is confirmed.", "success")
    else:
        flash(f"The address of {user.display_name} was confirmed already.", "info")
    return back


@bp.get("/audit")
@requires(Role.ADMIN)
def audit():
    page = audit_page(request.args.get("page", 1, type=int))
    return render_template("admin/audit.html", page=page, words=words_of(page.items))


@bp.get("/erasure")
@requires(Role.ADMIN)
def erasure_requests():
    pending = pending_erasure_requests()
    return render_template(
        "admin/erasure.html",
        pending=pending,
        forms={r.id: CarryOutErasureForm(formdata=None, prefix=f"r{r.id}") for r in pending},
        done=carried_out_erasures(),
    )


@bp.post("/erasure/<int:request_id>")
@requires(Role.ADMIN)
def carry_out_erasure(request_id: int):
    erasure_request = db.get_or_404(ErasureRequest, request_id)
    form = CarryOutErasureForm(prefix=f"r{erasure_request.id}")
    if erasure_request.carried_out_at is not None:
        flash("That request was carried out already.", "info")
    elif not form.validate_on_submit():
        flash("Tick “I have checked this request” to erase the account.", "error")
    else:
        try:
            erase_learner(erasure_request.user, current_user)
        except ErasureError as error:
            flash(str(error), "error")
        else:
            flash(f"Account {erasure_request.user_id} is erased.", "success")
    return redirect(url_for("admin.erasure_requests"))
