"""Read a table from whatever file a salesperson has: xlsx (even named .csv), xls, CSV/TSV in
any common encoding (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16), or vCard. The format is
decided by the content, not the file name; a file that cannot be read is one clear error."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadbook.errors import InvalidValue
from leadbook.i18n import _


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    kind: str  # xlsx, xls, csv, vcf
    sheet: str | None = None
    sheets: Sequence[str] = ()
    encoding: str | None = None


def sniff(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    head = data[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n\t").upper()
    if head.startswith(b"BEGIN:VCARD") or head.replace(b"\x00", b"").startswith(b"BEGIN:VCARD"):
        return "vcf"
    return "csv"


def read(path: Path, sheet: str | None = None) -> Table:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidValue(_("no file at {path}").format(path=path)) from None
    except OSError as exc:
        raise InvalidValue(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    kind = sniff(data)
    if kind in ("xlsx", "xls"):
        return _spreadsheet(path, data, kind, sheet)
    text, encoding = decode(data, path)
    if kind == "vcf":
        return _vcards(text)
    return _csv(text, encoding)


def _spreadsheet(path: Path, data: bytes, kind: str, sheet: str | None) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        name = sheet or names[0]
        if name not in names:
            raise InvalidValue(
                _("{path} has no sheet {sheet!r}; its sheets: {names}").format(
                    path=path.name, sheet=sheet, names=", ".join(names)
                )
            )
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=True)
    except InvalidValue:
        raise
    except Exception as exc:  # calamine raises its own error types on broken files
        raise InvalidValue(
            _(
                "{path} looks like an {kind} workbook but cannot be read ({reason}): open it in "
                "Excel or LibreOffice and save it again as .xlsx"
            ).format(path=path.name, kind=kind, reason=str(exc).splitlines()[0][:120])
        ) from None
    rows = [list(r) for r in rows]
    while rows and not any(_filled(v) for v in rows[0]):
        rows.pop(0)
    if not rows:
        raise InvalidValue(
            _("{path} has no rows on sheet {sheet!r}").format(path=path.name, sheet=name)
        )
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    return Table(headers, rows[1:], kind, name, names)


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """The text of a CSV and its encoding: BOMs first, then UTF-8, then a detector (GBK files
    decode as GB18030, their superset)."""
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data[:200].count(b"\x00") > 20:  # UTF-16 without a BOM
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise InvalidValue(
            _("cannot tell the text encoding of {path}: save it as UTF-8 CSV").format(
                path=path.name
            )
        )
    encoding = best.encoding
    if encoding.lower().replace("-", "") in ("gbk", "gb2312", "cp936", "hz"):
        encoding = "gb18030"
    return data.decode(encoding, errors="strict"), encoding


def _csv(text: str, encoding: str) -> Table:
    sample = text[:20000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if "".join(r).strip()]
    if not rows:
        raise InvalidValue(_("the file has no rows"))
    headers = [h.strip() for h in rows[0]]
    body = rows[1:]
    # Exports that end every line with a separator add an unnamed, empty last column.
    while (
        headers
        and headers[-1] == ""
        and all(len(r) < len(headers) or not r[len(headers) - 1].strip() for r in body)
    ):
        headers.pop()
    return Table(headers, body, "csv", encoding=encoding)  # csv.reader's rows are lists


VCARD_FIELDS = (
    "FN",
    "N",
    "ORG",
    "TITLE",
    "TEL",
    "TEL;CELL",
    "EMAIL",
    "ADR",
    "BDAY",
    "NOTE",
    "CATEGORIES",
    "URL",
    "GENDER",
)


def _vcards(text: str) -> Table:
    """vCard 2.1/3.0/4.0: one row per card, the properties a card has."""
    unfolded: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += line[1:]
        elif line.strip():
            unfolded.append(line)
    cards: list[dict[str, str]] = []
    card: dict[str, str] | None = None
    for line in unfolded:
        name, _, value = line.partition(":")
        prop, *params = name.split(";")
        prop = prop.split(".")[-1].upper()
        if prop == "BEGIN":
            card = {}
            continue
        if prop == "END":
            if card is not None:
                raw_n = card.pop("N", "")
                if not card.get("FN") and raw_n:
                    parts = raw_n.split(";")
                    card["FN"] = " ".join(p for p in (parts[1:2] + parts[:1]) if p).strip()
                cards.append(card)
            card = None
            continue
        if card is None:
            continue
        value = _vcard_value(value, params)
        kinds = ";".join(params).upper()
        if prop == "TEL":
            key = "TEL;CELL" if "CELL" in kinds or "MOBILE" in kinds else "TEL"
            card.setdefault(key, value)
        elif prop == "N":
            card.setdefault("N", value)
        elif prop == "ORG":
            card.setdefault("ORG", value.split(";")[0])
        elif prop == "ADR":
            card.setdefault("ADR", " ".join(p for p in value.split(";") if p))
        elif prop in VCARD_FIELDS:
            card.setdefault(prop, value)
    if not cards:
        raise InvalidValue(_("the vCard file has no cards"))
    headers = list(VCARD_FIELDS)
    return Table(headers, [[c.get(h, "") for h in headers] for c in cards], "vcf")


def _vcard_value(value: str, params: list[str]) -> str:
    upper = ";".join(params).upper()
    if "QUOTED-PRINTABLE" in upper:
        import quopri

        charset = "utf-8"
        for p in params:
            if p.upper().startswith("CHARSET="):
                charset = p.split("=", 1)[1]
        try:
            value = quopri.decodestring(value.encode("ascii", "ignore")).decode(charset, "replace")
        except LookupError:
            value = quopri.decodestring(value.encode("ascii", "ignore")).decode("utf-8", "replace")
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").strip()
