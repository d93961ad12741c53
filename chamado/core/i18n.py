"""Django's own strings that Chamado's pages show but Django's pt-BR catalogue does not hold yet.

Marking them here puts them in Chamado's catalogue (`make messages`), which LOCALE_PATHS reads
before Django's. Nothing imports this module. Drop an entry once Django's catalogue has it.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    # django.db.models.fields.BLANK_CHOICE_LABEL (new in Django 6.1): the empty choice of a select.
    gettext_noop("- Select an option -"),
]
