"""Access rows for LTI deep linking (eduapp/lti/deep_linking_views.py): the picker and sending
its answer are for tutors. The world's personas arrive by the sign-in form, never by a
deep-linking launch, so none holds a pending request: a tutor gets the "start from your course"
page (404), everyone else is refused before it (403, or the sign-in page)."""

from tests.security.access_world import Row, expect

#: The tutors: signed in, but with no deep-linking request to answer.
TUTORS = {"tutor": 404, "cohort_tutor": 404, "reviewer": 404}

ROWS = {
    ("lti_deep_linking.pick", "GET"): Row("/lti/deep-linking", expect(403, **TUTORS)),
    ("lti_deep_linking.send", "POST"): Row(
        "/lti/deep-linking",
        expect(403, **TUTORS),
        {"items": "scenario:ward-round", "send": "y"},
    ),
}
