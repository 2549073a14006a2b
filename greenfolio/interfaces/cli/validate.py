"""``greenfolio validate``: check a file against published rules without importing it.

``validate iati FILE`` runs an IATI ruleset (IATI's own ``standard`` by default) on every
activity or organisation of the file. Exit codes: 0 every rule passes, 5 a rule fails,
2 the file or the ruleset cannot be read.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from greenfolio.domain.languages import check_language
from greenfolio.interfaces.cli.common import ExitCode, JsonOption, err, errors, out, print_json

validate_app = typer.Typer(
    help="Check files against published rules (nothing is imported).", no_args_is_help=True
)


@validate_app.command("iati")
def validate_iati(
    file: Annotated[Path, typer.Argument(help="An IATI activity or organisation XML file.")],
    rules: Annotated[
        str,
        typer.Option(
            "--rules",
            help="standard (IATI's own data-quality rules, version 2.03) or a ruleset JSON file.",
        ),
    ] = "standard",
    lang: Annotated[
        str, typer.Option(help="Language of the messages: ar, zh, en, fr, ru, es.")
    ] = "en",
    max_size: Annotated[
        int, typer.Option("--max-size", min=1, help="Largest file accepted, in MiB.")
    ] = 2048,
    as_json: JsonOption = False,
) -> None:
    """Run IATI's data-quality rules on a file: exit 0 if every rule passes, 5 if one fails,
    2 if the file or the ruleset cannot be read."""
    from greenfolio.domain.errors import ValidationError
    from greenfolio.domain.exchange import RefusedError
    from greenfolio.services.exchange import iati_refusal_text, iati_rules, iati_rules_text

    with errors():
        check_language(lang)
    try:
        ruleset = iati_rules.load_ruleset(rules)
    except ValidationError as bad:
        said = iati_refusal_text.ruleset_refusal(bad.message_id, bad.params, str(bad), lang)
        if as_json:
            print_json({"rules": rules, "readable": False, "problems": [{"message": said}]})
        err.print(escape(iati_refusal_text.ruleset_line(said, lang)), highlight=False)
        raise typer.Exit(ExitCode.INVALID) from bad
    try:
        report = iati_rules.check_file(file, ruleset, max_bytes=max_size * 1024**2)
    except RefusedError as refused:
        if as_json:
            print_json(
                {
                    "file": file.name,
                    "readable": False,
                    "problems": [iati_refusal_text.refusal_data(p, lang) for p in refused.problems],
                }
            )
        for problem in refused.problems:
            err.print(escape(iati_refusal_text.refusal_line(problem, lang)), highlight=False)
        raise typer.Exit(ExitCode.INVALID) from refused
    data = iati_rules_text.report_data(report, lang)
    if as_json:
        print_json(data)
    else:
        for line in iati_rules_text.text_lines(data, lang):
            out.print(line, highlight=False, markup=False)
    if not report.passed:
        raise typer.Exit(ExitCode.WANTING)
