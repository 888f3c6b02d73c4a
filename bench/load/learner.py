"""A simulated learner: signs up through the link mailed to it, signs in, plays scenarios
through the real pages, reflects, and sometimes presses a choice twice. It notes what the server
acknowledged as saved.

When a request fails (a worker killed, the database restarting), the learner does what a person
would: waits a moment, reloads the attempt page and carries on from what it shows. A failed
choice is never posted again blindly.
"""

import asyncio
import contextlib
import random
import re
import time
from dataclasses import dataclass

import httpx

from bench.load.ledger import ACKED, UNKNOWN, ChoiceClaim, LearnerLedger, ReflectionWrite
from bench.load.mailbox import Mailbox
from bench.load.pages import Page, parse
from bench.load.stats import Recorder, Sample

ATTEMPT_PATH = re.compile(r"^/attempts/(\d+)$")
MODULE_PATH = re.compile(r"^/modules/[\w-]+$")
PROFESSIONS = ("medicine", "nursing", "pharmacy", "physiotherapy", "social_work")
#: How many times a person reloads a failing page before giving up on it.
MAX_RELOADS = 12
REFUSED = "refused"
#: How long a learner waits for the sign-up mail before asking for it again.
MAIL_WAIT = 30
#: The join code of the cohort every learner joins (made by ``run.make_cohort``).
COHORT_CODE = "LEARNERS"


class Transient(Exception):
    """No usable answer: a 5xx, a dropped connection or a timeout."""


class GiveUp(Exception):
    """The learner stops: the run is over, or the site kept failing."""


@dataclass
class Answer:
    status: int
    location: str
    text: str


@dataclass
class Behaviour:
    think: tuple[float, float] = (0.2, 1.0)
    #: Share of pages with a prompt where the learner writes a reflection (half saved with the
    #: button first, half sent with the choice).
    reflect: float = 0.7
    #: Share of choices pressed twice: half concurrently, half one after the other.
    double: float = 0.1
    #: Share of finished scenarios after which the learner signs out and in again.
    relogin: float = 0.3


class Learner:
    def __init__(
        self,
        number: int,
        run_tag: str,
        password: str,
        client: httpx.AsyncClient,
        recorder: Recorder,
        clock_zero: float,
        deadline: float,
        behaviour: Behaviour,
        mailbox: Mailbox,
        seed: int,
    ) -> None:
        self.number = number
        self.email = f"learner{number:03d}-{run_tag}@example.org"
        self.password = password
        self.client = client
        self.recorder = recorder
        self.zero = clock_zero
        self.deadline = deadline
        #: Past this, even reloads stop: in-flight work is over.
        self.hard_deadline = deadline + 20
        self.behaviour = behaviour
        self.mailbox = mailbox
        self.rng = random.Random(seed)
        self.cookies: dict[str, str] = {}
        self.ledger = LearnerLedger(self.email)
        self.endings = 0
        self.unexpected: list[str] = []
        #: Seconds from the form's answer ("check your inbox") until the link was in the mailbox.
        self.mail_waits: list[float] = []
        self._writes = 0

    # -- HTTP, as a browser with its cookie jar --------------------------------------------
    async def request(self, kind: str, method: str, path: str, data: dict | None = None) -> Answer:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        started = time.monotonic()
        try:
            response = await self.client.request(method, path, data=data, headers=headers)
        except httpx.HTTPError as error:
            self._sample(kind, started, 0, type(error).__name__)
            raise Transient(type(error).__name__) from error
        self._sample(kind, started, response.status_code)
        self._keep_cookies(response)
        self.client.cookies.clear()
        if response.status_code >= 500:
            self.recorder.error_pages.note(response.status_code, response.text)
            raise Transient(str(response.status_code))
        return Answer(response.status_code, response.headers.get("location", ""), response.text)

    def _sample(self, kind: str, started: float, status: int, error: str = "") -> None:
        now = time.monotonic()
        self.recorder.add(Sample(kind, started - self.zero, now - started, status, error))

    def _keep_cookies(self, response: httpx.Response) -> None:
        # The app's cookies are Secure (production config behind TLS); over loopback HTTP the
        # learner keeps them itself, as the TLS-terminating proxy's clients would.
        for header in response.headers.get_list("set-cookie"):
            pair, _, attributes = header.partition(";")
            name, _, value = pair.partition("=")
            lowered = attributes.lower()
            if "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.behaviour.think))

    async def page(self, kind: str, path: str) -> tuple[Answer, Page]:
        """GET a page; on failure wait and reload, as a person would."""
        pause = 0.5
        for _ in range(MAX_RELOADS):
            if time.monotonic() > self.hard_deadline:
                break
            try:
                answer = await self.request(kind, "GET", path)
            except Transient:
                await asyncio.sleep(pause)
                pause = min(pause * 2, 4)
                continue
            if answer.status == 302 and answer.location.startswith("/login"):
                await self.sign_in()
                continue
            return answer, parse(answer.text)
        raise GiveUp(f"{path} kept failing")

    async def post(self, kind: str, path: str, data: dict) -> str:
        """POST a form once: ACKED on a redirect back to ``path``, UNKNOWN if it failed."""
        try:
            answer = await self.request(kind, "POST", path, data)
        except Transient:
            return UNKNOWN
        if answer.status == 302 and answer.location == path:
            return ACKED
        self.unexpected.append(f"{kind} {path} answered {answer.status} {answer.location}")
        return REFUSED

    # -- accounts ---------------------------------------------------------------------------
    async def sign_up(self) -> None:
        """Sign up as a person does: the form, then the link in the mail, then its button.

        A request that failed may have done its work: a lost answer to the form only means one
        more mail (the newest link is used); a lost answer to the button may mean the account
        exists, so the learner tries signing in before anything else.
        """
        used: set[str] = set()
        for _ in range(MAX_RELOADS):
            asked = await self.ask_for_link()
            if asked is None:
                continue
            link = await self.mailbox.wait_for_link(self.email, MAIL_WAIT, used)
            if link is None:
                self.unexpected.append(f"no sign-up mail within {MAIL_WAIT} s")
                continue
            self.mail_waits.append(time.monotonic() - asked)
            used.add(link)
            if await self.follow_link(link):
                self.ledger.signed_up = True
                return
        raise GiveUp("could not sign up")

    async def ask_for_link(self) -> float | None:
        """Send the sign-up form: when the app answered "check your inbox", or None."""
        _, page = await self.page("register page", "/register")
        data = {
            "csrf_token": page.csrf_token or "",
            "display_name": f"Load Learner {self.number}",
            "email": self.email,
            "profession": self.rng.choice(PROFESSIONS),
            "password": self.password,
            "confirm": self.password,
        }
        try:
            answer = await self.request("register", "POST", "/register", data)
        except Transient:
            await asyncio.sleep(1)
            return None
        if answer.status != 302 or answer.location != "/register/sent":
            self.unexpected.append(f"register answered {answer.status} {answer.location}")
            return None
        answered = time.monotonic()
        with contextlib.suppress(Transient):  # the browser follows; the page only informs
            await self.request("check inbox", "GET", answer.location)
        return answered

    async def follow_link(self, link: str) -> bool:
        """Open the mailed link and press its button; True once signed in to the new account."""
        for _ in range(MAX_RELOADS):
            answer, page = await self.page("confirm page", link)
            if answer.status == 410:  # used: by this learner's own POST whose answer was lost
                return await self.sign_in()
            if answer.status != 200 or not page.csrf_token:
                self.unexpected.append(f"confirm page answered {answer.status}")
                return False
            try:
                answer = await self.request(
                    "confirm", "POST", link, {"csrf_token": page.csrf_token}
                )
            except Transient:
                if await self.sign_in():
                    return True
                await asyncio.sleep(1)
                continue
            if answer.status == 302 and answer.location == "/modules":
                return True
            if answer.status == 410:
                return await self.sign_in()
            self.unexpected.append(f"confirm answered {answer.status} {answer.location}")
            return False
        return False

    async def join_cohort(self) -> None:
        """Join the cohort with its code, as from the My learning page (twice is harmless)."""
        for _ in range(MAX_RELOADS):
            _, page = await self.page("my learning", "/my/learning")
            data = {"csrf_token": page.csrf_token or "", "code": COHORT_CODE}
            try:
                answer = await self.request("join cohort", "POST", "/my/cohorts/join", data)
            except Transient:
                await asyncio.sleep(1)
                continue
            if answer.status == 302:
                return
            self.unexpected.append(f"join answered {answer.status}")
            return
        raise GiveUp("could not join the cohort")

    async def sign_in(self) -> bool:
        for _ in range(MAX_RELOADS):
            if time.monotonic() > self.hard_deadline:
                break
            try:
                answer = await self.request("login page", "GET", "/login")
                if answer.status == 302:
                    return True
                token = parse(answer.text).csrf_token or ""
                data = {"csrf_token": token, "email": self.email, "password": self.password}
                answer = await self.request("login", "POST", "/login", data)
            except Transient:
                await asyncio.sleep(1)
                continue
            if answer.status == 302:
                return True
            if answer.status == 401:
                return False
        return False

    async def sign_out_and_in(self) -> None:
        _, page = await self.page("modules", "/modules")
        logout = page.form_to("/logout")
        if logout:
            with contextlib.suppress(Transient):
                await self.request("logout", "POST", "/logout", dict(logout[0].hidden))
        self.cookies.clear()
        await self.think()
        if not await self.sign_in():
            raise GiveUp("could not sign in again")

    # -- playing ----------------------------------------------------------------------------
    async def run(self) -> None:
        try:
            await self.sign_up()
            # Half join the cohort before playing, half after a first scenario: joining then
            # brings what they played into the cohort's counts while others keep playing.
            joins_first = self.number % 2 == 0
            if joins_first:
                await self.join_cohort()
            while time.monotonic() < self.deadline:
                await self.play_a_scenario()
                if not joins_first:
                    await self.join_cohort()
                    joins_first = True
                if self.rng.random() < self.behaviour.relogin:
                    await self.sign_out_and_in()
        except GiveUp as reason:
            if time.monotonic() < self.deadline:
                self.unexpected.append(f"gave up: {reason}")

    async def play_a_scenario(self) -> None:
        _, page = await self.page("modules", "/modules")
        modules = sorted({link for link in page.links if MODULE_PATH.match(link)})
        if not modules:
            raise GiveUp("no module on /modules")
        await self.think()
        _, page = await self.page("module", self.rng.choice(modules))
        unfinished = sorted({link for link in page.links if ATTEMPT_PATH.match(link)})
        starts = page.form_to("/scenarios/")
        await self.think()
        if unfinished and self.rng.random() < 0.9:
            attempt_path = self.rng.choice(unfinished)
        elif starts:
            form = self.rng.choice(starts)
            try:
                answer = await self.request("start", "POST", form.action, dict(form.hidden))
            except Transient:
                return  # back to the modules, as a person would
            if answer.status != 302 or not ATTEMPT_PATH.match(answer.location):
                self.unexpected.append(f"start answered {answer.status} {answer.location}")
                return
            attempt_path = answer.location
        else:
            return
        await self.play(attempt_path)

    async def play(self, path: str) -> None:
        attempt_id = int(ATTEMPT_PATH.match(path).group(1))
        self.ledger.attempts.add(attempt_id)
        while time.monotonic() < self.deadline:
            _, page = await self.page("attempt page", path)
            forms = [f for f in page.forms if f.action == path and f.method == "post"]
            if not forms:
                self.endings += 1
                return
            form = forms[0]
            step = int(form.hidden["step"])
            base = {
                "csrf_token": form.hidden["csrf_token"],
                "step": str(step),
                "visibility": self.rng.choice(("private", "tutors")),
            }
            await self.think()
            if "reflection" in form.textareas:
                base["reflection"] = form.textareas["reflection"]
                roll = self.rng.random()
                if roll < self.behaviour.reflect / 2:
                    text = self._new_text(attempt_id, step)
                    data = {**base, "reflection": text, "save_reflection": "1"}
                    outcome = await self.post("save reflection", path, data)
                    self.ledger.reflections.append(
                        ReflectionWrite(attempt_id, step, text, outcome, "save")
                    )
                    continue  # the redirect shows the page again, with the text in it
                if roll < self.behaviour.reflect:
                    base["reflection"] = self._new_text(attempt_id, step)
            await self.choose(attempt_id, path, step, form, base)

    async def choose(self, attempt_id: int, path: str, step: int, form, base: dict) -> None:
        buttons = [b for b in form.buttons if b.name == "choice" and b.value]
        button = self.rng.choice(buttons)
        data = {**base, "choice": button.value}
        roll = self.rng.random()
        if roll < self.behaviour.double / 2:
            how = "double-concurrent"
            outcomes = list(
                await asyncio.gather(
                    self.post("choose", path, data), self.post("choose (again)", path, data)
                )
            )
        elif roll < self.behaviour.double:
            how = "double-sequential"
            outcomes = [await self.post("choose", path, data)]
            outcomes.append(await self.post("choose (again)", path, data))
        else:
            how = "single"
            outcomes = [await self.post("choose", path, data)]
        for outcome in outcomes:
            if outcome == ACKED:
                self.ledger.choices.append(
                    ChoiceClaim(attempt_id, step + 1, int(button.value), how)
                )
            if data.get("reflection", "").strip():
                self.ledger.reflections.append(
                    ReflectionWrite(attempt_id, step, data["reflection"], outcome, "choice")
                )

    def _new_text(self, attempt_id: int, step: int) -> str:
        self._writes += 1
        mood = self.rng.choice(("unsure", "confident", "uneasy", "curious"))
        # Non-ASCII and markup-like characters, to prove they come back exactly as written.
        return (
            f"Learner {self.number}, attempt {attempt_id}, step {step}, note {self._writes}: "
            f"I felt {mood} about this; the patient's view <b>matters</b> & so does café talk."
        )
