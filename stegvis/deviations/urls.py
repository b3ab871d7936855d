"""URLs of Lex Heller reports.

The reporter's own pages exist under each owner a reporter acts in, with that owner's roles:
``/p/<provider>/lex-heller/`` (provider staff), ``/r/<unit>/lex-heller/`` (referrers) and
``/a/<association>/lex-heller/mina/`` (reporters the office invited). The association's pages are
under ``/a/<association>/lex-heller/``.
"""

from django.urls import URLPattern, path

from stegvis.core.models import ASSOCIATION_ROLES, PROVIDER_ROLES, Role
from stegvis.core.permissions import role_required
from stegvis.deviations import views
from stegvis.deviations.permissions import can_read_reports

app_name = "deviations"


def _reporter_pages(base: str, prefix: str, roles: set[Role]) -> list[URLPattern]:
    allow = role_required(roles)
    return [
        path(base, allow(views.reporter_list), name=f"{prefix}_list"),
        path(base + "ny/", allow(views.reporter_new), name=f"{prefix}_new"),
        path(base + "<uuid:report>/", allow(views.reporter_detail), name=f"{prefix}_detail"),
        path(
            base + "<uuid:report>/komplettera/",
            allow(views.reporter_supplement),
            name=f"{prefix}_supplement",
        ),
    ]


A = "a/<slug:association>/lex-heller/"
association_roles = role_required(ASSOCIATION_ROLES)
office = role_required({Role.OFFICE})
compiler = role_required({Role.COMPILER})

urlpatterns: list[URLPattern] = [
    *_reporter_pages("p/<uuid:provider>/lex-heller/", "provider", set(PROVIDER_ROLES)),
    *_reporter_pages("r/<uuid:unit>/lex-heller/", "unit", {Role.REFERRER}),
    *_reporter_pages(A + "mina/", "reporter", {Role.REPORTER}),
    path(
        A,
        role_required(ASSOCIATION_ROLES, can_read_reports)(views.association_list),
        name="association_list",
    ),
    path(
        A + "sammanstallning/",
        association_roles(views.compilation),
        name="association_compilation",
    ),
    path(
        A + "sammanstallning.pdf",
        association_roles(views.compilation_pdf),
        name="association_compilation_pdf",
    ),
    path(
        A + "sammanstallning.xlsx",
        association_roles(views.compilation_xlsx),
        name="association_compilation_xlsx",
    ),
    path(A + "papper/", office(views.association_paper), name="association_paper"),
    path(A + "natverk/", office(views.association_network), name="association_network"),
    path(
        "n/<slug:network>/lex-heller/",
        compiler(views.network_compilation),
        name="network_compilation",
    ),
    path(
        "n/<slug:network>/lex-heller/sammanstallning.pdf",
        compiler(views.network_compilation_pdf),
        name="network_compilation_pdf",
    ),
    path(
        "n/<slug:network>/lex-heller/sammanstallning.xlsx",
        compiler(views.network_compilation_xlsx),
        name="network_compilation_xlsx",
    ),
    path(A + "handlaggare/", office(views.administrator_list), name="association_administrators"),
    path(
        A + "handlaggare/<uuid:administrator>/avsluta/",
        office(views.administrator_end),
        name="association_administrator_end",
    ),
    path(A + "kategorier/", office(views.category_list), name="association_categories"),
    path(
        A + "kategorier/<uuid:category>/",
        office(views.category_edit),
        name="association_category_edit",
    ),
    path(
        A + "<uuid:report>/", association_roles(views.association_detail), name="association_detail"
    ),
]

# The handling steps and comments: POST only, each checked again in its service.
for _step, _slug in (
    ("review", "granska"),
    ("return", "skicka-tillbaka"),
    ("merge", "sla-ihop"),
    ("take", "till-beredningsgruppen"),
    ("decide", "beslut"),
    ("feedback", "aterkoppling"),
    ("close", "avsluta"),
    ("comment", "kommentar"),
):
    urlpatterns.append(
        path(
            f"{A}<uuid:report>/{_slug}/",
            association_roles(getattr(views, f"association_{_step}")),
            name=f"association_{_step}",
        )
    )
