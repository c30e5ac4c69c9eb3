"""`ignore list|add|remove`: the links later scans leave out."""

import json

import click

from linkdoctor.cli import main
from linkdoctor.cli.common import service_command

KIND_WORDS = {"link": "link", "folder": "folder", "target": "target prefix"}


@main.group("ignore")
def ignore_group():
    """Links, folders or target prefixes that scans leave out (counted as ignored)."""


@ignore_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
@service_command()
def ignore_list(app, as_json):
    """Every ignore rule, newest first."""
    from linkdoctor import ignores

    rules = ignores.list_rules()
    if as_json:
        click.echo(json.dumps({"ignores": rules}, indent=2))
        return
    if not rules:
        click.echo("nothing is ignored")
    for rule in rules:
        note = f"  ({rule['note']})" if rule["note"] else ""
        click.echo(f"#{rule['id']:<5} {KIND_WORDS.get(rule['kind'], rule['kind']):<14} {rule['value']}{note}")


@ignore_group.command("add")
@click.option("--path", help="One link to ignore (absolute, or relative to the media root).")
@click.option("--prefix", help="A folder of the library, or a target prefix outside it.")
@click.option("--note", default="", help="Why it is ignored.")
@service_command()
def ignore_add(app, path, prefix, note):
    """Ignore one link (--path) or everything under a folder or target prefix (--prefix)."""
    from linkdoctor import ignores

    rule = ignores.add_rule(path, prefix, note)
    click.echo(f"rule #{rule['id']}: {KIND_WORDS[rule['kind']]} {rule['value']} is ignored from the next scan on")


@ignore_group.command("remove")
@click.argument("rule_id", type=click.IntRange(1))
@service_command()
def ignore_remove(app, rule_id):
    """Stop ignoring: the links of rule RULE_ID are checked again from the next scan on."""
    from linkdoctor import ignores

    rule = ignores.remove_rule(rule_id)
    click.echo(f"rule #{rule['id']} removed: {rule['value']} is checked again from the next scan on")
