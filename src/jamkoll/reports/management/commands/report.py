import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from jamkoll.accounts.policy import operator
from jamkoll.commands import JamkollCommand, date_option
from jamkoll.reports.selectors import report_version_for_user
from jamkoll.reports.services import report_certify, report_job_create, report_job_run, report_sign

# The service's field names as the command line spells them.
LABELS = {
    "county": "--county",
    "period_start": "--period",
    "amount_applied": "--amount",
    "introduction": "--introduction",
    "on": "--date",
    "deviations": "--deviations",
    "proposed_actions": "--actions",
    "place": "--place",
}


KINDS = {
    "result": "resultatrapport",
    "financial": "ekonomisk redovisning",
    "status": "halvårsrapport",
    "rss": "länsrapport",
    "application": "ansökan om medel",
}


class Command(JamkollCommand):
    labels = LABELS

    help = (
        "Skapa en rapport ur databasen: resultatrapport (result), ekonomisk redovisning (financial), "
        "halvårsrapport (status), länsrapport (rss) eller ansökan om medel för ett år som beslutet "
        "aviserar (application), som PDF, DOCX, HTML eller Markdown. "
        "Rapporten arkiveras också som ett utkast i det format som skrivs. "
        "Intyga (certify) eller underteckna (sign) en arkiverad version: det gör en person, aldrig "
        "kommandoraden själv, så --as ANVÄNDARNAMN krävs; kontots roll prövas och fyra ögon gäller "
        "(den som skapade versionen intygar den inte, den som intygade den undertecknar den inte). "
        "Namn och titel i dokumentet kommer från kontot."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        for kind, label in KINDS.items():
            p = sub.add_parser(kind, help=f"skapa {label}")
            p.add_argument("decision", help="beslutets kortnamn, t.ex. jamstalldhet-kvinnofrid-2018-2020")
            p.add_argument("year")
            p.add_argument("--county", help="länskod, krävs för rss")
            p.add_argument(
                "--period", help="halvårets första dag för status, t.ex. 2018-07-01 (standard: 1 jan)"
            )
            p.add_argument(
                "--amount", help="sökt belopp i kronor för application, t.ex. 20000000 (utan: ej angivet)"
            )
            p.add_argument("--introduction", default="", help="inledande text för application")
            p.add_argument("--format", choices=["pdf", "docx", "html", "md"], required=True)
            p.add_argument("-o", "--output", required=True, help="fil att skriva, eller - för standard ut")
        as_help = (
            "användarnamnet på den person som %s (krävs: kommandoraden är ingen person och kan inte "
            "vara ett andra par ögon; kontots roll och fyra ögon prövas)"
        )
        c = sub.add_parser("certify", help="intyga en version (ekonomichefen)")
        c.add_argument("version", help="versionens id (som på sidan /rapporter/<id>/)")
        c.add_argument("--as", dest="as_user", required=True, help=as_help % "intygar")
        c.add_argument("--date", required=True, help="intygandets datum ÅÅÅÅ-MM-DD")
        c.add_argument("--deviations", default="", help="avvikelser")
        c.add_argument("--actions", default="", help="åtgärdsförslag")
        g = sub.add_parser("sign", help="underteckna en version (behörig företrädare)")
        g.add_argument("version", help="versionens id (som på sidan /rapporter/<id>/)")
        g.add_argument("--as", dest="as_user", required=True, help=as_help % "undertecknar")
        g.add_argument("--date", required=True, help="underskriftens datum ÅÅÅÅ-MM-DD")
        g.add_argument("--place", default="Stockholm", help="ort (standard: Stockholm)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action in ("certify", "sign"):
            self._step(action, options)
            return
        self._generate(action, options)

    def _person(self, username: str) -> Any:
        """The `--as` account, whose roles and four eyes the policy checks."""
        user = get_user_model().objects.filter(username=username[:150]).first()
        if user is None:
            raise CommandError(f"--as: okänd användare {username[:150]!r}")
        return user

    def _step(self, action: str, options: dict[str, Any]) -> None:
        actor = self._person(options["as_user"])
        version, _actions = report_version_for_user(actor=actor, pk=options["version"])
        on = date_option(options["date"], "--date")
        if action == "certify":
            done = report_certify(
                actor=actor,
                version=version,
                on=on,
                deviations=options["deviations"],
                proposed_actions=options["actions"],
            )
        else:
            done = report_sign(actor=actor, version=version, on=on, place=options["place"])
        self.stdout.write(f"{done.title} v{done.version}: {done.get_state_display().lower()} (id {done.pk})")

    def _generate(self, kind: str, options: dict[str, Any]) -> None:
        period = date_option(options.get("period"), "--period")
        actor = operator()
        job = report_job_create(
            actor=actor,
            kind=kind,
            decision_slug=options["decision"],
            year=options["year"],
            county_code=options.get("county"),
            period_start=period,
            amount_applied=options.get("amount"),
            introduction=options.get("introduction") or "",
            enqueue=False,
        )
        version = report_job_run(job=job, actor=actor, formats=(options["format"],))
        content = bytes(version.files.get(format=options["format"]).content)
        if options["output"] == "-":
            sys.stdout.buffer.write(content)
            return
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"-o: kan inte skriva {path}: {exc.strerror}") from None
        size = f"{len(content):,}".replace(",", " ")
        self.stdout.write(f"Skrev {path} ({size} byte): {version.title} v{version.version}")
