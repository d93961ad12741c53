"""The pt-BR catalogue: complete, in step with the code, compiled, and what real pages show."""

import re
import shutil
from pathlib import Path
from typing import Any

import polib
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests import factories

PACKAGE = Path(__file__).resolve().parent.parent / "chamado"
PO_PATH = PACKAGE / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
REFRESH = "run `make messages`, translate, and commit the .po and .mo"

# SPEC §7 "Visible names that stay stable" and the statuses of §4, as the catalogue holds them
# (department names live in the database and are checked on the page below).
SPEC_NAMES = {
    "Open Ticket": "Abrir Ticket",
    "Support": "Suporte",
    "Tickets": "Tickets",
    "Log out": "Sair",
    "Email": "E-mail",
    "Password": "Senha",
    "Log in": "Entrar",
    "Name": "Nome",
    "Department": "Departamento",
    "Subject": "Assunto",
    "Related Service": "Serviço Relacionado",
    "Priority": "Prioridade",
    "Low": "Baixa",
    "Medium": "Média",
    "High": "Alta",
    "Message": "Mensagem",
    "Attachments": "Anexos",
    "Submit": "Enviar",
    "Continue": "Continuar",
    "Reply": "Responder",
    "Close Ticket": "Fechar Ticket",
    "Open": "Aberto",
    "Answered": "Respondido",
    "Customer-Reply": "Resposta do Cliente",
    "On Hold": "Em Espera",
    "In Progress": "Em Andamento",
    "Closed": "Fechado",
}
# Names of parts not built yet: once their msgids exist, they must read exactly so.
SPEC_NAMES_WHEN_PRESENT = {
    "Knowledge Base": "Base de Conhecimento",
    "Was this article helpful?": "Este artigo foi útil?",
    "Yes": "Sim",
    "No": "Não",
    "Back to top": "Subir",
}

PERCENT_PLACEHOLDER = re.compile(r"%\((\w+)\)")
BRACE_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _key(entry: Any) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _translations(catalogue: Any) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """Every translated message, header left out, plural forms in order."""
    found = {}
    for entry in catalogue:
        if not entry.msgid or entry.obsolete or "fuzzy" in getattr(entry, "flags", []):
            continue
        if entry.msgid_plural:
            forms = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        else:
            forms = (entry.msgstr,)
        if all(forms):
            found[_key(entry)] = forms
    return found


# (a) Complete.


def test_catalogue_has_no_untranslated_or_fuzzy_entry() -> None:
    catalogue = _catalogue()
    problems = [f"untranslated: {entry.msgid!r}" for entry in catalogue.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in catalogue.fuzzy_entries()]
    if catalogue.metadata_is_fuzzy:
        problems.append("fuzzy: the header entry")
    assert not problems, f"{PO_PATH.relative_to(PACKAGE.parent)}:\n" + "\n".join(problems)


def test_catalogue_is_pt_br_with_two_plural_forms() -> None:
    catalogue = _catalogue()
    assert catalogue.metadata["Language"] == "pt_BR"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    wrong = [
        entry.msgid
        for entry in catalogue
        if entry.msgid_plural and sorted(entry.msgstr_plural) != [0, 1]
    ]
    assert not wrong, f"plural entries without exactly two forms: {wrong}"


def test_translations_keep_every_placeholder() -> None:
    """%(name)s and {name} placeholders survive, and each translation formats without error."""
    problems = []
    for entry in _catalogue():
        if not entry.translated():
            continue
        sources = [entry.msgid, entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if "python-format" in entry.flags or "%" in entry.msgid:
            names = {name for source in sources for name in PERCENT_PLACEHOLDER.findall(source)}
            for target in targets:
                if set(PERCENT_PLACEHOLDER.findall(target)) != names:
                    problems.append(f"{entry.msgid!r}: {target!r} does not use {sorted(names)}")
                    continue
                try:
                    target % dict.fromkeys(names, 1)
                except (TypeError, ValueError, KeyError) as error:
                    problems.append(f"{entry.msgid!r}: {target!r} does not format: {error}")
        if "python-brace-format" in entry.flags:
            names = set(BRACE_PLACEHOLDER.findall(entry.msgid))
            for target in targets:
                if set(BRACE_PLACEHOLDER.findall(target)) != names:
                    problems.append(f"{entry.msgid!r}: {target!r} does not use {sorted(names)}")
    assert not problems, "\n".join(problems)


def test_spec_visible_names_read_as_the_spec_says() -> None:
    with translation.override("pt-br"):
        wrong = {
            english: translation.gettext(english)
            for english, portuguese in SPEC_NAMES.items()
            if translation.gettext(english) != portuguese
        }
    assert not wrong, f"SPEC §4/§7 names translated otherwise: {wrong}"


def test_spec_names_of_later_parts_read_as_the_spec_says_once_they_exist() -> None:
    translations = {entry.msgid: entry.msgstr for entry in _catalogue() if not entry.msgctxt}
    wrong = {
        english: translations[english]
        for english, portuguese in SPEC_NAMES_WHEN_PRESENT.items()
        if english in translations and translations[english] != portuguese
    }
    assert not wrong, f"SPEC §7 names translated otherwise: {wrong}"


def test_django_strings_missing_from_its_pt_br_catalogue_are_in_ours() -> None:
    """chamado/core/i18n.py marks them; the empty choice of every select is one."""
    from django.db.models.fields import BLANK_CHOICE_LABEL

    with translation.override("pt-br"):
        assert str(BLANK_CHOICE_LABEL) == "- Selecione uma opção -"


# (b) In step with the code.


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="xgettext (GNU gettext) is not installed, so the msgids cannot be re-extracted",
)
def test_every_msgid_in_the_code_is_in_the_catalogue(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages on a copy of the package, so the committed catalogue is never touched."""
    copy = tmp_path / "chamado"
    shutil.copytree(
        PACKAGE,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale", "static"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [str(copy / "locale")]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["pt_BR"], no_location=True, verbosity=0)

    extracted = polib.pofile(str(copy / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"))
    committed = {_key(entry) for entry in _catalogue() if not entry.obsolete}
    missing = sorted(
        {entry.msgid for entry in extracted if entry.msgid and _key(entry) not in committed}
    )
    assert extracted.find("Open Ticket"), "the extraction found nothing: is makemessages broken?"
    assert not missing, f"msgids missing from the catalogue ({REFRESH}):\n" + "\n".join(
        repr(msgid) for msgid in missing
    )


# (c) Compiled.


def test_compiled_catalogue_matches_the_po() -> None:
    assert MO_PATH.exists(), f"{MO_PATH.name} is missing: run .venv/bin/python bin/compile-messages"
    po, mo = _catalogue(), polib.mofile(str(MO_PATH))
    po_translations, mo_translations = _translations(po), _translations(mo)
    stale = sorted(
        key[1]
        for key in po_translations.keys() | mo_translations.keys()
        if po_translations.get(key) != mo_translations.get(key)
    )
    assert not stale, (
        "the .mo differs from the .po (run .venv/bin/python bin/compile-messages) for:\n"
        + "\n".join(repr(msgid) for msgid in stale)
    )
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


# (d) Real pages.


@pytest.mark.django_db
def test_login_page_speaks_portuguese_to_a_pt_br_browser(client: Any) -> None:
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert '<html lang="pt-BR">' in html
    for name in ("Entrar", "Senha", "E-mail"):
        assert name in html
    assert re.search(r'<label for="id_login">\s*E-mail\s*</label>', html)


@pytest.mark.django_db
def test_login_page_speaks_english_by_default(client: Any) -> None:
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert re.search(r'<label for="id_login">\s*Email\s*</label>', html)
    assert "Entrar" not in html


def test_department_choice_page_in_portuguese(client: Any, owner: Any, support: Any) -> None:
    factories.department("sales")
    factories.department("billing")
    client.force_login(owner)
    response = client.get(reverse("portal:department_choose"), HTTP_ACCEPT_LANGUAGE="pt-BR")
    html = response.content.decode()
    for name in ("Abrir Ticket", "Suporte", "Comercial", "Financeiro", "Tickets", "Sair"):
        assert name in html


def test_ticket_form_in_portuguese(client: Any, owner: Any, service: Any, support: Any) -> None:
    client.force_login(owner)
    response = client.get(
        reverse("portal:ticket_new", args=[support.slug]), HTTP_ACCEPT_LANGUAGE="pt-BR"
    )
    html = response.content.decode()
    assert re.search(r'<label for="id_email">\s*E-mail\s*</label>', html)
    for name in (
        "Nome",
        "Departamento",
        "Assunto",
        "Serviço Relacionado",
        "Prioridade",
        "Baixa",
        "Média",
        "Alta",
        "Mensagem",
        "Anexos",
        "Enviar",
    ):
        assert name in html, name


def test_ticket_pages_in_portuguese(client: Any, owner: Any, ticket: Any) -> None:
    client.force_login(owner)
    created = client.get(
        reverse("portal:ticket_created", args=[ticket.number]), HTTP_ACCEPT_LANGUAGE="pt-BR"
    ).content.decode()
    assert "Continuar" in created
    detail = client.get(
        reverse("portal:ticket", args=[ticket.number]), HTTP_ACCEPT_LANGUAGE="pt-BR"
    ).content.decode()
    for name in ("Responder", "Fechar Ticket", "Aberto", "Prioridade", "Média"):
        assert name in detail, name


# The language switcher of base.html.


@pytest.mark.django_db
def test_every_page_offers_the_language_switcher(client: Any) -> None:
    html = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in html
    assert reverse("set_language") == "/language/"
    assert 'value="pt-br"' in html and 'value="en"' in html


def test_language_switcher_choice_sticks_and_is_remembered_for_emails(
    client: Any, owner: Any
) -> None:
    client.force_login(owner)
    response = client.post("/language/", {"language": "pt-br", "next": reverse("portal:home")})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    home = client.get(reverse("portal:home")).content.decode()
    assert "Abrir Ticket" in home and '<html lang="pt-BR">' in home
    owner.refresh_from_db()
    assert owner.language == "pt-br"

    # The choice beats the browser's Accept-Language.
    client.post("/language/", {"language": "en", "next": reverse("portal:home")})
    home = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert "Open Ticket" in home and "Abrir Ticket" not in home
    owner.refresh_from_db()
    assert owner.language == "en"


@pytest.mark.django_db
def test_language_switcher_works_before_logging_in(client: Any) -> None:
    client.post("/language/", {"language": "pt-br", "next": reverse("login")})
    html = client.get(reverse("login")).content.decode()
    assert "Entrar" in html and "Senha" in html
