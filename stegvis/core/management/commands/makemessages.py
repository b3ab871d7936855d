"""Django's makemessages, without fuzzy matching.

A new message is never pre-filled with the translation of a similar old one: a fuzzy guess is
wrong more often than not ("begränsning" became "staffing"), and the catalogue tests refuse fuzzy
entries anyway. Subclassing to change msgmerge's options is what Django's documentation suggests.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
