"""Typer's own words that go through gettext (panel titles, a few errors), marked here so the
catalog carries their translations; ``i18n.set_language`` points gettext's default domain at
leadbook's catalog for them. Never imported: only read by ``pybabel extract``."""

from leadbook.i18n import N_

TYPER_STRINGS = (
    N_("Options"),
    N_("Commands"),
    N_("Arguments"),
    N_("Error"),
    N_("[default: {}]"),
    N_("[required]"),
    N_("Aborted!"),
    N_("No such command {name!r}."),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Missing command."),
)
