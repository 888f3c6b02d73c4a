from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class MarkReadForm(FlaskForm):
    submit = SubmitField("Mark all as read")


class DigestForm(FlaskForm):
    wanted = BooleanField("Mail me a daily digest of my unread notifications")
    submit = SubmitField("Save")
