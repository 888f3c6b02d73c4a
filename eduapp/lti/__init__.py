"""LTI 1.3 Advantage: eduapp launched from a school's LMS (docs/lti.md)."""
