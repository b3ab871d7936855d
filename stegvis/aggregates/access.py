"""Access helpers: received packages scoped by the actor's association, 404 otherwise."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from stegvis.core.access import parse_public_id
from stegvis.core.permissions import get_actor

from .models import ReceivedCompilation, ReceivedPackage


def get_package_for_user(request: HttpRequest, public_id: object) -> ReceivedPackage:
    package = (
        ReceivedPackage.objects.visible_to(get_actor(request))
        .select_related("intervention", "sender")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if package is None:
        raise Http404
    return package


def get_compilation_for_user(request: HttpRequest, public_id: object) -> ReceivedCompilation:
    compilation = (
        ReceivedCompilation.objects.visible_to(get_actor(request))
        .select_related("registration", "received_by")
        .filter(public_id=parse_public_id(public_id))
        .first()
    )
    if compilation is None:
        raise Http404
    return compilation
