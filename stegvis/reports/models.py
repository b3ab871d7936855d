"""Models of the reports app."""

from stegvis.reports.document_models import AnnualReport, ReportVersion

__all__ = ["AnnualReport", "ReportVersion"]
