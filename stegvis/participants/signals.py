"""Signals of the participants app.

``enrolments_created`` is sent, with ``enrolments`` (a list), after enrolments were inserted in
bulk (the import), where Django sends no ``post_save``: a receiver of ``post_save`` for
:class:`~stegvis.participants.models.Enrolment` that must see every new enrolment also receives
this signal.
"""

from django.dispatch import Signal

enrolments_created = Signal()
