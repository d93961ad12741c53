"""Pure text rules of inbound mail: HTML to text, quoted history and signatures, charsets,
what makes a message a machine's, and the key that records it once. No database."""

import pytest

from chamado.inbox.parse import AUTO_REPLY, BOUNCE, decode_text, email_parse
from chamado.inbox.text import html_text, reply_text


def test_html_text_keeps_paragraphs_and_drops_markup_scripts_and_styles() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<p>First &amp; <b>bold</b></p><script>alert('x')</script><p>Second<br>line</p>"
        "<ul><li>one</li><li>two</li></ul><img src=x onerror=alert(1) alt='logo'></body></html>"
    )
    assert html_text(html) == "First & bold\n\nSecond\nline\n\n- one\n- two\n\n[logo]"


def test_html_blockquotes_become_quoted_lines() -> None:
    text = html_text("<div>Answer</div><blockquote><p>Old</p><blockquote>Older</blockquote>"
                     "</blockquote>")  # fmt: skip
    assert text.splitlines() == ["Answer", "", "> Old", "", "> > Older"]


def test_html_text_survives_a_broken_document() -> None:
    assert html_text("<p>Still <b>readable</p></div></span><p").startswith("Still readable")


@pytest.mark.parametrize(
    "history",
    [
        "On Mon, Nov 24, 2026 at 10:02 AM Chamado <\nsupport+1.a@x.example> wrote:\n> old",
        "Em seg., 24 de nov. de 2026 às 10:02, Chamado <support@x.example>\nescreveu:\n> antigo",
        "On 24 Nov 2026, at 10:02, Chamado <support@x.example> wrote:\n>\n> old",
        "Em 24/11/2026 10:02, Chamado escreveu:\n> antigo",
        "-----Original Message-----\nFrom: Chamado\nSent: Monday\nTo: Ana\nSubject: x\n\nold",
        "-----Mensagem original-----\nDe: Chamado\nEnviada em: segunda\nPara: Ana\n\nantigo",
        "________________________________\nFrom: Chamado <s@x>\nSent: Monday\nTo: Ana\n\nold",
        "De: Chamado <s@x>\nEnviado: segunda-feira, 24 de novembro de 2026 10:02\n"
        "Para: Ana\nAssunto: [#592110] x\n\nantigo",
        "*From:* Chamado <s@x>\n*Date:* Monday\n*To:* Ana\n*Subject:* x\n\nold",
    ],
)
def test_reply_text_cuts_the_quoted_history_of_each_client(history: str) -> None:
    assert reply_text(f"My answer.\n\n{history}\n") == "My answer."


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nAna Souza\nAcme",
        "Sent from my iPhone",
        "Enviado do meu iPhone",
        "Get Outlook for Android",
        "Obter o Outlook para iOS",
    ],
)
def test_reply_text_cuts_signatures(signature: str) -> None:
    assert reply_text(f"My answer.\n\n{signature}") == "My answer."


def test_reply_text_keeps_words_that_only_look_like_headers() -> None:
    text = "On Monday the site went down.\nFrom: the logs, nothing.\nEm seguida voltou."
    assert reply_text(text) == text


def test_reply_text_keeps_the_history_of_a_forwarded_mail() -> None:
    text = (
        "See below.\n\n________________________________\n"
        "From: Registry\nSent: Monday\nTo: Ana\n\nExpiring"
    )
    assert reply_text(text, subject="Fwd: domain") == text
    assert reply_text(text, subject="ENC: domínio") == text


def test_reply_text_keeps_an_answer_written_below_the_quote() -> None:
    text = "On Mon, Ana wrote:\n> question one\nanswer one\n> question two\nanswer two"
    assert reply_text(text) == "answer one\nanswer two"


def test_a_mail_made_only_of_quotes_has_no_reply() -> None:
    assert reply_text("> only\n> quoted") == ""


def test_charsets_read_right_and_mislabels_fall_back() -> None:
    assert decode_text("ação".encode(), "utf-8") == "ação"
    assert decode_text("ação".encode("latin-1"), "iso-8859-1") == "ação"
    assert decode_text(b"\x93quoted\x94", "iso-8859-1") == "“quoted”"
    assert decode_text("ação".encode(), "us-ascii") == "ação"
    assert decode_text("ação".encode(), "x-unknown-charset") == "ação"
    assert decode_text(b"\xff\xfe", "utf-8") == "\ufffd\ufffd"


def _raw(headers: str, body: str = "Hello there") -> bytes:
    return (headers.strip() + "\nContent-Type: text/plain\n\n" + body + "\n").encode()


@pytest.mark.parametrize(
    ("headers", "machine"),
    [
        ("From: a@x.example\nAuto-Submitted: auto-generated", AUTO_REPLY),
        ("From: a@x.example\nAuto-Submitted: no", ""),
        ("From: a@x.example\nPrecedence: junk", AUTO_REPLY),
        ("From: a@x.example\nPrecedence: list", AUTO_REPLY),
        ("From: a@x.example\nX-Autorespond: on", AUTO_REPLY),
        ("From: a@x.example\nX-Auto-Response-Suppress: OOF", AUTO_REPLY),
        ("From: MAILER-DAEMON@x.example", BOUNCE),
        ("From: Postmaster <postmaster@x.example>", BOUNCE),
        ("From: a@x.example\nReturn-Path: <>", BOUNCE),
        ("From: a@x.example", ""),
    ],
)
def test_what_makes_a_message_a_machines(headers: str, machine: str) -> None:
    parsed = email_parse(_raw(headers))
    assert parsed.machine == machine
    assert bool(parsed.machine_sign) == bool(machine)


def test_the_key_is_the_message_id_whatever_else_differs() -> None:
    first = email_parse(_raw("From: a@x.example\nMessage-ID: <same@x.example>"))
    second = email_parse(_raw("From: b@x.example\nMessage-ID:  <same@x.example> ", body="Other"))
    third = email_parse(_raw("From: a@x.example\nMessage-ID: <other@x.example>"))
    assert first.key == second.key != third.key
    assert len(first.key) == 64


def test_a_from_with_two_addresses_has_no_single_sender() -> None:
    parsed = email_parse(_raw("From: a@x.example, b@y.example\nTo: s@c.example"))
    assert parsed.sender == ""
    assert email_parse(_raw('From: "Souza, Ana" <Ana@X.example>')).sender == "ana@x.example"


def test_a_dmarc_failure_reported_by_the_receiving_server_marks_a_spoof() -> None:
    failed = "Authentication-Results: mx.example; spf=pass; dmarc=fail header.from=x.example"
    passed = "Authentication-Results: mx.example; dkim=pass; dmarc=pass header.from=x.example"
    assert email_parse(_raw(f"From: a@x.example\n{failed}")).spoofed
    assert not email_parse(_raw(f"From: a@x.example\n{passed}")).spoofed


def test_recipients_come_from_the_envelope_and_every_address_header() -> None:
    parsed = email_parse(
        _raw(
            "From: a@x.example\nDelivered-To: D@c.example\nX-Original-To: o@c.example\n"
            "To: T <t@c.example>, u@c.example\nCc: c@c.example"
        ),
        envelope_recipient="E@c.example",
    )
    assert parsed.recipients == (
        "e@c.example",
        "d@c.example",
        "o@c.example",
        "t@c.example",
        "u@c.example",
        "c@c.example",
    )


def test_a_forwarded_message_attached_whole_is_one_file() -> None:
    raw = (
        b"From: a@x.example\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b"Look at this one.\n--b\nContent-Type: message/rfc822\n\nFrom: z@z.example\n"
        b'Subject: inner\nContent-Type: multipart/mixed; boundary="c"\n\n--c\n'
        b"Content-Type: text/plain\n\ninner text\n--c\nContent-Type: image/png\n"
        b'Content-Disposition: attachment; filename="inner.png"\n\nxx\n--c--\n--b--\n'
    )
    parsed = email_parse(raw)
    assert parsed.text == "Look at this one."
    assert [(f.name, f.content_type) for f in parsed.files] == [("message.eml", "message/rfc822")]
    assert b"inner text" in parsed.files[0].content


def test_file_names_lose_their_folders_and_nameless_parts_get_one() -> None:
    raw = (
        b"From: a@x.example\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nHi\n'
        b'--b\nContent-Type: image/png\nContent-Disposition: attachment; filename="C:\\\\Users\\\\'
        b'ana\\\\shot.png"\n\nxx\n--b\nContent-Type: image/jpeg\n\nyy\n--b--\n'
    )
    assert [f.name for f in email_parse(raw).files] == ["shot.png", "attachment-2.jpg"]
