"""Synthetic helpdesk data for benchmark databases, in the shape Chamado's actions write it.

Imported once Django is set up (`bench/seed.py` does it). Not part of the `chamado` package:
every seeded login gets the fixed `BENCH_PASSWORD`.

Tickets and messages are written as rows (tuples in the models' column order), with PostgreSQL's
COPY when the database is PostgreSQL (secondary indexes of tickets and messages dropped first
and rebuilt at the end, foreign-key triggers off for the load: the rows are consistent by
construction) and with batched INSERTs elsewhere (SQLite in the tests). Everything happens in
one transaction: an interrupted seed leaves nothing behind, and the next run starts again.
"""

import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from chamado.accounts.models import Account, Membership, User
from chamado.services.models import Service
from chamado.tickets import sla, workflow
from chamado.tickets.models import Department, Message, Policy, SlaTarget, Ticket
from chamado.tickets.selectors import sla_targets

DEFAULT_TICKETS = 1_000_000
BENCH_DOMAIN = "bench.chamado.localhost"
BENCH_AGENT_EMAIL = f"agent@{BENCH_DOMAIN}"  # an agent of every department
BENCH_ADMIN_EMAIL = f"admin@{BENCH_DOMAIN}"
BENCH_PASSWORD = "bench-password"  # every seeded login; benchmark databases only
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
YEARS = 3
SPAN = timedelta(days=365 * YEARS)  # tickets are spread over the last three years

DEPARTMENTS = {
    "support": ("Support", "Suporte", False, 0),
    "sales": ("Sales", "Comercial", True, 1),
    "billing": ("Billing", "Financeiro", False, 2),
}
DEPARTMENT_WEIGHTS = {"support": 60, "billing": 25, "sales": 15}
PRIORITY_WEIGHTS = {Ticket.Priority.LOW: 30, Ticket.Priority.MEDIUM: 55, Ticket.Priority.HIGH: 15}
# Client and agent take turns; about 3.9 public messages a ticket, 4 with the internal notes.
MESSAGE_COUNT_WEIGHTS = {1: 10, 2: 20, 3: 20, 4: 20, 5: 12, 6: 8, 8: 5, 10: 3, 14: 2}
# Contacts besides the owner: 1.4 on average, so 2.4 people an account (120,000 for 50,000).
EXTRA_CONTACT_WEIGHTS = {0: 25, 1: 30, 2: 25, 3: 12, 4: 8}
PORTUGUESE_SHARE = 0.6  # of the accounts (and so of their tickets)
AGENTS = [
    ("Elisa Rocha", ["support", "sales"]),
    ("Fábio Nunes", ["billing"]),
    ("Helena Prado", ["support"]),
    ("Igor Matos", ["support"]),
    ("Júlia Campos", ["sales", "billing"]),
    ("Ricardo Alves", ["support"]),
    ("Marina Costa", ["support", "billing"]),
    ("Tomás Lima", ["sales"]),
]

FIRST_NAMES = (  # noqa: SIM905
    "Ana Bruno Carla Diego Eduarda Felipe Gabriela Henrique Isabela João Larissa Marcos "
    "Natália Otávio Paula Rafael Sofia Tiago Vanessa William Alice Bernardo Camila Daniel "
    "Emma Frank Grace Hugo Irene Jack Laura Miguel Nina Oscar Priya Quentin Rosa Samuel"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Souza Lima Dias Alves Rocha Nunes Prado Matos Campos Silva Santos Oliveira Pereira "
    "Costa Ferreira Ribeiro Carvalho Gomes Martins Araújo Barbosa Cardoso Teixeira "
    "Moreira Smith Jones Brown Miller Wilson Taylor Clarke Walker Young King"
).split()
COMPANY_SUFFIXES = ["Hospedagem", "Sites", "Digital", "Comércio", "Tech", "Studio", "Ltda", "Web"]
PRODUCTS = [
    ("Shared Hosting", "cPanel, 20 GB, PHP 8.3"),
    ("VPS 2GB", "2 vCPU, 2 GB RAM, Debian 12"),
    ("VPS 8GB", "4 vCPU, 8 GB RAM, Ubuntu 24.04"),
    ("Domain", "Renews yearly"),
    ("Email Pro", "10 mailboxes, 25 GB each"),
    ("Reseller Hosting", "WHM, 50 accounts"),
]
SERVICE_COUNT_WEIGHTS = {1: 35, 2: 30, 3: 35}  # two an account on average

SUBJECTS = {
    "en": [
        "Website down since this morning",
        "SSL certificate expired on {domain}",
        "Cannot send email from {domain}",
        "Error 500 after updating WordPress",
        "Slow site: pages take {seconds} seconds to load",
        "Restore a backup from {weekday}",
        "DNS not propagating for {domain}",
        "Upgrade from Shared Hosting to VPS",
        "Invoice {invoice} charged twice",
        "Refund for cancelled plan",
        "Change the payment card",
        "Disk quota exceeded on {domain}",
        "cPanel login not working",
        "PHP version change to {php}",
        "Mailbox full, emails bouncing",
        "Need a quote for {count} mailboxes",
        "Cron job not running",
        "MySQL database too many connections",
        "Emails going to spam at Gmail",
        "Transfer domain {domain} to you",
        "VPS unreachable after reboot",
    ],
    "pt": [
        "Site fora do ar desde {hour}h",
        "Certificado SSL expirado em {domain}",
        "Não consigo enviar e-mails pelo Outlook",
        "Erro 500 depois de atualizar o WordPress",
        "Site lento, páginas demoram {seconds} segundos",
        "Restaurar backup de {weekday}",
        "Domínio {domain} não propaga",
        "Quero migrar para um VPS maior",
        "Fatura {invoice} cobrada em duplicidade",
        "Reembolso do plano cancelado",
        "Boleto da fatura {invoice} vencido",
        "Cota de disco excedida",
        "Não consigo acessar o cPanel",
        "Mudar versão do PHP para {php}",
        "Caixa de e-mail cheia",
        "Orçamento para {count} contas de e-mail",
        "Banco de dados MySQL lento",
        "E-mails caindo no spam",
        "Transferência do domínio {domain}",
        "VPS não responde depois do reboot",
    ],
}
CLIENT_SENTENCES = {
    "en": [
        "Since {hour}h the site {domain} shows a blank page.",
        "We did not change anything on our side.",
        "The browser says ERR_SSL_PROTOCOL_ERROR when opening https://{domain}.",
        "Our customers cannot place orders and we are losing sales.",
        "I already cleared the cache and tried another browser.",
        "The error log shows: PHP Fatal error: Allowed memory size exhausted.",
        "Outlook asks for the password again and again for {email}.",
        "Messages to Gmail come back with 550 5.7.26 unauthenticated sender.",
        "Please restore the backup of {weekday}, before the plugin update.",
        "The invoice {invoice} was charged twice on my card.",
        "How much would it cost to move to a VPS with {ram} GB of RAM?",
        "The site takes about {seconds} seconds to open the home page.",
        "I changed the nameservers to ns1.chamado.localhost {hours} hours ago.",
        "The cron job at /home/{user}/cron.php has not run since {weekday}.",
        "MySQL answers 'Too many connections' at peak times.",
        "Can you check whether the server is blacklisted?",
        "This is urgent, our campaign starts tomorrow.",
        "Thank you, that solved it.",
        "It happened again today at {hour}h.",
        "I attached a screenshot of the error.",
        "Our developer says the code is fine and the problem must be the server.",
        "The same page works on my phone but not on the office network.",
        "We renewed the plan last month, so it should not be suspended.",
        "Could you also tell me how to avoid this in the future?",
    ],
    "pt": [
        "Desde as {hour}h o site {domain} mostra uma página em branco.",
        "Não alteramos nada do nosso lado.",
        "O navegador mostra ERR_CONNECTION_TIMED_OUT ao abrir o painel.",
        "Nossos clientes não conseguem finalizar pedidos.",
        "Já limpei o cache e testei em outro navegador.",
        "O log de erros mostra: PHP Fatal error: Allowed memory size exhausted.",
        "O Outlook pede a senha toda hora para {email}.",
        "Por favor restaurem o backup de {weekday}, antes da atualização do plugin.",
        "A fatura {invoice} foi cobrada duas vezes no cartão.",
        "Quanto custa migrar para um VPS com {ram} GB de memória?",
        "O site leva uns {seconds} segundos para abrir a página inicial.",
        "Troquei os DNS para ns1.chamado.localhost há {hours} horas.",
        "O MySQL responde 'Too many connections' no horário de pico.",
        "Vocês podem verificar se o servidor está em alguma blacklist?",
        "É urgente, nossa campanha começa amanhã.",
        "Obrigado, resolveu.",
        "Aconteceu de novo hoje às {hour}h.",
        "Segue em anexo um print do erro.",
        "O nosso desenvolvedor diz que o código está certo e que o problema é o servidor.",
        "A mesma página abre no celular mas não na rede do escritório.",
        "Renovamos o plano no mês passado, então ele não deveria estar suspenso.",
        "Podem me explicar também como evitar isso no futuro?",
    ],
}
AGENT_SENTENCES = {
    "en": [
        "I checked the server and the web service is running normally.",
        "The certificate for {domain} was renewed; please reload the page.",
        "I raised the PHP memory limit to 512M for your account.",
        "The backup of {weekday} was restored to a new folder, public_html_restore.",
        "The duplicate charge of invoice {invoice} was refunded.",
        "Please add the SPF record v=spf1 include:_spf.chamado.localhost ~all to your DNS.",
        "DNS changes can take up to 24 hours to propagate worldwide.",
        "A VPS with {ram} GB costs the amount on the attached quote.",
        "Could you tell me the exact time the error happened?",
        "I restarted the MySQL service and tuned max_connections.",
        "The cron job ran manually without errors; it is scheduled again.",
        "The server is not on any blacklist we monitor.",
        "The access log shows many requests from a crawler; I blocked it in .htaccess.",
        "Your plan allows {count} mailboxes; you are using all of them at the moment.",
        "I cleared the OPcache and the site answers in under a second again.",
    ],
    "pt": [
        "Verifiquei o servidor e o serviço web está normal.",
        "O certificado de {domain} foi renovado; recarregue a página, por favor.",
        "Aumentei o limite de memória do PHP para 512M na sua conta.",
        "O backup de {weekday} foi restaurado na pasta public_html_restore.",
        "A cobrança duplicada da fatura {invoice} foi estornada.",
        "Adicione o registro SPF v=spf1 include:_spf.chamado.localhost ~all no seu DNS.",
        "Alterações de DNS podem levar até 24 horas para propagar.",
        "Pode me informar o horário exato em que o erro ocorreu?",
        "Reiniciei o serviço MySQL e ajustei o max_connections.",
        "O servidor não está em nenhuma blacklist monitorada.",
        "O log de acesso mostra muitas requisições de um robô; bloqueei no .htaccess.",
        "Seu plano permite {count} caixas de e-mail e todas estão em uso no momento.",
        "Limpei o OPcache e o site voltou a abrir em menos de um segundo.",
    ],
}
GREETINGS = {"en": "Hello {name},", "pt": "Olá {name},"}
SIGN_OFFS = {
    "en": "Best regards,\n{agent}\nSupport team",
    "pt": "Atenciosamente,\n{agent}\nSuporte",
}
LOG_LINES = [
    "[{weekday} {hour}:{minute}:{second}] [php:error] [client 203.0.113.{octet}] PHP Fatal "
    "error:  Allowed memory size of 134217728 bytes exhausted in /home/{user}/public_html/"
    "wp-includes/class-wp-query.php on line {line}",
    "[{weekday} {hour}:{minute}:{second}] [proxy_fcgi:error] [client 198.51.100.{octet}] "
    "AH01071: Got error 'Primary script unknown'",
    "{hour}:{minute}:{second} postfix/smtp[{line}]: to=<{email}>, relay=gmail-smtp-in.l.google"
    ".com, status=bounced (550-5.7.26 Unauthenticated email)",
    "mysqli_real_connect(): (HY000/1040): Too many connections in /home/{user}/public_html/"
    "wp-includes/class-wpdb.php on line {line}",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "segunda", "terça", "quarta", "sexta"]
# Left in the pooled texts, replaced per account: the rest is drawn once per pooled text.
PER_ACCOUNT = {"domain": "{domain}", "email": "{email}", "user": "{user}"}
POOL_SIZE = 400  # filled variants of each sentence list


def _fill(rng: random.Random, text: str) -> str:
    if "{" not in text:
        return text
    return text.format(
        **PER_ACCOUNT,
        hour=rng.randint(0, 23),
        minute=f"{rng.randint(0, 59):02}",
        second=f"{rng.randint(0, 59):02}",
        hours=rng.randint(2, 72),
        seconds=rng.randint(5, 40),
        weekday=rng.choice(WEEKDAYS),
        invoice=rng.randint(10_000, 99_999),
        php=rng.choice(["8.1", "8.2", "8.3", "8.4"]),
        count=rng.randint(5, 200),
        ram=rng.choice([2, 4, 8, 16]),
        octet=rng.randint(1, 254),
        line=rng.randint(100, 9999),
    )


def _pool(rng: random.Random, texts: Sequence[str]) -> list[str]:
    return [_fill(rng, rng.choice(texts)) for _ in range(POOL_SIZE)]


def _slug(text: str) -> str:
    table = str.maketrans("áàâãéêíóôõúüç", "aaaaeeiooouuc")
    return "".join(c for c in text.lower().translate(table) if c.isalnum())


def _weighted(rng: random.Random, weights: dict, count: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


@dataclass
class _Client:
    """What a ticket needs to know of an account, kept in memory while seeding."""

    account_id: int
    domain: str
    language: str
    people: list[tuple[int, str, str]]  # (user id, full name, email) of those who may open
    service_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SeedSummary:
    accounts: int
    users: int
    services: int
    tickets: int
    messages: int
    articles: int
    by_status: dict[str, int]
    by_digits: dict[int, int]


# ---- Writing rows --------------------------------------------------------------------------


class _Rows:
    """Rows of one model's table: tuples of the named attributes, the other columns filled
    with the field's default (or NULL), checked against the model so a new column without a
    default stops the seed with a clear message instead of a database error."""

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        self.model = model
        fields = model._meta.concrete_fields
        self.columns = [f.column for f in fields]
        names = [f.attname for f in fields]
        unknown = set(given) - set(names)
        if unknown:
            raise RuntimeError(f"{model.__name__} has no field {sorted(unknown)}")
        self.passthrough = list(given) == names
        self.layout: list[tuple[int, Any]] = []  # (index in the given tuple, or -1 and value)
        self.datetimes = {i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)}
        for f in fields:
            if f.attname in given:
                self.layout.append((given.index(f.attname), None))
            elif f.has_default():
                # As the database takes it (a JSONField's {} as JSON text).
                self.layout.append((-1, f.get_db_prep_save(f.get_default(), connection)))
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.layout.append((-1, timezone.now()))
            elif f.null:
                self.layout.append((-1, None))
            else:
                raise RuntimeError(
                    f"{model.__name__}.{f.attname} has no default: bench/seed_data.py must fill "
                    "it (the model changed since the seeder was written)."
                )

    def full(self, row: tuple) -> tuple:
        if self.passthrough:
            return row
        return tuple(row[i] if i >= 0 else value for i, value in self.layout)

    def write(self, rows: Iterable[tuple]) -> int:
        table = self.model._meta.db_table
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
                statement = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(self.full(row))
                        count += 1
                return count
            adapt = connection.ops.adapt_datetimefield_value
            prepared = []
            for row in rows:
                values = list(self.full(row))
                for i in self.datetimes:
                    values[i] = adapt(values[i])
                prepared.append(values)
            marks = ", ".join(["%s"] * len(self.columns))
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) VALUES ({marks})",
                prepared,
            )
            return len(prepared)


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


def _sequences_reset(*model_list: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _secondary_indexes(tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes PostgreSQL can rebuild after the load: neither the
    primary key nor one backing a constraint (the ticket number's uniqueness stays)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
            "ORDER BY c.relname",
            [list(tables)],
        )
        return list(cursor.fetchall())


# ---- People and services -------------------------------------------------------------------


def departments_ensure() -> dict[str, Department]:
    """The three default departments (migration 0002 makes them; a flush may not)."""
    departments = {}
    for slug, (name, name_pt, no_service, position) in DEPARTMENTS.items():
        departments[slug], _created = Department.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_pt_br": name_pt,
                "allows_no_service": no_service,
                "position": position,
            },
        )
    return departments


def _agents_ensure(
    departments: dict[str, Department], password: str
) -> tuple[dict[str, list[User]], User]:
    """A few agents per department, the bench agent in all of them, and an administrator."""
    by_department: dict[str, list[User]] = {slug: [] for slug in departments}
    people = [("Bench Agent", list(departments), BENCH_AGENT_EMAIL)]
    people += [(name, slugs, f"{_slug(name.split()[0])}@{BENCH_DOMAIN}") for name, slugs in AGENTS]
    for name, slugs, email in people:
        agent, _created = User.objects.get_or_create(
            email=email,
            defaults={"full_name": name, "is_agent": True, "password": password},
        )
        for slug in slugs:
            departments[slug].agents.add(agent)
            if agent.email != BENCH_AGENT_EMAIL:
                by_department[slug].append(agent)
    admin, _created = User.objects.get_or_create(
        email=BENCH_ADMIN_EMAIL,
        defaults={
            "full_name": "Bench Admin",
            "is_agent": True,
            "is_staff": True,
            "is_superuser": True,
            "password": password,
        },
    )
    return by_department, admin


def _clients_create(
    rng: random.Random, count: int, password: str, now: datetime
) -> tuple[list[_Client], int, int]:
    """Accounts with an owner, often more contacts, and one to three services."""
    account_rows = _Rows(Account, ["id", "name", "created_at", "updated_at"])
    user_rows = _Rows(
        User,
        [
            "id",
            "password",
            "email",
            "full_name",
            "language",
            "membership_id",
            "date_joined",
        ],
    )
    # One membership per person, numbered like them (users and memberships refer to each
    # other; the foreign keys are checked at commit).
    membership_rows = _Rows(
        Membership,
        [
            "id",
            "user_id",
            "account_id",
            "is_owner",
            "can_tickets",
            "can_contacts",
            "can_services",
            "created_at",
        ],
    )
    service_rows = _Rows(
        Service, ["id", "account_id", "name", "label", "details", "status", "created_at"]
    )
    account_id, user_id, service_id = _next_id(Account), _next_id(User), _next_id(Service)
    accounts, users, memberships, services, clients = [], [], [], [], []
    extra_counts = _weighted(rng, EXTRA_CONTACT_WEIGHTS, count)
    service_counts = _weighted(rng, SERVICE_COUNT_WEIGHTS, count)
    for index in range(count):
        joined = now - SPAN * 1.1 * rng.random()
        base = f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)}"
        name = f"{base} {account_id}"
        domain = f"{_slug(base)}{account_id}.com.br"
        language = "pt" if rng.random() < PORTUGUESE_SHARE else "en"
        accounts.append((account_id, name, joined, joined))
        client = _Client(account_id=account_id, domain=domain, language=language, people=[])
        roles = [("owner", True)] + [
            ("tickets", True) if rng.random() < 0.7 else ("finance", False)
            for _ in range(extra_counts[index])
        ]
        for serial, (role, may_open) in enumerate(roles):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = f"{_slug(first)}.{_slug(last)}.{serial}@{domain}"
            full_name = f"{first} {last}"
            users.append(
                (
                    user_id,
                    password,
                    email,
                    full_name,
                    "pt-br" if language == "pt" else "en",
                    user_id,
                    joined,
                )
            )
            memberships.append(
                (
                    user_id,
                    user_id,
                    account_id,
                    role == "owner",
                    role == "tickets",
                    role == "owner",
                    role != "tickets",
                    joined,
                )
            )
            if may_open:
                client.people.append((user_id, full_name, email))
            user_id += 1
        for product, details in rng.sample(PRODUCTS, service_counts[index]):
            status = Service.Status.ACTIVE if rng.random() < 0.9 else Service.Status.SUSPENDED
            label = domain if product != "VPS 2GB" else f"vps.{domain}"
            services.append((service_id, account_id, product, label, details, status, joined))
            client.service_ids.append(service_id)
            service_id += 1
        clients.append(client)
        account_id += 1
    account_rows.write(accounts)
    user_rows.write(users)
    membership_rows.write(memberships)
    service_rows.write(services)
    return clients, len(users), len(services)


# ---- Ticket numbers ------------------------------------------------------------------------


def _numbers(rng: random.Random, count: int, policy: Policy) -> list[int]:
    """``count`` new numbers in the order ticket_open would have given them: random, of the
    shortest length whose space is used less than the policy's share (six digits until
    450,000 of them are used, then seven, by default); existing numbers are skipped."""
    existing = set(Ticket.objects.values_list("number", flat=True))
    given: dict[int, int] = {}

    def used(digits: int) -> int:
        low, high = workflow.number_space(digits)
        return given.get(digits, 0) + sum(1 for n in existing if low <= n <= high)

    numbers: list[int] = []
    while len(numbers) < count:
        digits = workflow.number_digits(
            used,
            min_digits=policy.number_min_digits,
            grow_at_percent=policy.number_grow_at_percent,
        )
        low, high = workflow.number_space(digits)
        room = count - len(numbers)
        if digits < workflow.NUMBER_DIGITS_MAX:
            share = math.ceil((high - low + 1) * policy.number_grow_at_percent / 100)
            room = min(room, share - used(digits))
        taken = {n for n in existing if low <= n <= high}
        drawn = rng.sample(range(low, high + 1), min(room + len(taken), high - low + 1))
        fresh = [n for n in drawn if n not in taken][:room]
        if not fresh:
            raise ValueError(f"no {digits}-digit ticket number is free")
        numbers.extend(fresh)
        given[digits] = given.get(digits, 0) + len(fresh)
    return numbers


# ---- Tickets and their conversations -------------------------------------------------------

TICKET_FIELDS = [f.attname for f in Ticket._meta.concrete_fields]
MESSAGE_FIELDS = [f.attname for f in Message._meta.concrete_fields]
_EXPECTED_TICKET = [
    "id",
    "number",
    "account_id",
    "contact_id",
    "department_id",
    "service_id",
    "subject",
    "priority",
    "status",
    "assignee_id",
    "created_at",
    "last_activity_at",
    "waiting_since",
    "first_response_at",
    "closed_at",
    "response_due_at",
    "response_warn_at",
    "merged_into_id",
    "search_document",
]
_EXPECTED_MESSAGE = [
    "id",
    "ticket_id",
    "author_id",
    "from_agent",
    "is_internal",
    "body",
    "source",
    "created_at",
    "submission_key",
    "event_code",  # system notes only (tickets.notes): the seeder writes none, their defaults
    "event_params",
]
MESSAGE_WRITTEN = _EXPECTED_MESSAGE[:-2]  # the columns a message row gives


class _TicketBuilder:
    """One ticket and its conversation as rows, with the fields the actions would have left."""

    def __init__(
        self,
        rng: random.Random,
        *,
        now: datetime,
        departments: dict[str, Department],
        agents: dict[str, list[User]],
        targets: dict[tuple[int, int], sla.Targets],
        message_id: int,
    ) -> None:
        self.rng, self.now, self.departments = rng, now, departments
        self.agents, self.targets = agents, targets
        self.message_id = message_id
        self.subjects = {lang: _pool(rng, texts) for lang, texts in SUBJECTS.items()}
        self.client_pool = {lang: _pool(rng, texts) for lang, texts in CLIENT_SENTENCES.items()}
        self.agent_pool = {lang: _pool(rng, texts) for lang, texts in AGENT_SENTENCES.items()}
        self.log_pool = _pool(rng, LOG_LINES)
        self.sources = [Message.Source.EMAIL] + [Message.Source.WEB] * 4

    def _still_open_chance(self, age: timedelta) -> float:
        if age < 3 * DAY:
            return 0.7
        if age < 30 * DAY:
            return 0.12
        return 0.005  # the forgotten backlog every helpdesk has

    @staticmethod
    def _personal(text: str, client: _Client, email: str) -> str:
        if "{" not in text:
            return text
        return (
            text.replace("{domain}", client.domain)
            .replace("{email}", email)
            .replace("{user}", client.domain.split(".")[0])
        )

    def _paragraphs(self, pool: list[str], sentences: int) -> str:
        chosen = self.rng.choices(pool, k=sentences)
        return "\n\n".join(" ".join(chosen[i : i + 3]) for i in range(0, sentences, 3))

    def _client_body(self, client: _Client, email: str) -> str:
        rng = self.rng
        # Most client messages are a few sentences; some run long (a median of about 250
        # characters, one in ten over 600), and one in twenty-five pastes a log.
        sentences = min(1 + int(rng.lognormvariate(1.2, 0.7)), 30)
        body = self._paragraphs(self.client_pool[client.language], sentences)
        if rng.random() < 0.04:
            body += "\n\n" + "\n".join(rng.choices(self.log_pool, k=rng.randint(4, 25)))
        return self._personal(body, client, email)

    def _agent_body(self, client: _Client, name: str, email: str, agent: User) -> str:
        rng, language = self.rng, client.language
        sentences = min(1 + int(rng.lognormvariate(1.0, 0.6)), 20)
        text = self._paragraphs(self.agent_pool[language], sentences)
        greeting = GREETINGS[language].format(name=name.split()[0])
        sign_off = SIGN_OFFS[language].format(agent=agent.full_name)
        return self._personal(f"{greeting}\n\n{text}\n\n{sign_off}", client, email)

    def build(
        self,
        *,
        ticket_id: int,
        number: int,
        created_at: datetime,
        client: _Client,
        slug: str,
        priority: int,
    ) -> tuple[tuple, list[tuple], str]:
        rng, now = self.rng, self.now
        department = self.departments[slug]
        person_id, person_name, person_email = rng.choice(client.people)
        service_id = None
        if client.service_ids and (not department.allows_no_service or rng.random() < 0.5):
            service_id = rng.choice(client.service_ids)
        subject = self._personal(rng.choice(self.subjects[client.language]), client, person_email)
        count = _weighted(rng, MESSAGE_COUNT_WEIGHTS, 1)[0]
        # The conversation spans minutes to days, never past now.
        span = min(now - created_at, timedelta(hours=rng.uniform(0.2, 24 * min(count, 8))))
        moments = sorted(created_at + span * rng.random() for _ in range(count - 1))
        agent = rng.choice(self.agents[slug])
        messages: list[tuple] = []
        document = [subject, person_name, person_email]
        first_response_at = None
        for index, moment in enumerate([created_at, *moments]):
            from_agent = index % 2 == 1
            if from_agent:
                body = self._agent_body(client, person_name, person_email, agent)
                author = agent.pk
            else:
                body = self._client_body(client, person_email)
                author = person_id
            messages.append(
                (
                    self.message_id,
                    ticket_id,
                    author,
                    from_agent,
                    False,
                    body,
                    rng.choice(self.sources),
                    moment,
                    "",
                )
            )
            self.message_id += 1
            document.append(body)
            if from_agent and first_response_at is None:
                first_response_at = moment
            if from_agent and rng.random() < 0.05:
                note = "Internal: " + self._personal(
                    rng.choice(self.agent_pool[client.language]), client, person_email
                )
                messages.append(
                    (
                        self.message_id,
                        ticket_id,
                        agent.pk,
                        True,
                        True,
                        note,
                        Message.Source.WEB,
                        moment,
                        "",
                    )
                )
                self.message_id += 1
                document.append(note)
        last = messages[-1][7]
        client_waits = count % 2 == 1  # the client wrote last
        status = Ticket.Status.CLOSED
        last_activity_at = last
        waiting_since = closed_at = due = warn = None
        if rng.random() >= self._still_open_chance(now - created_at):
            # ticket_close: no waiting, no SLA clock; autoclose keeps last_activity_at.
            closed_at = min(last + timedelta(hours=rng.uniform(0.1, 80)), now)
            if rng.random() < 0.6:
                last_activity_at = closed_at
        elif client_waits:
            status = Ticket.Status.OPEN if count == 1 else Ticket.Status.CUSTOMER_REPLY
            if rng.random() < 0.1:
                status = Ticket.Status.IN_PROGRESS
            waiting_since = last  # notes follow agents' messages only, so this is the client's
            due, warn = sla.response_deadline(
                waiting_since=waiting_since,
                answered_before=first_response_at is not None,
                targets=self.targets[(department.pk, priority)],
            )
        elif rng.random() < 0.8 and now - last < 72 * HOUR:
            status = Ticket.Status.ANSWERED  # older ones the autoclose has closed
        else:
            status = Ticket.Status.ON_HOLD
        assignee = agent.pk if first_response_at and rng.random() < 0.6 else None
        ticket = (
            ticket_id,
            number,
            client.account_id,
            person_id,
            department.pk,
            service_id,
            subject,
            priority,
            status,
            assignee,
            created_at,
            last_activity_at,
            waiting_since,
            first_response_at,
            closed_at,
            due,
            warn,
            None,
            "\n".join(document).strip(),
        )
        return ticket, messages, status


def _created_moments(rng: random.Random, count: int, now: datetime) -> Iterator[datetime]:
    """Spread over the last three years, oldest first (ids grow with time, as in real use)."""
    seconds = SPAN.total_seconds()
    ages = sorted((rng.random() * seconds for _ in range(count)), reverse=True)
    for age in ages:
        yield now - timedelta(seconds=age)


# ---- The knowledge base --------------------------------------------------------------------

KB_TOPICS = [
    # slug, English title, Portuguese title, English steps, Portuguese steps
    (
        "ssl-certificate",
        "Renew or install an SSL certificate",
        "Renovar ou instalar um certificado SSL",
        "certificate",
        "certificado",
    ),
    (
        "php-version",
        "Change the PHP version of a site",
        "Mudar a versão do PHP de um site",
        "PHP",
        "PHP",
    ),
    (
        "dns-propagation",
        "Why DNS changes take time",
        "Por que alterações de DNS demoram",
        "DNS",
        "DNS",
    ),
    (
        "mysql-connections",
        "MySQL: too many connections",
        "MySQL: conexões demais",
        "MySQL",
        "MySQL",
    ),
    (
        "email-spam",
        "Emails going to spam: SPF, DKIM and DMARC",
        "E-mails caindo no spam: SPF, DKIM e DMARC",
        "email",
        "e-mail",
    ),
    ("disk-quota", "Disk quota exceeded", "Cota de disco excedida", "disk", "disco"),
    ("cron-jobs", "Schedule a cron job", "Agendar uma tarefa cron", "cron", "cron"),
    ("restore-backup", "Restore a backup", "Restaurar um backup", "backup", "backup"),
    (
        "slow-site",
        "My site is slow: first checks",
        "Meu site está lento: primeiras verificações",
        "cache",
        "cache",
    ),
    (
        "vps-reboot",
        "A VPS does not answer after a reboot",
        "VPS não responde depois do reboot",
        "VPS",
        "VPS",
    ),
    (
        "outlook-setup",
        "Set up a mailbox in Outlook",
        "Configurar uma caixa no Outlook",
        "Outlook",
        "Outlook",
    ),
    (
        "domain-transfer",
        "Transfer a domain to us",
        "Transferir um domínio para nós",
        "domain",
        "domínio",
    ),
    ("payment-card", "Change the payment card", "Trocar o cartão de pagamento", "card", "cartão"),
    ("refunds", "Refunds and cancellations", "Reembolsos e cancelamentos", "refund", "reembolso"),
    (
        "wordpress-500",
        "WordPress error 500 after an update",
        "Erro 500 no WordPress depois de uma atualização",
        "plugin",
        "plugin",
    ),
    ("mailbox-full", "A mailbox is full", "Caixa de e-mail cheia", "mailbox", "caixa"),
    ("ftp-access", "Connect with FTP or SFTP", "Conectar por FTP ou SFTP", "SFTP", "SFTP"),
    (
        "two-factor",
        "Turn on two-step sign-in",
        "Ativar a verificação em duas etapas",
        "authenticator",
        "autenticador",
    ),
    (
        "contacts",
        "Give a colleague access to tickets",
        "Dar acesso aos tickets a um colega",
        "contact",
        "contato",
    ),
    ("upgrade-plan", "Move to a bigger plan", "Migrar para um plano maior", "upgrade", "upgrade"),
    (
        "blacklist",
        "Is my server on a blacklist?",
        "Meu servidor está em uma blacklist?",
        "blacklist",
        "blacklist",
    ),
    (
        "htaccess",
        "Block a crawler with .htaccess",
        "Bloquear um robô com .htaccess",
        "htaccess",
        "htaccess",
    ),
    (
        "webmail",
        "Read your email in the browser",
        "Ler seus e-mails no navegador",
        "webmail",
        "webmail",
    ),
    ("invoice-copy", "Get a copy of an invoice", "Segunda via de uma fatura", "invoice", "fatura"),
    (
        "redirects",
        "Redirect a domain to another",
        "Redirecionar um domínio para outro",
        "redirect",
        "redirecionamento",
    ),
]


def _kb_body(rng: random.Random, title: str, word: str, language: str) -> str:
    pool = AGENT_SENTENCES[language] + CLIENT_SENTENCES[language]
    heading = ("## Before you start", "## Step by step", "## If it still fails")
    if language == "pt":
        heading = ("## Antes de começar", "## Passo a passo", "## Se ainda não funcionar")
    steps = "\n".join(
        f"{i}. "
        + _fill(rng, rng.choice(pool)).format(
            domain="example.com", email="you@example.com", user="example"
        )
        for i in range(1, rng.randint(4, 8))
    )
    intro = f"**{title}** ({word}). " + " ".join(
        _fill(rng, rng.choice(pool)).format(
            domain="example.com", email="you@example.com", user="example"
        )
        for _ in range(3)
    )
    return f"{intro}\n\n{heading[0]}\n\n{intro}\n\n{heading[1]}\n\n{steps}\n\n{heading[2]}\n\n" + (
        "Open a ticket in Support." if language == "en" else "Abra um ticket no Suporte."
    )


def kb_seed(rng: random.Random, author: User) -> int:
    """The demo's knowledge base (both languages, a draft, a clients-only article) and a few
    dozen more, saved through kb's actions: rendered and with their search text, as the admin
    would leave them. Skipped when the database already has a knowledge base."""
    from chamado.kb.actions import article_create
    from chamado.kb.models import Article, Category
    from chamado.ops.demo_kb import kb_demo_load

    if Category.objects.exists():
        return 0
    kb_demo_load(author=author)
    categories = list(Category.objects.order_by("position"))
    for position, (slug, title, title_pt, word, word_pt) in enumerate(KB_TOPICS, start=10):
        article_create(
            actor=author,
            category=categories[position % len(categories)],
            slug=slug,
            position=position,
            title=title,
            body=_kb_body(rng, title, word, "en"),
            title_pt_br=title_pt,
            body_pt_br=_kb_body(rng, title_pt, word_pt, "pt"),
        )
    return Article.objects.count()


# ---- The whole seed ------------------------------------------------------------------------


def bench_seed(
    *,
    tickets: int,
    accounts: int,
    seed: int = 0,
    batch_size: int = 10_000,
    now: datetime | None = None,
    progress: Callable[[int], object] = lambda n: None,
    phase: Callable[[str], object] = lambda text: None,
) -> SeedSummary:
    """Create ``tickets`` tickets over ``accounts`` accounts, in one transaction."""
    if tickets < 1:
        raise ValueError("tickets must be at least 1")
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    if TICKET_FIELDS != _EXPECTED_TICKET or MESSAGE_FIELDS != _EXPECTED_MESSAGE:
        raise RuntimeError(
            "The Ticket or Message model changed: update the rows in bench/seed_data.py "
            f"(tickets: {TICKET_FIELDS}; messages: {MESSAGE_FIELDS})."
        )
    rng = random.Random(seed)
    now = now or timezone.now()
    password = make_password(BENCH_PASSWORD)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        fresh = not Ticket.objects.exists() and not Message.objects.exists()
        rebuild: list[tuple[str, str]] = []
        if postgres:
            with connection.cursor() as cursor:
                # The rows are consistent by construction: no foreign-key trigger per row
                # (needs a superuser, as the bench's postgres is; otherwise they just run).
                cursor.execute("SAVEPOINT bench_role")
                try:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                    cursor.execute("RELEASE SAVEPOINT bench_role")
                except Exception:
                    cursor.execute("ROLLBACK TO SAVEPOINT bench_role")
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            if fresh:
                rebuild = _secondary_indexes(["tickets_ticket", "tickets_message"])
                with connection.cursor() as cursor:
                    for name, _definition in rebuild:
                        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        numbers = _numbers(rng, tickets, Policy.current())
        departments = departments_ensure()
        SlaTarget.objects.get_or_create(
            department=departments["support"],
            priority=Ticket.Priority.HIGH,
            defaults={"first_response_minutes": 4 * 60, "next_response_minutes": 8 * 60},
        )
        targets = {
            (department.pk, priority): sla_targets(department.pk, priority)
            for department in departments.values()
            for priority in Ticket.Priority.values
        }
        agents, admin = _agents_ensure(departments, password)
        phase(f"{accounts:,} accounts, their contacts and services")
        clients, user_count, service_count = _clients_create(rng, accounts, password, now)
        # A few large accounts and many small ones (Zipf-like), as hosting companies have.
        cumulative, total = [], 0.0
        for rank in range(len(clients)):
            total += 1 / (rank + 1) ** 0.7
            cumulative.append(total)
        ticket_id = _next_id(Ticket)
        builder = _TicketBuilder(
            rng,
            now=now,
            departments=departments,
            agents=agents,
            targets=targets,
            message_id=_next_id(Message),
        )
        ticket_rows = _Rows(Ticket, TICKET_FIELDS)
        message_rows = _Rows(Message, MESSAGE_WRITTEN)
        moments = _created_moments(rng, tickets, now)
        message_total = 0
        by_status: dict[str, int] = {}
        phase(f"{tickets:,} tickets and their messages")
        for start in range(0, tickets, batch_size):
            size = min(batch_size, tickets - start)
            owners = rng.choices(clients, cum_weights=cumulative, k=size)
            slugs = _weighted(rng, DEPARTMENT_WEIGHTS, size)
            priorities = _weighted(rng, PRIORITY_WEIGHTS, size)
            batch_tickets, batch_messages = [], []
            for i in range(size):
                ticket, messages, status = builder.build(
                    ticket_id=ticket_id,
                    number=numbers[start + i],
                    created_at=next(moments),
                    client=owners[i],
                    slug=slugs[i],
                    priority=priorities[i],
                )
                ticket_id += 1
                batch_tickets.append(ticket)
                batch_messages.extend(messages)
                by_status[status] = by_status.get(status, 0) + 1
            ticket_rows.write(batch_tickets)
            message_total += message_rows.write(batch_messages)
            progress(size)
        _sequences_reset(Account, User, Membership, Service, Ticket, Message)
        if rebuild:
            phase(f"rebuilding {len(rebuild)} indexes of tickets and messages")
            with connection.cursor() as cursor:
                for name, definition in rebuild:
                    phase(f"  index {name}")
                    cursor.execute(definition)
        phase("knowledge base")
        articles = kb_seed(rng, admin)
    by_digits: dict[int, int] = {}
    for number in numbers:
        by_digits[len(str(number))] = by_digits.get(len(str(number)), 0) + 1
    return SeedSummary(
        accounts=len(clients),
        users=user_count,
        services=service_count,
        tickets=tickets,
        messages=message_total,
        articles=articles,
        by_status=by_status,
        by_digits=by_digits,
    )
