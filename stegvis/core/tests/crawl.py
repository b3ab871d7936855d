"""A crawler for the demo data: from a role's start page, every page its links reach and every
form on them, as a user would click through (test client, no browser).

A problem is a page that answers with an error or a link that leads nowhere, or a form that
crashes on what it was sent. Pages are grouped by the view that answers them, and each view is
visited a few times per role, so the crawl is bounded whatever the size of the data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

# Views the crawl leaves alone: logging out ends the crawl's session, and the language switch
# would change the language of every page after it.
LEFT_ALONE = {"core:logout", "set_language"}
# Files (PDF, spreadsheets, exports), by the view's name or a format asked for: their own tests
# read them, and drawing every one of them would make the crawl several times slower.
FILES = re.compile(r"pdf|xlsx|csv|export|download")
# Fields a formset needs as they are (their management form).
KEPT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS", "csrfmiddlewaretoken")


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    # The first named submit button (name, value): a user's click sends it, as it is.
    button: tuple[str, str] | None = None


class _Page(HTMLParser):
    """The links and the POST forms of one page, each form with the values it would send."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list[str | None] | None = None  # name, selected, first option
        self._textarea: int | None = None  # the index of the open textarea's field

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            post = a.get("method", "get").lower() == "post"
            self._form = Form(action=a.get("action", "")) if post else None
            if self._form is not None:
                self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            if self._select[2] is None:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")
        elif self._form is None or not a.get("name"):
            return
        elif tag in {"input", "button"}:
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value") or "on"))
            elif kind == "submit":
                self._form.button = self._form.button or (a["name"], a.get("value", ""))
            elif kind not in {"button", "file", "image", "reset"}:
                self._form.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = len(self._form.fields)
            self._form.fields.append((a["name"], ""))
        elif tag == "select":
            self._select = [a["name"], None, None]

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            name, text = self._form.fields[self._textarea]
            self._form.fields[self._textarea] = (name, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        if tag == "select" and self._select is not None and self._form is not None:
            name, selected, first = self._select
            self._form.fields.append((str(name), str(selected or first or "")))
            self._select = None
        elif tag == "form":
            self._form = None


def view_of(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def is_file(url: str, view: str) -> bool:
    return bool(FILES.search(view)) or "format=" in urlsplit(url).query


Fill = Callable[[str, str], str]


@dataclass
class Crawl:
    """One role's crawl: ``pages`` answered, ``posted`` forms and the ``problems`` seen."""

    client: Client
    per_view: int = 2
    # The values to post for a field (name, value in the page), one post per fill and form;
    # none: follow the links only.
    fills: tuple[Fill, ...] = ()
    pages: int = 0
    posted: int = 0
    problems: list[str] = field(default_factory=list)

    def run(self, start: str = "/") -> Crawl:
        queue, seen, visits, forms = [start], set(), Counter[str](), Counter[str]()
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            view = view_of(url)
            if view is None:
                self.problems.append(f"GET {url}: no page answers this link")
                continue
            if view in LEFT_ALONE or visits[view] >= self.per_view or is_file(url, view):
                continue
            visits[view] += 1
            page = self._get(url)
            if page is None:
                continue
            queue += [link for link in page.links if link not in seen]
            for form in page.forms if self.fills else []:
                action = urljoin(url, form.action)
                target = view_of(action)
                if target is None:
                    self.problems.append(f"POST {action} (form on {url}): no page answers it")
                elif target not in LEFT_ALONE and forms[target] < 1:
                    forms[target] += 1
                    for fill in self.fills:
                        self._post(action, form, url, fill)
        return self

    def _get(self, url: str) -> _Page | None:
        try:
            response = self.client.get(url)
        except Exception as error:  # a crash is what the crawl looks for
            self.problems.append(f"GET {url}: {type(error).__name__}: {error}")
            return None
        self.pages += 1
        if response.status_code in {301, 302}:
            return self._links([urljoin(url, response["Location"])])
        # 410: a survey link of a closed round, which answers with a page that says so.
        if response.status_code not in {200, 410}:
            self.problems.append(f"GET {url}: {response.status_code}")
            return None
        if "text/html" not in response.get("Content-Type", ""):
            return _Page()
        page = _Page()
        page.feed(response.content.decode())
        return self._links([urljoin(url, link) for link in page.links], page)

    @staticmethod
    def _links(links: list[str], page: _Page | None = None) -> _Page:
        """``page`` with only the links to this site's pages (absolute paths, no fragment)."""
        page = page or _Page()
        page.links = []
        for link in links:
            parts = urlsplit(link)
            ours = parts.scheme in {"", "http"} and parts.netloc in {"", "testserver"}
            if ours and parts.path.startswith("/"):
                page.links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        return page

    def _post(self, action: str, form: Form, found_on: str, fill: Fill) -> None:
        data: dict[str, list[str]] = {}
        for name, value in form.fields:
            sent = value if name.endswith(KEPT) else fill(name, value)
            data.setdefault(name, []).append(sent)
        if form.button is not None:
            data[form.button[0]] = [form.button[1]]
        try:
            response = self.client.post(action, data)
        except Exception as error:  # a crash is what the crawl looks for
            self.problems.append(
                f"POST {action} (form on {found_on}): {type(error).__name__}: {error}"
            )
            return
        self.posted += 1
        if response.status_code >= 500:
            self.problems.append(f"POST {action} (form on {found_on}): {response.status_code}")
