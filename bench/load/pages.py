"""What a simulated learner reads on a page: its forms, buttons, textarea and flash messages.

A small HTML parser (the standard library's), so the learner only ever does what the page offers.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Button:
    name: str | None
    value: str | None
    label: str


@dataclass
class Form:
    action: str
    method: str
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[Button] = field(default_factory=list)
    textareas: dict[str, str] = field(default_factory=dict)
    classes: str = ""


@dataclass
class Page:
    forms: list[Form] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    flashes: list[str] = field(default_factory=list)
    title: str = ""

    def form_to(self, prefix: str) -> list[Form]:
        return [f for f in self.forms if f.action.startswith(prefix)]

    @property
    def csrf_token(self) -> str | None:
        for form in self.forms:
            if "csrf_token" in form.hidden:
                return form.hidden["csrf_token"]
        return None


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._form: Form | None = None
        self._button: Button | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._in_flash = False
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                a.get("action", ""), a.get("method", "get").lower(), classes=a.get("class", "")
            )
            self.page.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("type") == "hidden":
            self._form.hidden[a.get("name", "")] = a.get("value", "")
        elif tag == "button" and self._form is not None:
            self._button = Button(a.get("name"), a.get("value"), "")
            self._text = []
        elif tag == "textarea" and self._form is not None:
            self._textarea = a.get("name", "")
            self._text = []
        elif tag == "a" and a.get("href"):
            self.page.links.append(a["href"])
        elif tag == "p" and "flash" in a.get("class", "").split():
            self._in_flash = True
            self._text = []
        elif tag == "title":
            self._in_title = True
            self._text = []

    def handle_endtag(self, tag):
        text = "".join(self._text).strip()
        if tag == "form":
            self._form = None
        elif tag == "button" and self._button is not None and self._form is not None:
            self._button.label = text
            self._form.buttons.append(self._button)
            self._button = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.textareas[self._textarea] = "".join(self._text)
            self._textarea = None
        elif tag == "p" and self._in_flash:
            self.page.flashes.append(text)
            self._in_flash = False
        elif tag == "title" and self._in_title:
            self.page.title = text
            self._in_title = False

    def handle_data(self, data):
        self._text.append(data)


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page
