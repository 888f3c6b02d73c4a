// The LTI deep-linking return (lti/deep_linking/return.html): send its form to the LMS as soon
// as the page is read. The form's own button does the same where scripts do not run.
"use strict";

document.querySelector("form[data-autosubmit]")?.submit();
