"""The shipped code lists (shared/domain/code-lists.md). Codes are stable lowercase ASCII
identifiers used in the database, in imports and in aggregate packages; labels are Swedish."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    KVINNA = "kvinna", _("Kvinna")
    MAN = "man", _("Man")
    ANNAT = "annat", _("Annat / ej angivet")


class ExitReason(models.TextChoices):
    ARBETE = "arbete", _("Arbete (utan stöd)")
    ARBETE_MED_STOD = "arbete_med_stod", _("Arbete med stöd (t.ex. lönebidrag, nystartsjobb)")
    STUDIER = "studier", _("Studier (egenfinansierade, reguljära)")
    ARBETSSOKANDE = "arbetssokande", _("Aktivt arbetssökande")
    ORDINARIE_INSATS = (
        "ordinarie_insats",
        _("Arbetslivsinriktad rehabilitering / aktivitet i ordinarie verksamhet hos part"),
    )
    ATER_REMITTENT = "ater_remittent", _("Åter till remittent för fortsatt stöd")
    SJUKDOM = "sjukdom", _("Ohälsa / sjukdom")
    EGEN_BEGARAN = "egen_begaran", _("Avbrott på egen begäran")
    FLYTT = "flytt", _("Flyttat från området")
    ANNAT = "annat", _("Annat skäl")
    FELREGISTRERING = "felregistrering", _("Felregistrering")


class ReportGroup(models.TextChoices):
    ARBETE = "arbete", _("Arbete")
    STUDIER = "studier", _("Studier")
    ARB_REHAB = "arb_rehab", _("Arb.rehab")
    SJUKDOM = "sjukdom", _("Sjukdom")
    ANNAT = "annat", _("Annat skäl")


# Each exit reason's column in published participant tables; Felregistrering counts nowhere.
EXIT_REPORT_GROUP: dict[str, ReportGroup | None] = {
    ExitReason.ARBETE: ReportGroup.ARBETE,
    ExitReason.ARBETE_MED_STOD: ReportGroup.ARBETE,
    ExitReason.STUDIER: ReportGroup.STUDIER,
    ExitReason.ARBETSSOKANDE: ReportGroup.ANNAT,
    ExitReason.ORDINARIE_INSATS: ReportGroup.ARB_REHAB,
    ExitReason.ATER_REMITTENT: ReportGroup.ANNAT,
    ExitReason.SJUKDOM: ReportGroup.SJUKDOM,
    ExitReason.EGEN_BEGARAN: ReportGroup.ANNAT,
    ExitReason.FLYTT: ReportGroup.ANNAT,
    ExitReason.ANNAT: ReportGroup.ANNAT,
    ExitReason.FELREGISTRERING: None,
}


class IncomeSource(models.TextChoices):
    LON = "lon", _("Lön / arbete")
    STUDIEMEDEL = "studiemedel", _("Studiemedel")
    SJUKPENNING = "sjukpenning", _("Sjukpenning (inkl. rehabiliteringspenning)")
    AKTIVITETSERSATTNING = "aktivitetsersattning", _("Aktivitetsersättning")
    SJUKERSATTNING = "sjukersattning", _("Sjukersättning")
    A_KASSA = "a_kassa", _("A-kassa")
    AKTIVITETSSTOD = "aktivitetsstod", _("Aktivitetsstöd (inkl. utvecklingsersättning)")
    ETABLERINGSERSATTNING = "etableringsersattning", _("Etableringsersättning")
    FORSORJNINGSSTOD = "forsorjningsstod", _("Försörjningsstöd (ekonomiskt bistånd)")
    INGEN_OFFENTLIG = "ingen_offentlig", _("Ingen offentlig försörjning")
    OKAND = "okand", _("Okänd")


class Occupation(models.TextChoices):
    FORVARVSARBETE = "forvarvsarbete", _("Förvärvsarbete")
    STUDIER = "studier", _("Studier")
    ARBETSSOKANDE = "arbetssokande", _("Arbetssökande")
    OVRIGT = "ovrigt", _("Övrigt")


class TimeOutside(models.TextChoices):
    UNDER_1 = "under_1_ar", _("Under 1 år")
    Y1_2 = "1_2_ar", _("1–2 år")
    Y3_5 = "3_5_ar", _("3–5 år")
    OVER_5 = "over_5_ar", _("Över 5 år")
    NEVER = "aldrig_arbetat", _("Har aldrig arbetat")
    OKAND = "okand", _("Okänd")


class Education(models.TextChoices):
    UNDER_9 = "forgymnasial_under_9", _("Förgymnasial kortare än 9 år")
    NINE = "forgymnasial_9", _("Förgymnasial 9 år")
    GYMNASIAL = "gymnasial", _("Gymnasial")
    POST_UNDER_3 = "eftergymnasial_under_3", _("Eftergymnasial kortare än 3 år")
    POST_3 = "eftergymnasial_3_plus", _("Eftergymnasial 3 år eller längre")
    OKAND = "okand", _("Okänd")


class YesNoUnknown(models.TextChoices):
    JA = "ja", _("Ja")
    NEJ = "nej", _("Nej")
    EJ_ANGIVET = "ej_angivet", _("Ej angivet")


class ReferringKind(models.TextChoices):
    FK = "fk", _("Försäkringskassan")
    AF = "af", _("Arbetsförmedlingen")
    REGION_VARD = "region_vard", _("Regionen (primärvård, psykiatri)")
    KOMMUN_SOCIALTJANST = "kommun_socialtjanst", _("Kommunens socialtjänst")
    KOMMUN_AMA = "kommun_ama", _("Kommunens arbetsmarknadsenhet")
    SJALV = "sjalv", _("Egenanmälan")
    ANNAN = "annan", _("Annan")


# Which kind of member organisation a referring kind stands for, for the "two members" rule.
REFERRING_KIND_MEMBER: dict[str, str] = {
    ReferringKind.FK: "fk",
    ReferringKind.AF: "af",
    ReferringKind.REGION_VARD: "region",
    ReferringKind.KOMMUN_SOCIALTJANST: "municipality",
    ReferringKind.KOMMUN_AMA: "municipality",
}


class Orientation(models.TextChoices):
    KARTLAGGNING = "kartlaggning", _("Kartläggning")
    FORBEREDANDE = "forberedande", _("Förberedande")
    REHABILITERANDE = "rehabiliterande", _("Rehabiliterande (till arbete eller studier)")
    FOREBYGGANDE = "forebyggande", _("Förebyggande")
    KOMPETENSUTVECKLING = "kompetensutveckling", _("Kompetensutveckling")
    DIALOG_KOMMUNIKATION = "dialog_kommunikation", _("Dialog och kommunikation")


INDIVIDUAL_ORIENTATIONS = {
    Orientation.KARTLAGGNING,
    Orientation.FORBEREDANDE,
    Orientation.REHABILITERANDE,
    Orientation.FOREBYGGANDE,
}
STRUCTURAL_ORIENTATIONS = {
    Orientation.KARTLAGGNING,
    Orientation.KOMPETENSUTVECKLING,
    Orientation.DIALOG_KOMMUNIKATION,
}

# Age bands for reports (code-lists.md); bands are data and may become editable per association.
AGE_BANDS: list[tuple[int, int]] = [(16, 19), (20, 24), (25, 29), (30, 39), (40, 49), (50, 64)]


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}–{high}"
    return "övriga"
