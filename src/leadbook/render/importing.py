"""What an import did: its columns, counts, duplicates and bad rows."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from leadbook.i18n import _, ngettext

if TYPE_CHECKING:
    from leadbook.exchange.importer import ImportReport
    from leadbook.exchange.readers import Table


def print_import(
    report: ImportReport,
    table: Table,
    file: Path,
    dry_run: bool,
    keep: bool,
    skip_bad: bool,
    error_file: Path | None,
) -> None:
    """What `leadbook import` did or would do, on stderr: the columns, the counts, the
    duplicates and the bad rows."""
    from leadbook.exchange.importer import clip, errors_path, shown
    from leadbook.render import width
    from leadbook.render.grid import Column, grid, write

    kind = (
        table.kind
        + (f" ({table.encoding})" if table.encoding else "")
        + (f", {table.sheet}" if table.sheet else "")
    )
    lines = [
        [
            (
                ngettext(
                    "{file}: {rows} row, {kind}", "{file}: {rows} rows, {kind}", report.rows
                ).format(file=file.name, rows=report.rows, kind=kind),
                "bold",
            )
        ]
    ]
    rows = [
        [clip(head, 60), _("kept on the card") if target == "extra" else target]
        for head, target in report.mapping
    ]
    lines += grid(
        [Column(_("Column"), min_width=10), Column(_("Field"))], rows, width(), title=_("Columns")
    )
    from leadbook.exchange.columns import sheet_name
    from leadbook.i18n import language

    if report.related:
        restored = _(", ").join(
            f"{sheet_name(k, language())} {n}" for k, n in report.related.items()
        )
        lines.append([(_("From the other sheets: {restored}").format(restored=restored), "")])
    if report.in_book:
        kept = _(", ").join(f"{sheet_name(k, language())} {n}" for k, n in report.in_book.items())
        lines.append(
            [
                (
                    _("Kept as the book has them, as their cards are already in it: {kept}").format(
                        kept=kept
                    ),
                    "dim",
                )
            ]
        )
    if report.left_out:
        left = _(", ").join(f"{sheet_name(k, language())} {n}" for k, n in report.left_out.items())
        lines.append(
            [
                (
                    _(
                        "Left out of the other sheets, as this import did not create their cards: {left}"
                    ).format(left=left),
                    "yellow",
                )
            ]
        )
    lines.append([])
    verb = _("would create") if not keep else _("created")
    lines.append(
        [
            (
                _("{cards}, updated {updated}, skipped {duplicates}, {bad_rows}.").format(
                    cards=ngettext(
                        "{verb} {n} card ({deals} with a deal)",
                        "{verb} {n} cards ({deals} with a deal)",
                        report.created,
                    ).format(verb=verb, n=report.created, deals=report.deals),
                    updated=report.updated,
                    duplicates=ngettext("{n} duplicate", "{n} duplicates", report.skipped).format(
                        n=report.skipped
                    ),
                    bad_rows=ngettext("{n} bad row", "{n} bad rows", report.bad_rows).format(
                        n=report.bad_rows
                    ),
                ),
                "bold",
            )
        ]
    )
    for row, number, why in report.duplicates[:10]:
        lines.append(
            [
                (
                    _("row {row}: same {why} as {number}").format(row=row, why=why, number=number),
                    "dim",
                )
            ]
        )
    for p in report.problems[:20]:
        column, value, reason = shown(p)
        lines.append(
            [
                (
                    _("row {row}, {column} {value!r}: {reason}").format(
                        row=p.row, column=column, value=value, reason=reason
                    ),
                    "red",
                )
            ]
        )
    if len(report.problems) > 20:
        more = len(report.problems) - 20
        text = ngettext("… and {n} more problem", "… and {n} more problems", more).format(n=more)
        lines.append([(text, "red")])
    if error_file:
        lines.append([(_("Problems written to {path}").format(path=error_file), "")])
    elif dry_run and report.problems:
        lines.append(
            [
                (
                    _("Without --dry-run the problems would be written to {path}").format(
                        path=errors_path(file)
                    ),
                    "",
                )
            ]
        )
    if dry_run:
        lines.append([(_("Dry run: nothing was written."), "bold")])
    elif report.problems and not skip_bad:
        lines.append(
            [
                (
                    _(
                        "Nothing was written: fix the rows above, or import the good ones with --skip-bad."
                    ),
                    "bold red",
                )
            ]
        )
    write(lines, sys.stderr)
