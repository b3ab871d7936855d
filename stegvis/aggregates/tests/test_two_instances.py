"""Two instances: the provider builds and signs on its own database, the association's office
imports on another (two SQLite files, each with the demo, run as separate processes)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_ENV": "test"}
    result = subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def _query(db: Path, expression: str) -> str:
    code = f"print('=>', {expression})"
    return _run(db, "shell", "-c", code).stdout.split("=>", 1)[1].strip()


def _count(db: Path) -> int:
    return int(
        _query(
            db,
            "__import__('stegvis.aggregates.models').aggregates.models.ReceivedPackage.objects.count()",
        )
    )


GEMENSAM_PROVIDER = (
    "__import__('stegvis.interventions.models').interventions.models.Intervention.objects"
    ".get(code='gemensam').provider.public_id"
)


def test_build_on_one_database_import_on_another_and_refuse_a_tampered_file(tmp_path):
    provider_db, office_db = tmp_path / "provider.sqlite3", tmp_path / "office.sqlite3"
    _run(provider_db, "migrate", "--skip-checks", "-v0")
    shutil.copy(provider_db, office_db)
    for db in (provider_db, office_db):
        _run(db, "load_demo", "--skip-checks")

    # Each demo has sent its last quarter within its own instance already; the file built next
    # is version 2 and arrives at the office as a correction of what it holds.
    provider_before, office_before = _count(provider_db), _count(office_db)
    # The provider's instance: build, sign, and show the public key.
    provider = _query(provider_db, GEMENSAM_PROVIDER)
    package = tmp_path / "paket.json"
    _run(
        provider_db, "build_package", "--skip-checks", provider, "--association", "sjostaden",
        "--intervention", "gemensam", "--period", "2026Q3", "--output", str(package),
    )  # fmt: skip
    public_key = _run(provider_db, "provider_key", "--skip-checks", provider).stdout.split()[0]

    # The association's instance: unknown key first, then register once and import.
    refused = _run(office_db, "import_package", "--skip-checks", str(package), check=False)
    assert refused.returncode != 0 and "Okänd nyckel" in refused.stderr
    same_provider = _query(office_db, GEMENSAM_PROVIDER)
    office = _query(
        office_db,
        "__import__('stegvis.core.models').core.models.RoleAssignment.objects"
        ".filter(role='office', association__slug='sjostaden').first().user.email",
    )
    _run(
        office_db, "register_provider_key", "--skip-checks", "sjostaden", same_provider,
        public_key, "--as", office,
    )  # fmt: skip
    imported = _run(office_db, "import_package", "--skip-checks", str(package))
    assert "Mottaget: gemensam 2026Q3 version 2" in imported.stdout
    assert _count(office_db) == office_before + 1

    # One number changed: refused, nothing saved.
    signed = json.loads(package.read_text(encoding="utf-8"))
    signed["package"]["tables"]["participants"]["participant_days"]["kvinna"] += 1
    tampered = tmp_path / "andrad.json"
    tampered.write_text(json.dumps(signed), encoding="utf-8")
    refused = _run(office_db, "import_package", "--skip-checks", str(tampered), check=False)
    assert refused.returncode != 0 and "Signaturen stämmer inte" in refused.stderr
    # The same file again is not a correction.
    again = _run(office_db, "import_package", "--skip-checks", str(package), check=False)
    assert again.returncode != 0 and "äldre än eller samma" in again.stderr
    assert _count(office_db) == office_before + 1
    # The provider's database received nothing.
    assert _count(provider_db) == provider_before


def _compilations(db: Path) -> int:
    return int(
        _query(
            db,
            "__import__('stegvis.aggregates.models').aggregates.models"
            ".ReceivedCompilation.objects.count()",
        )
    )


def test_a_compilation_built_on_one_database_imported_on_another_and_a_tampered_one(tmp_path):
    """The association's instance builds and signs its compilation; the county network's own
    instance registers the association's key and imports it; a changed number is refused."""
    office_db, network_db = tmp_path / "forbund.sqlite3", tmp_path / "natverk.sqlite3"
    _run(office_db, "migrate", "--skip-checks", "-v0")
    shutil.copy(office_db, network_db)
    for db in (office_db, network_db):
        _run(db, "load_demo", "--skip-checks")
    year = _query(office_db, "__import__('django.utils.timezone').utils.timezone.localdate().year")
    before = _compilations(network_db)

    compiled = tmp_path / "sammanstallning.json"
    _run(
        office_db, "build_compilation", "--skip-checks", "sjostaden", "--network", "lansnatverket",
        "--year", year, "--without-detail", "--output", str(compiled),
    )  # fmt: skip
    signed = json.loads(compiled.read_text(encoding="utf-8"))
    assert signed["compilation"]["detail"] is False
    cells = [
        v
        for rows in signed["compilation"]["tables"].values()
        for row in rows.values()
        for v in row.values()
    ]
    assert not [v for v in cells if isinstance(v, int) and 0 < v < 5]
    public_key = _run(office_db, "association_key", "--skip-checks", "sjostaden").stdout.split()[0]

    # The network's instance knows another key for Sjöstaden (its own demo's): unknown key.
    refused = _run(network_db, "import_compilation", "--skip-checks", str(compiled), check=False)
    assert refused.returncode != 0 and "Okänd nyckel" in refused.stderr
    _run(
        network_db, "register_association_key", "--skip-checks", "lansnatverket", "sjostaden",
        "Samordningsförbundet Sjöstaden", public_key, "--as", "nils@lansnatverket.example",
    )  # fmt: skip
    imported = _run(network_db, "import_compilation", "--skip-checks", str(compiled))
    # The demo's own v1 is there already: the file (v2 at the association) corrects it.
    assert f"Mottagen: sjostaden {year} version 2" in imported.stdout
    assert _compilations(network_db) == before + 1

    signed["compilation"]["tables"]["participants"]["totalt"]["annat"] = 5
    tampered = tmp_path / "andrad.json"
    tampered.write_text(json.dumps(signed), encoding="utf-8")
    refused = _run(network_db, "import_compilation", "--skip-checks", str(tampered), check=False)
    assert refused.returncode != 0 and "Signaturen stämmer inte" in refused.stderr
    again = _run(network_db, "import_compilation", "--skip-checks", str(compiled), check=False)
    assert again.returncode != 0 and "äldre än eller samma" in again.stderr
    not_json = tmp_path / "inte.json"
    not_json.write_bytes(b"\x00\x01")
    refused = _run(network_db, "import_compilation", "--skip-checks", str(not_json), check=False)
    assert refused.returncode != 0 and "går inte att läsa som JSON" in refused.stderr
    assert _compilations(network_db) == before + 1
