"""The demo knowledge base: categories and articles in both languages, written for Chamado's
demo hosting company, saved through kb's actions (rendered, audited) like the admin does."""

# ruff: noqa: RUF001 (menu paths in the articles use the single angle quote, as the pages do)
from typing import Any

from chamado.kb.actions import article_create
from chamado.kb.models import Article, Category

CATEGORIES = [
    # slug, English name, Portuguese name, English description, Portuguese description
    (
        "getting-started",
        "Getting started",
        "Primeiros passos",
        "Your client area: logging in, your password, your contacts.",
        "Sua área do cliente: acesso, senha e contatos.",
    ),
    (
        "support",
        "Tickets and support",
        "Tickets e suporte",
        "How to reach our team and get a complete answer quickly.",
        "Como falar com a nossa equipe e receber uma resposta completa rapidamente.",
    ),
    (
        "hosting",
        "Hosting, domains and email",
        "Hospedagem, domínios e e-mail",
        "Everyday tasks on your hosting plan, domain and mailboxes.",
        "Tarefas do dia a dia na sua hospedagem, domínio e caixas de e-mail.",
    ),
    (
        "billing",
        "Billing",
        "Financeiro",
        "Invoices, payments and receipts.",
        "Faturas, pagamentos e comprovantes.",
    ),
]

OPEN_TICKET_EN = """\
A ticket is the surest way to reach our team: every message stays in one conversation, with
its files, and you can follow it at any time.

## Before you start

- Only the account owner and the contacts the owner authorized can open tickets for an
  account. If the menu shows no **Open Ticket**, ask the owner for the *tickets* permission.
- Have a look at the suggestions beside the form: many questions already have an article.

## Open the form

1. Log in to the client area.
2. Choose **Open Ticket** in the menu at the top.
3. Pick the department that fits your question (see *Which department should I choose?*).

## Fill it in

| Field | What to write |
|---|---|
| Subject | A few words, like "Webmail does not open" |
| Related Service | The plan, VPS or domain the question is about |
| Priority | Medium unless the service is down |
| Message | What you did, what happened, the exact error, what you already tried |

Screenshots and PDF files help: attach them under **Attachments**.

## After you send it

You get the ticket number at once, and an email confirmation. Answers arrive by email and on
the ticket page under **Support › Tickets**. Adding messages while you wait does not move
your ticket ahead in the queue, so there is no need to send reminders.
"""

OPEN_TICKET_PT = """\
O ticket é o caminho mais seguro para falar com a nossa equipe: toda a conversa fica reunida
em um só lugar, com os arquivos enviados, e você acompanha o andamento quando quiser.

## Antes de começar

- Apenas o titular da conta e os contatos autorizados por ele abrem tickets em nome da conta.
  Se o menu não mostra **Abrir Ticket**, peça ao titular a permissão de *tickets*.
- Confira as sugestões ao lado do formulário: muitas dúvidas já têm um artigo pronto.

## Abra o formulário

1. Entre na área do cliente.
2. Clique em **Abrir Ticket**, no menu superior.
3. Escolha o departamento que combina com a sua dúvida (veja *Qual departamento devo
   escolher?*).

## Preencha os campos

| Campo | O que escrever |
|---|---|
| Assunto | Poucas palavras, como "Webmail não abre" |
| Serviço Relacionado | O plano, VPS ou domínio de que se trata |
| Prioridade | Média, a menos que o serviço esteja fora do ar |
| Mensagem | O que você fez, o que aconteceu, o erro exato e o que já tentou |

Capturas de tela e PDFs ajudam bastante: anexe-os em **Anexos**.

## Depois de enviar

O número do ticket aparece na hora e uma confirmação chega por e-mail. As respostas chegam
por e-mail e na página do ticket, em **Suporte › Tickets**. Novas mensagens enquanto você
aguarda não adiantam a sua vez na fila, então não é preciso mandar lembretes.
"""

PASSWORD_EN = """\
Forgot the password of the client area? You can choose a new one yourself in a minute.

## Ask for a reset link

1. Open the login page and choose **Forgot your password?**
2. Type the email address you log in with and send the form.
3. Within a few minutes an email arrives with a link. It works once, for a limited time.

For your safety the page says the same thing whether or not the address has a login, so
nobody can use it to find out who is a client.

## Choose the new password

Follow the link and type the new password twice. Use at least ten characters and avoid
anything you use elsewhere. After saving, log in with the new password.

## The email does not arrive

- Look in the spam or junk folder.
- Check that you typed the address your login uses; a colleague's or an old address will
  not work.
- Still nothing after fifteen minutes? Ask the account owner to open a ticket for you, or
  write to us from the address on file.

The cPanel password of a hosting plan is a different password: change it inside cPanel, or
ask us in a ticket about that service.
"""

PASSWORD_PT = """\
Esqueceu a senha da área do cliente? Você mesmo define uma nova em um minuto.

## Peça o link de redefinição

1. Abra a página de login e clique em **Esqueceu sua senha?**
2. Digite o e-mail que você usa para entrar e envie o formulário.
3. Em poucos minutos chega um e-mail com um link. Ele vale uma única vez, por tempo limitado.

Por segurança, a página mostra a mesma mensagem exista ou não um login com aquele e-mail;
assim ninguém descobre quem é cliente.

## Escolha a nova senha

Siga o link e digite a nova senha duas vezes. Use pelo menos dez caracteres e não repita uma
senha que você já usa em outro lugar. Depois de salvar, entre com a senha nova.

## O e-mail não chegou

- Procure na pasta de spam ou lixo eletrônico.
- Confira se digitou o endereço do seu login; o de um colega ou um endereço antigo não
  funciona.
- Nada depois de quinze minutos? Peça ao titular da conta que abra um ticket por você, ou
  escreva para nós a partir do e-mail cadastrado.

A senha do cPanel de um plano de hospedagem é outra senha: altere-a dentro do cPanel ou peça
ajuda em um ticket sobre esse serviço.
"""

DEPARTMENT_EN = """\
Each department has its own queue and its own people, so the right choice gets you the right
answer sooner. If you pick the wrong one, don't worry: we move the ticket ourselves and tell
you, and you never have to send it again.

## Support

Anything technical about a service you have: the site is down or slow, email does not
arrive, a cPanel or FTP login fails, a DNS change, an SSL certificate, a backup to restore.

## Sales

Before you buy, or to change what you have: plans and prices, an upgrade, moving a site to
us, a new domain. Sales tickets do not need to name a service.

## Billing

Money matters: a copy of an invoice, a payment not recognised yet, a change of the company
name or tax number on your invoices, a refund.

## Still unsure?

Choose Support. Write what you need in plain words; the subject and the first message tell
us enough to send it to the right people.
"""

DEPARTMENT_PT = """\
Cada departamento tem a sua fila e a sua equipe; escolher o certo traz a resposta certa mais
cedo. Se escolher o errado, fique tranquilo: nós mesmos transferimos o ticket e avisamos
você, sem que seja preciso enviá-lo de novo.

## Suporte

Tudo o que é técnico em um serviço contratado: site fora do ar ou lento, e-mail que não
chega, falha de acesso ao cPanel ou FTP, alteração de DNS, certificado SSL, restauração de
backup.

## Comercial

Antes de contratar, ou para mudar o que você já tem: planos e preços, upgrade, migração de
site para a nossa hospedagem, registro de domínio. Tickets do Comercial não precisam indicar
um serviço.

## Financeiro

Assuntos de pagamento: segunda via de fatura, pagamento ainda não identificado, troca da
razão social ou do CNPJ nas faturas, reembolso.

## Ainda em dúvida?

Escolha Suporte. Escreva o que precisa com as suas palavras; o assunto e a primeira mensagem
bastam para encaminharmos à equipe certa.
"""

DOMAIN_EN = """\
A domain shows your site once it points at your hosting. There are two ways to point it.

## Change the nameservers (recommended)

At the company where the domain is registered, replace its nameservers with ours:

```
ns1.chamado-hosting.example
ns2.chamado-hosting.example
```

Our DNS then answers for the whole domain, and the site, email and certificate work without
further changes.

## Or change only the A record

If other services must stay at your current DNS provider, keep it and set the domain's
**A record** (and the one for `www`) to the IP address shown in your hosting plan's details.
Email keeps following the MX records you have there.

## How long does it take?

Most visitors see the change within an hour; some networks keep the old answer for up to
48 hours. The HTTPS certificate is issued automatically once the domain points to us.
"""

DOMAIN_PT = """\
O domínio mostra o seu site quando aponta para a sua hospedagem. Há duas formas de apontar.

## Troque os servidores DNS (recomendado)

Na empresa onde o domínio está registrado, substitua os servidores DNS pelos nossos:

```
ns1.chamado-hosting.example
ns2.chamado-hosting.example
```

A partir daí o nosso DNS responde pelo domínio inteiro, e site, e-mail e certificado
funcionam sem outros ajustes.

## Ou altere apenas o registro A

Se outros serviços precisam continuar no seu provedor de DNS atual, mantenha-o e configure o
**registro A** do domínio (e o do `www`) com o IP que aparece nos detalhes do seu plano. O
e-mail continua seguindo os registros MX que estão lá.

## Quanto tempo leva?

A maioria dos visitantes vê a mudança em até uma hora; algumas redes guardam a resposta
antiga por até 48 horas. O certificado HTTPS é emitido automaticamente quando o domínio
passa a apontar para nós.
"""

MAILBOX_EN = """\
Every hosting plan includes mailboxes on your own domain, such as `contact@yourdomain.com`.

## Create the mailbox

1. Open cPanel from the service in your client area.
2. In **Email**, choose **Email Accounts**, then **Create**.
3. Type the name before the @, a strong password, and the storage you want to give it.
4. Save. The mailbox works at once in Webmail.

## Set it up on your phone or computer

| Setting | Value |
|---|---|
| Incoming server (IMAP) | mail.yourdomain.com, port 993, SSL |
| Outgoing server (SMTP) | mail.yourdomain.com, port 465, SSL |
| User name | the whole address |

## Messages bounce with "mailbox full"

The mailbox reached its quota. Delete old messages, empty the trash, or raise the quota in
**Email Accounts › Manage**.
"""

MAILBOX_PT = """\
Todo plano de hospedagem inclui caixas de e-mail no seu próprio domínio, como
`contato@seudominio.com.br`.

## Crie a conta de e-mail

1. Abra o cPanel a partir do serviço, na área do cliente.
2. Em **E-mail**, escolha **Contas de e-mail** e depois **Criar**.
3. Digite o nome antes do @, uma senha forte e o espaço que a conta pode usar.
4. Salve. A conta já funciona no Webmail.

## Configure no celular ou no computador

| Configuração | Valor |
|---|---|
| Servidor de entrada (IMAP) | mail.seudominio.com.br, porta 993, SSL |
| Servidor de saída (SMTP) | mail.seudominio.com.br, porta 465, SSL |
| Usuário | o endereço completo |

## Mensagens voltam com "caixa cheia"

A conta atingiu a cota. Apague mensagens antigas, esvazie a lixeira ou aumente a cota em
**Contas de e-mail › Gerenciar**.
"""

ERROR_500_EN = """\
"Internal Server Error" (HTTP 500) means the site's own code stopped with an error. The
server is up; something in the site needs a look.

## Read the error log

In cPanel, open **Metrics › Errors**. The last lines usually name the file and the reason,
for example a PHP memory limit or a missing file.

## Common causes

- **PHP memory limit**: raise `memory_limit` in **MultiPHP INI Editor**, 256M is plenty for
  most sites.
- **A plugin or theme update**: rename its folder over FTP to switch it off, then reload.
- **A broken .htaccess**: rename the file to `.htaccess.old` and reload the page.
- **File permissions**: folders should be 755 and files 644.

## When to open a ticket

If the log says nothing clear, open a ticket in **Support** with the site address, the time
the error started and the last lines of the log. Your site's own code is yours or your
developer's to fix, but we gladly tell you what the server sees.
"""

ERROR_500_PT = """\
"Internal Server Error" (erro HTTP 500) quer dizer que o código do próprio site parou com um
erro. O servidor está no ar; algo no site precisa de atenção.

## Leia o log de erros

No cPanel, abra **Métricas › Erros**. As últimas linhas costumam indicar o arquivo e o
motivo, por exemplo um limite de memória do PHP ou um arquivo que falta.

## Causas frequentes

- **Limite de memória do PHP**: aumente `memory_limit` no **MultiPHP INI Editor**; 256M
  basta para a maioria dos sites.
- **Atualização de plugin ou tema**: renomeie a pasta dele por FTP para desativá-lo e
  recarregue a página.
- **Um .htaccess com erro**: renomeie o arquivo para `.htaccess.old` e recarregue.
- **Permissões de arquivos**: pastas com 755 e arquivos com 644.

## Quando abrir um ticket

Se o log não deixar nada claro, abra um ticket no **Suporte** com o endereço do site, o
horário em que o erro começou e as últimas linhas do log. O código do site é seu ou do seu
desenvolvedor, mas teremos prazer em mostrar o que o servidor vê.
"""

INVOICES_EN = """\
Each invoice is emailed to the account owner when it is issued, with the PDF attached.

## A copy of an invoice

Open a ticket to **Billing** with the invoice number or the month. We answer with the PDF
attached, in the same ticket, so it stays with your other documents.

## Company name or tax number on the invoice

The invoice shows the account's details on the day it was issued. Tell Billing the correct
details in a ticket and which invoices should be issued again.

## A payment that does not show yet

Bank slips take up to three working days to be recognised. After that, open a Billing ticket
and attach the receipt; there is no need to pay twice.
"""

INVOICES_PT = """\
Cada fatura é enviada por e-mail ao titular da conta assim que é emitida, com o PDF anexo.

## Segunda via de uma fatura

Abra um ticket no **Financeiro** com o número da fatura ou o mês. Respondemos com o PDF
anexo, no mesmo ticket, para que fique junto dos seus outros documentos.

## Razão social ou CNPJ na fatura

A fatura mostra os dados da conta no dia em que foi emitida. Informe os dados corretos ao
Financeiro em um ticket e diga quais faturas devem ser emitidas de novo.

## Pagamento ainda não identificado

Boletos levam até três dias úteis para serem identificados. Depois disso, abra um ticket no
Financeiro e anexe o comprovante; não é preciso pagar de novo.
"""

BACKUP_PT = """\
O cPanel gera uma cópia completa da sua hospedagem (arquivos, bancos de dados e e-mails).

## Gere o backup

1. Abra o cPanel e escolha **Arquivos › Backup**.
2. Clique em **Baixar um backup completo da conta**.
3. Escolha o diretório inicial como destino e informe o seu e-mail.

Você recebe um e-mail quando a cópia fica pronta; baixe o arquivo `.tar.gz` pelo
**Gerenciador de arquivos**.

## Guarde fora do servidor

Um backup que fica só no servidor não protege contra tudo: guarde uma cópia no seu
computador ou em um serviço de armazenamento.
"""


def _categories() -> dict[str, Category]:
    return {
        slug: Category.objects.create(
            slug=slug,
            name=name,
            name_pt_br=name_pt,
            description=description,
            description_pt_br=description_pt,
            position=position,
        )
        for position, (slug, name, name_pt, description, description_pt) in enumerate(CATEGORIES)
    }


def kb_demo_load(*, author: Any) -> dict[str, Article]:
    """Categories and articles (one for clients only, one in Portuguese only, one draft)."""
    categories = _categories()

    def article(slug: str, category: str, position: int, **fields: Any) -> Article:
        return article_create(
            actor=author, category=categories[category], slug=slug, position=position, **fields
        )

    articles = {
        "open": article(
            "how-to-open-a-ticket",
            "support",
            1,
            title="How to open a ticket",
            body=OPEN_TICKET_EN,
            title_pt_br="Como abrir um ticket",
            body_pt_br=OPEN_TICKET_PT,
        ),
        "department": article(
            "which-department",
            "support",
            2,
            title="Which department should I choose?",
            body=DEPARTMENT_EN,
            title_pt_br="Qual departamento devo escolher?",
            body_pt_br=DEPARTMENT_PT,
        ),
        "password": article(
            "reset-your-password",
            "getting-started",
            1,
            title="How to reset your client area password",
            body=PASSWORD_EN,
            title_pt_br="Como redefinir a senha da área do cliente",
            body_pt_br=PASSWORD_PT,
        ),
        "domain": article(
            "point-your-domain",
            "hosting",
            1,
            title="Point your domain to your hosting",
            body=DOMAIN_EN,
            title_pt_br="Como apontar seu domínio para a hospedagem",
            body_pt_br=DOMAIN_PT,
        ),
        "mailbox": article(
            "create-an-email-account",
            "hosting",
            2,
            title="Create an email account in cPanel",
            body=MAILBOX_EN,
            title_pt_br="Como criar uma conta de e-mail no cPanel",
            body_pt_br=MAILBOX_PT,
        ),
        "error500": article(
            "site-shows-error-500",
            "hosting",
            3,
            title="My site shows error 500: what to check",
            body=ERROR_500_EN,
            title_pt_br="Meu site mostra erro 500: o que verificar",
            body_pt_br=ERROR_500_PT,
        ),
        "invoices": article(
            "invoices",
            "billing",
            1,
            title="Invoices: copies, corrections and payments",
            body=INVOICES_EN,
            title_pt_br="Faturas: segunda via, correções e pagamentos",
            body_pt_br=INVOICES_PT,
            visibility=Article.Visibility.CLIENTS,
        ),
        "backup": article(
            "full-backup-in-cpanel",
            "hosting",
            4,
            title_pt_br="Como gerar um backup completo no cPanel",
            body_pt_br=BACKUP_PT,
        ),
        "draft": article(
            "move-your-site-to-us",
            "hosting",
            5,
            title="Move your site to us",
            body="Draft: the steps of a migration, written after the next plan launch.",
            status=Article.Status.DRAFT,
        ),
    }
    for name, related in {
        "open": ["department", "password"],
        "department": ["open"],
        "error500": ["open", "backup"],
        "mailbox": ["domain"],
        "invoices": ["department"],
    }.items():
        articles[name].related.add(*(articles[other] for other in related))
    return articles
