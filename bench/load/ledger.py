"""What each simulated learner was told was saved (its account, its choices, its reflections):
the claims the checker holds the database to."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

#: A reflection write the server acknowledged (302 to the attempt page).
ACKED = "acked"
#: A write whose request failed (dropped connection, 5xx): it may or may not have been saved.
UNKNOWN = "unknown"


@dataclass
class ChoiceClaim:
    attempt: int
    #: The attempt's step after the choice, i.e. the choice event's step (1 for the first).
    step: int
    choice: int
    #: "single", "double-sequential" or "double-concurrent".
    how: str


@dataclass
class ReflectionWrite:
    attempt: int
    #: The attempt's step while the learner was at the node (the reflection's step).
    step: int
    text: str
    outcome: str
    #: "save" (the Save reflection button) or "choice" (sent with a choice).
    via: str


@dataclass
class LearnerLedger:
    email: str
    #: The learner pressed the mailed link's button and was signed in to its new account.
    signed_up: bool = False
    attempts: set[int] = field(default_factory=set)
    choices: list[ChoiceClaim] = field(default_factory=list)
    reflections: list[ReflectionWrite] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["attempts"] = sorted(self.attempts)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "LearnerLedger":
        return cls(
            email=data["email"],
            signed_up=data.get("signed_up", False),
            attempts=set(data["attempts"]),
            choices=[ChoiceClaim(**c) for c in data["choices"]],
            reflections=[ReflectionWrite(**r) for r in data["reflections"]],
        )


def save(ledgers: list[LearnerLedger], path: Path) -> None:
    path.write_text(json.dumps([ledger.to_json() for ledger in ledgers], indent=1))


def load(path: Path) -> list[LearnerLedger]:
    return [LearnerLedger.from_json(item) for item in json.loads(path.read_text())]
