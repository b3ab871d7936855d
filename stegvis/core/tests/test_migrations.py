"""The models and the migrations agree, and stay agreeing from one run to the next."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    # Run twice: a constraint built from an unordered set would differ between runs.
    for _ in range(2):
        out = StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        except SystemExit as exit_:
            pytest.fail(f"models changed without a migration ({exit_.code}):\n{out.getvalue()}")


def test_constraint_and_index_names_are_unique_across_the_project():
    """PostgreSQL keeps constraint and index names in one namespace per schema (SQLite does not
    mind), so two apps naming theirs alike fail only there: catch it on any database."""
    from collections import defaultdict

    from django.apps import apps

    owners: dict[str, list[str]] = defaultdict(list)
    for model in apps.get_models():
        for item in [*model._meta.constraints, *model._meta.indexes]:
            owners[item.name].append(model._meta.label)
    clashes = {name: labels for name, labels in owners.items() if len(labels) > 1}
    assert clashes == {}
