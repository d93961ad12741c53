"""Synthetic tickets for benchmark databases, bulk-inserted in the shape the actions write.

Imported once Django is set up (`bench/seed.py` does it). Not part of the `chamado` package:
every seeded login gets the fixed `BENCH_PASSWORD`.
"""

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from chamado.accounts.models import Account, User
from chamado.services.models import Service
from chamado.tickets import sla, workflow
from chamado.tickets.models import Department, Message, SlaTarget, Ticket
from chamado.tickets.selectors import sla_targets

# Six-digit numbers give 900,000 tickets; leave some free so the draw in ticket_open still
# finds one. A million tickets needs seven-digit numbers (a change to workflow and the model).
MAX_TICKETS = 899_000
BENCH_DOMAIN = "bench.chamado.localhost"
BENCH_AGENT_EMAIL = f"agent@{BENCH_DOMAIN}"  # an agent of every department
BENCH_ADMIN_EMAIL = f"admin@{BENCH_DOMAIN}"
BENCH_PASSWORD = "bench-password"  # every seeded login; benchmark databases only
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

DEPARTMENTS = {
    "support": ("Support", "Suporte", False, 0),
    "sales": ("Sales", "Comercial", True, 1),
    "billing": ("Billing", "Financeiro", False, 2),
}
DEPARTMENT_WEIGHTS = {"support": 60, "billing": 25, "sales": 15}
PRIORITY_WEIGHTS = {Ticket.Priority.LOW: 30, Ticket.Priority.MEDIUM: 55, Ticket.Priority.HIGH: 15}
MESSAGE_COUNT_WEIGHTS = {1: 30, 2: 35, 3: 20, 4: 15}  # client and agent take turns
AGENTS = [
    ("Elisa Rocha", ["support", "sales"]),
    ("Fábio Nunes", ["billing"]),
    ("Helena Prado", ["support"]),
    ("Igor Matos", ["support"]),
    ("Júlia Campos", ["sales", "billing"]),
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

SUBJECTS = [
    "Website down since this morning",
    "Site fora do ar desde {hour}h",
    "SSL certificate expired on {domain}",
    "Certificado SSL expirado em {domain}",
    "Cannot send email from {domain}",
    "Não consigo enviar e-mails pelo Outlook",
    "Error 500 after updating WordPress",
    "Erro 500 depois de atualizar o WordPress",
    "Slow site: pages take {seconds} seconds to load",
    "Site lento, páginas demoram {seconds} segundos",
    "Restore a backup from {weekday}",
    "Restaurar backup de {weekday}",
    "DNS not propagating for {domain}",
    "Domínio {domain} não propaga",
    "Upgrade from Shared Hosting to VPS",
    "Quero migrar para um VPS maior",
    "Invoice {invoice} charged twice",
    "Fatura {invoice} cobrada em duplicidade",
    "Refund for cancelled plan",
    "Reembolso do plano cancelado",
    "Change the payment card",
    "Boleto da fatura {invoice} vencido",
    "Disk quota exceeded on {domain}",
    "Cota de disco excedida",
    "cPanel login not working",
    "Não consigo acessar o cPanel",
    "PHP version change to {php}",
    "Mudar versão do PHP para {php}",
    "Mailbox full, emails bouncing",
    "Caixa de e-mail cheia",
    "Need a quote for {count} mailboxes",
    "Orçamento para {count} contas de e-mail",
    "Cron job not running",
    "MySQL database too many connections",
    "Banco de dados MySQL lento",
    "Emails going to spam at Gmail",
    "E-mails caindo no spam",
    "Transfer domain {domain} to you",
    "Transferência do domínio {domain}",
    "VPS unreachable after reboot",
]
CLIENT_SENTENCES = [
    "Since {hour}h the site {domain} shows a blank page.",
    "Desde as {hour}h o site {domain} mostra uma página em branco.",
    "We did not change anything on our side.",
    "Não alteramos nada do nosso lado.",
    "The browser says ERR_SSL_PROTOCOL_ERROR when opening https://{domain}.",
    "O navegador mostra ERR_CONNECTION_TIMED_OUT ao abrir o painel.",
    "Our customers cannot place orders and we are losing sales.",
    "Nossos clientes não conseguem finalizar pedidos.",
    "I already cleared the cache and tried another browser.",
    "Já limpei o cache e testei em outro navegador.",
    "The error log shows: PHP Fatal error: Allowed memory size exhausted.",
    "O log de erros mostra: PHP Fatal error: Allowed memory size exhausted.",
    "Outlook asks for the password again and again for {email}.",
    "O Outlook pede a senha toda hora para {email}.",
    "Messages to Gmail come back with 550 5.7.26 unauthenticated sender.",
    "Please restore the backup of {weekday}, before the plugin update.",
    "Por favor restaurem o backup de {weekday}, antes da atualização do plugin.",
    "The invoice {invoice} was charged twice on my card.",
    "A fatura {invoice} foi cobrada duas vezes no cartão.",
    "How much would it cost to move to a VPS with {ram} GB of RAM?",
    "Quanto custa migrar para um VPS com {ram} GB de memória?",
    "The site takes about {seconds} seconds to open the home page.",
    "O site leva uns {seconds} segundos para abrir a página inicial.",
    "I changed the nameservers to ns1.chamado.localhost {hours} hours ago.",
    "Troquei os DNS para ns1.chamado.localhost há {hours} horas.",
    "The cron job at /home/{user}/cron.php has not run since {weekday}.",
    "MySQL answers 'Too many connections' at peak times.",
    "O MySQL responde 'Too many connections' no horário de pico.",
    "Can you check whether the server is blacklisted?",
    "Vocês podem verificar se o servidor está em alguma blacklist?",
    "This is urgent, our campaign starts tomorrow.",
    "É urgente, nossa campanha começa amanhã.",
    "Thank you, that solved it.",
    "Obrigado, resolveu.",
    "It happened again today at {hour}h.",
    "Aconteceu de novo hoje às {hour}h.",
    "I attached a screenshot of the error.",
    "Segue em anexo um print do erro.",
]
AGENT_SENTENCES = [
    "I checked the server and the web service is running normally.",
    "Verifiquei o servidor e o serviço web está normal.",
    "The certificate for {domain} was renewed; please reload the page.",
    "O certificado de {domain} foi renovado; recarregue a página, por favor.",
    "I raised the PHP memory limit to 512M for your account.",
    "Aumentei o limite de memória do PHP para 512M na sua conta.",
    "The backup of {weekday} was restored to a new folder, public_html_restore.",
    "O backup de {weekday} foi restaurado na pasta public_html_restore.",
    "The duplicate charge of invoice {invoice} was refunded.",
    "A cobrança duplicada da fatura {invoice} foi estornada.",
    "Please add the SPF record v=spf1 include:_spf.chamado.localhost ~all to your DNS.",
    "Adicione o registro SPF v=spf1 include:_spf.chamado.localhost ~all no seu DNS.",
    "DNS changes can take up to 24 hours to propagate worldwide.",
    "Alterações de DNS podem levar até 24 horas para propagar.",
    "A VPS with {ram} GB costs the amount on the attached quote.",
    "Could you tell me the exact time the error happened?",
    "Pode me informar o horário exato em que o erro ocorreu?",
    "I restarted the MySQL service and tuned max_connections.",
    "Reiniciei o serviço MySQL e ajustei o max_connections.",
    "The cron job ran manually without errors; it is scheduled again.",
    "The server is not on any blacklist we monitor.",
    "O servidor não está em nenhuma blacklist monitorada.",
]
GREETINGS_EN = "Hello {name},"
GREETINGS_PT = "Olá {name},"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "segunda", "terça", "quarta", "sexta"]


def _rng_fill(rng: random.Random, text: str, *, domain: str, email: str) -> str:
    if "{" not in text:
        return text
    return text.format(
        domain=domain,
        email=email,
        hour=rng.randint(0, 23),
        hours=rng.randint(2, 72),
        seconds=rng.randint(5, 40),
        weekday=rng.choice(WEEKDAYS),
        invoice=rng.randint(10_000, 99_999),
        php=rng.choice(["8.1", "8.2", "8.3", "8.4"]),
        count=rng.randint(5, 200),
        ram=rng.choice([2, 4, 8, 16]),
        user=domain.split(".")[0],
    )


@dataclass
class _Client:
    """What a ticket needs to know of an account, kept in memory while seeding."""

    account_id: int
    domain: str
    people: list[tuple[int, str, str]]  # (user id, full name, email) of those who may open
    service_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SeedSummary:
    accounts: int
    users: int
    services: int
    tickets: int
    messages: int
    by_status: dict[str, int]


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


def _agents_ensure(departments: dict[str, Department], password: str) -> dict[str, list[User]]:
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
    User.objects.get_or_create(
        email=BENCH_ADMIN_EMAIL,
        defaults={
            "full_name": "Bench Admin",
            "is_agent": True,
            "is_staff": True,
            "is_superuser": True,
            "password": password,
        },
    )
    return by_department


def _slug(text: str) -> str:
    table = str.maketrans("áàâãéêíóôõúüç", "aaaaeeiooouuc")
    return "".join(c for c in text.lower().translate(table) if c.isalnum())


def _clients_create(
    rng: random.Random, count: int, password: str, batch_size: int
) -> tuple[list[_Client], int]:
    """Accounts with an owner, sometimes more contacts, and one to three services."""
    offset = Account.objects.count()
    accounts = [
        Account(name=f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)} {offset + i}")
        for i in range(count)
    ]
    Account.objects.bulk_create(accounts, batch_size=batch_size)
    users: list[User] = []
    clients: list[_Client] = []
    services: list[Service] = []
    for account in accounts:
        serial = account.name.rsplit(" ", 1)[1]
        domain = f"{_slug(account.name.rsplit(' ', 1)[0])}{serial}.com.br"
        client = _Client(account_id=account.pk, domain=domain, people=[])
        roles = [("owner", True)]
        if rng.random() < 0.3:
            roles.append(("tickets", True))
        if rng.random() < 0.1:
            roles.append(("finance", False))
        for role, may_open in roles:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            users.append(
                User(
                    email=f"{_slug(first)}.{_slug(last)}.{role}@{domain}",
                    full_name=f"{first} {last}",
                    account_id=account.pk,
                    is_account_owner=role == "owner",
                    can_tickets=role == "tickets",
                    password=password,
                )
            )
            if may_open:
                client.people.append((0, users[-1].full_name, users[-1].email))
        for product, details in rng.sample(PRODUCTS, rng.randint(1, 3)):
            services.append(
                Service(
                    account_id=account.pk,
                    name=product,
                    label=domain if product != "VPS 2GB" else f"vps.{domain}",
                    details=details,
                    status=Service.Status.ACTIVE
                    if rng.random() < 0.9
                    else Service.Status.SUSPENDED,
                )
            )
        clients.append(client)
    User.objects.bulk_create(users, batch_size=batch_size)
    Service.objects.bulk_create(services, batch_size=batch_size)
    ids = {user.email: user.pk for user in users}
    by_account = {client.account_id: client for client in clients}
    for client in clients:
        client.people = [(ids[email], name, email) for _id, name, email in client.people]
    for service in services:
        by_account[service.account_id].service_ids.append(service.pk)
    return clients, len(users)


def _numbers(rng: random.Random, count: int) -> list[int]:
    used = set(Ticket.objects.values_list("number", flat=True))
    free = workflow.NUMBER_MAX - workflow.NUMBER_MIN + 1 - len(used)
    if count > free:
        raise ValueError(f"only {free} six-digit ticket numbers are free")
    population = range(workflow.NUMBER_MIN, workflow.NUMBER_MAX + 1)
    if not used:
        return rng.sample(population, count)
    return rng.sample([n for n in population if n not in used], count)


def _weighted(rng: random.Random, weights: dict, count: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=count)


class _TicketBuilder:
    """One ticket and its conversation, with the fields the actions would have left."""

    def __init__(
        self,
        rng: random.Random,
        *,
        now: datetime,
        departments: dict[str, Department],
        agents: dict[str, list[User]],
        targets: dict[tuple[int, int], sla.Targets],
    ) -> None:
        self.rng, self.now, self.departments = rng, now, departments
        self.agents, self.targets = agents, targets

    def _still_open_chance(self, age: timedelta) -> float:
        if age < 3 * DAY:
            return 0.7
        if age < 30 * DAY:
            return 0.12
        return 0.01  # the forgotten backlog every helpdesk has

    def build(
        self, *, number: int, created_at: datetime, client: _Client, slug: str, priority: int
    ) -> tuple[Ticket, list[Message]]:
        rng, now = self.rng, self.now
        department = self.departments[slug]
        person_id, person_name, person_email = rng.choice(client.people)
        service_id = None
        if client.service_ids and (not department.allows_no_service or rng.random() < 0.5):
            service_id = rng.choice(client.service_ids)
        subject = _rng_fill(rng, rng.choice(SUBJECTS), domain=client.domain, email=person_email)
        count = _weighted(rng, MESSAGE_COUNT_WEIGHTS, 1)[0]
        # The conversation spans minutes to days, never past now.
        span = min(now - created_at, timedelta(hours=rng.uniform(0.2, 120)))
        moments = sorted(created_at + span * rng.random() for _ in range(count - 1))
        agent = rng.choice(self.agents[slug])
        messages: list[Message] = []
        document = [subject, person_name, person_email]
        first_response_at = None
        for index, moment in enumerate([created_at, *moments]):
            from_agent = index % 2 == 1
            body = self._body(client, person_name, person_email, agent, from_agent=from_agent)
            messages.append(
                Message(
                    author_id=agent.pk if from_agent else person_id,
                    from_agent=from_agent,
                    body=body,
                    source=Message.Source.EMAIL if rng.random() < 0.2 else Message.Source.WEB,
                    created_at=moment,
                )
            )
            document.append(body)
            if from_agent and first_response_at is None:
                first_response_at = moment
            if from_agent and rng.random() < 0.05:
                note = "Internal: " + _rng_fill(
                    rng, rng.choice(AGENT_SENTENCES), domain=client.domain, email=person_email
                )
                messages.append(
                    Message(
                        author_id=agent.pk,
                        from_agent=True,
                        is_internal=True,
                        body=note,
                        source=Message.Source.WEB,
                        created_at=moment,
                    )
                )
                document.append(note)
        last = messages[-1].created_at
        client_waits = count % 2 == 1  # the client wrote last
        ticket = Ticket(
            number=number,
            account_id=client.account_id,
            contact_id=person_id,
            department=department,
            service_id=service_id,
            subject=subject,
            priority=priority,
            created_at=created_at,
            last_activity_at=last,
            first_response_at=first_response_at,
            assignee_id=agent.pk if first_response_at and rng.random() < 0.6 else None,
            search_document="\n".join(document).strip(),
        )
        if rng.random() >= self._still_open_chance(now - created_at):
            # ticket_close: no waiting, no SLA clock; autoclose keeps last_activity_at.
            ticket.status = Ticket.Status.CLOSED
            ticket.closed_at = min(last + timedelta(hours=rng.uniform(0.1, 80)), now)
            if rng.random() < 0.6:
                ticket.last_activity_at = ticket.closed_at
        elif client_waits:
            if count == 1:
                ticket.status = Ticket.Status.OPEN
            else:
                ticket.status = Ticket.Status.CUSTOMER_REPLY
            if rng.random() < 0.1:
                ticket.status = Ticket.Status.IN_PROGRESS
            ticket.waiting_since = (
                last  # notes follow agents' messages only, so this is the client's
            )
            ticket.response_due_at, ticket.response_warn_at = sla.response_deadline(
                waiting_since=ticket.waiting_since,
                answered_before=first_response_at is not None,
                targets=self.targets[(department.pk, priority)],
            )
        elif rng.random() < 0.8 and now - last < 72 * HOUR:
            ticket.status = Ticket.Status.ANSWERED  # older ones the autoclose has closed
        else:
            ticket.status = Ticket.Status.ON_HOLD
        return ticket, messages

    def _body(
        self, client: _Client, name: str, email: str, agent: User, *, from_agent: bool
    ) -> str:
        rng = self.rng
        pool = AGENT_SENTENCES if from_agent else CLIENT_SENTENCES
        sentences = [
            _rng_fill(rng, rng.choice(pool), domain=client.domain, email=email)
            for _ in range(rng.randint(2, 5))
        ]
        if not from_agent:
            return " ".join(sentences)
        greeting = (GREETINGS_PT if rng.random() < 0.5 else GREETINGS_EN).format(
            name=name.split()[0]
        )
        return f"{greeting}\n\n{' '.join(sentences)}\n\n{agent.full_name}"


def _created_moments(rng: random.Random, count: int, now: datetime) -> Iterator[datetime]:
    """Spread over the last 365 days, oldest first (ids grow with time, as in real use)."""
    ages = sorted((rng.random() * 365 * DAY for _ in range(count)), reverse=True)
    for age in ages:
        yield now - age


def bench_seed(
    *,
    tickets: int,
    accounts: int,
    seed: int = 0,
    batch_size: int = 2000,
    now: datetime | None = None,
    progress: Callable[[int], object] = lambda n: None,
) -> SeedSummary:
    """Create ``tickets`` tickets over ``accounts`` accounts, in one transaction."""
    if not 1 <= tickets <= MAX_TICKETS:
        raise ValueError(f"tickets must be between 1 and {MAX_TICKETS:,}")
    if accounts < 1:
        raise ValueError("accounts must be at least 1")
    rng = random.Random(seed)
    now = now or timezone.now()
    password = make_password(BENCH_PASSWORD)
    with transaction.atomic():
        numbers = _numbers(rng, tickets)
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
        agents = _agents_ensure(departments, password)
        clients, user_count = _clients_create(rng, accounts, password, batch_size)
        # A few large accounts and many small ones (Zipf-like), as hosting companies have.
        cumulative, total = [], 0.0
        for rank in range(len(clients)):
            total += 1 / (rank + 1) ** 0.7
            cumulative.append(total)
        builder = _TicketBuilder(
            rng, now=now, departments=departments, agents=agents, targets=targets
        )
        moments = _created_moments(rng, tickets, now)
        message_total = 0
        by_status: dict[str, int] = {}
        for start in range(0, tickets, batch_size):
            size = min(batch_size, tickets - start)
            owners = rng.choices(clients, cum_weights=cumulative, k=size)
            slugs = _weighted(rng, DEPARTMENT_WEIGHTS, size)
            priorities = _weighted(rng, PRIORITY_WEIGHTS, size)
            built = [
                builder.build(
                    number=numbers[start + i],
                    created_at=next(moments),
                    client=owners[i],
                    slug=slugs[i],
                    priority=priorities[i],
                )
                for i in range(size)
            ]
            Ticket.objects.bulk_create([ticket for ticket, _messages in built])
            messages = []
            for ticket, conversation in built:
                by_status[ticket.status] = by_status.get(ticket.status, 0) + 1
                for message in conversation:
                    message.ticket_id = ticket.pk
                    messages.append(message)
            Message.objects.bulk_create(messages)
            message_total += len(messages)
            progress(size)
    return SeedSummary(
        accounts=len(clients),
        users=user_count,
        services=sum(len(client.service_ids) for client in clients),
        tickets=tickets,
        messages=message_total,
        by_status=by_status,
    )
