"""URLs of the foundation. Owner-scoped URLs start with /a/, /p/ or /r/ and name their owner in
the keyword argument ``association``, ``provider`` or ``unit``, which ActorMiddleware resolves."""

from django.urls import URLPattern, include, path

from stegvis.core.models import Role
from stegvis.core.permissions import role_required
from stegvis.core.views import auditlog, auth, owner, people

app_name = "core"


def _people_and_log(prefix: str, managers: set[Role], readers: set[Role]) -> list[URLPattern]:
    """The user and audit pages that associations and providers share, each with its own roles:
    ``managers`` handle users and roles, ``readers`` read the audit log."""
    manage = role_required(managers)
    read = role_required(readers)
    return [
        path("anvandare/", manage(people.user_list), name=f"{prefix}_users"),
        path("anvandare/bjud-in/", manage(people.user_invite), name=f"{prefix}_invite"),
        path("anvandare/<uuid:assignment>/", manage(people.user_role), name=f"{prefix}_user_role"),
        path(
            "inbjudningar/<uuid:invitation>/aterkalla/",
            manage(people.invitation_revoke),
            name=f"{prefix}_invitation_revoke",
        ),
        path("logg/", read(auditlog.audit_list), name=f"{prefix}_audit"),
        path("logg/export.csv", read(auditlog.audit_export), name=f"{prefix}_audit_export"),
    ]


association_patterns = [
    path("", owner.association_home, name="association_home"),
    path("medlemmar/", owner.member_list, name="association_members"),
    path("medlemmar/ny/", owner.member_add, name="association_member_add"),
    path("medlemmar/<uuid:member>/", owner.member_edit, name="association_member_edit"),
    path("medlemmar/<uuid:member>/ta-bort/", owner.member_remove, name="association_member_remove"),
    *_people_and_log("association", {Role.OFFICE}, {Role.OFFICE, Role.AUDITOR}),
]

provider_patterns = [
    path("", owner.provider_home, name="provider_home"),
    *_people_and_log("provider", {Role.PROVIDER_MANAGER}, {Role.PROVIDER_MANAGER}),
]

unit_patterns = [
    path("", owner.unit_home, name="unit_home"),
]

urlpatterns = [
    path("", auth.home, name="home"),
    path("logga-in/", auth.login_view, name="login"),
    path("logga-ut/", auth.logout_view, name="logout"),
    path("logga-in/kod/", auth.two_factor, name="two_factor"),
    path("konto/tvastegsverifiering/", auth.two_factor_setup, name="two_factor_setup"),
    path("konto/bekrafta/", auth.sudo, name="sudo"),
    path("valj-roll/", auth.choose_role, name="choose_role"),
    path("inbjudan/<str:token>/", auth.accept_invitation, name="accept_invitation"),
    path("a/<slug:association>/", include(association_patterns)),
    path("p/<uuid:provider>/", include(provider_patterns)),
    path("r/<uuid:unit>/", include(unit_patterns)),
]
