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
