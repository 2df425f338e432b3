"""Read a table from whatever file a salesperson has: xlsx (even named .csv), xls, CSV/TSV in
any common encoding (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16), or vCard. The format is
decided by the content, not the file name; a file that cannot be read is one clear error.

Nothing is allocated from what a file claims: a workbook's unpacked size and the extent of the
sheet to read are checked in the zip (an .xls: every sheet, in its binary records) before the
reader (which holds a sheet as one rectangle from its first to its last cell) sees it."""

from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from leadbook.errors import InvalidValue
from leadbook.i18n import _
from leadbook.text import clean, visible


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]
    kind: str  # xlsx, xls, csv, vcf, zip (of CSVs: leadbook's CSV export of a whole book)
    sheet: str | None = None
    sheets: Sequence[str] = ()
    encoding: str | None = None


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 compound file: .xls (and .doc, ...)


def sniff(data: bytes) -> str:
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == _OLE:
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
    binary = b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if kind == "csv" and binary and path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        # a damaged or foreign file under a workbook's name (a CSV saved as .xls still reads)
        raise InvalidValue(
            _(
                "{path} is named like a workbook but holds neither Excel nor text: open it "
                "in Excel or LibreOffice and save it again as .xlsx"
            ).format(path=path.name)
        )
    if kind == "xlsx" and _is_csv_zip(data):
        return _csv_zip(path, data, sheet)
    if kind in ("xlsx", "xls"):
        return _spreadsheet(path, data, kind, sheet)
    text, encoding = decode(data, path)
    if kind == "vcf":
        return _vcards(text)
    return _csv(text, encoding)


@contextmanager
def _native_stderr_muted() -> Iterator[None]:
    """Keep what native code writes to the process's stderr (a Rust panic's message and
    backtrace) off the user's screen: the command says in one line what went wrong. With
    LEADBOOK_DEBUG=1 it is left alone."""
    import os
    import sys

    if os.environ.get("LEADBOOK_DEBUG") == "1":
        yield
        return
    try:
        sys.stderr.flush()
        fd = 2
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):  # no real stderr (captured): nothing to mute
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    try:
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def _spreadsheet(path: Path, data: bytes, kind: str, sheet: str | None) -> Table:
    from python_calamine import CalamineWorkbook

    check_workbook(path, data, sheet)
    with _native_stderr_muted():  # a reader panic prints its backtrace straight to fd 2
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
            raise _unreadable(path, kind, exc) from None
        except BaseException as exc:  # a panic in calamine (pyo3's PanicException) is no Exception
            if type(exc).__name__ != "PanicException":
                raise
            raise _unreadable(path, kind, exc) from None
    rows = [list(r) for r in rows]
    while rows and not any(_filled(v) for v in rows[0]):
        rows.pop(0)
    if not rows:
        raise InvalidValue(
            _("{path} has no rows on sheet {sheet!r}").format(path=path.name, sheet=name)
        )
    headers = [clean(str(h)).strip() if h is not None else "" for h in rows[0]]
    return Table(headers, rows[1:], kind, name, names)


def _is_csv_zip(data: bytes) -> bool:
    """A zip of CSV files (`leadbook export book.zip`), not a workbook (also a zip)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return bool(names) and all(n.lower().endswith(".csv") for n in names)


def _csv_zip(path: Path, data: bytes, sheet: str | None) -> Table:
    """One CSV of a zip of CSVs, as a sheet of a workbook: ``sheet`` names it without .csv
    (default the first); the others are the table's ``sheets``."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        unpacked = sum(i.file_size for i in infos)
        if unpacked > MAX_UNPACKED:
            raise InvalidValue(
                _(
                    "{path} would unpack to {size} MB, more than the {limit} MB leadbook "
                    "reads: it is damaged or not a workbook of customers"
                ).format(path=path.name, size=unpacked >> 20, limit=MAX_UNPACKED >> 20)
            )
        names = [i.filename[: -len(".csv")] for i in infos]
        name = sheet or names[0]
        if name not in names:
            raise InvalidValue(
                _("{path} has no sheet {sheet!r}; its sheets: {names}").format(
                    path=path.name, sheet=sheet, names=", ".join(names)
                )
            )
        try:
            body = archive.read(infos[names.index(name)])
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
            reason = (str(exc).splitlines() or [exc.__class__.__name__])[0][:120]
            raise InvalidValue(
                _("{path} is a zip of CSV files but cannot be read ({reason})").format(
                    path=path.name, reason=visible(reason)
                )
            ) from None
    text, encoding = decode(body, path)
    table = _csv(text, encoding)
    return Table(table.headers, table.rows, "zip", name, names, encoding)


def _unreadable(path: Path, kind: str, exc: BaseException) -> InvalidValue:
    reason = (str(exc).splitlines() or [exc.__class__.__name__])[0][:120]
    return InvalidValue(
        _(
            "{path} looks like an {kind} workbook but cannot be read ({reason}): open it in "
            "Excel or LibreOffice and save it again as .xlsx"
        ).format(path=path.name, kind=kind, reason=visible(reason))
    )


# The reader holds a sheet as one rectangle from its first cell to its last, about 32 bytes a
# cell before Python sees it: a file with two cells, at A1 and XFD1048576, would ask for 549 GB.
MAX_CELLS = 20_000_000  # rows x columns of the sheet read: about 640 MB
MAX_UNPACKED = 1 << 30  # bytes a workbook's parts may unpack to, in all
_PIECE = 1 << 20  # a sheet's XML is scanned a megabyte at a time
_DIMENSION = re.compile(
    rb"<(?:\w+:)?dimension\s+ref\s*=\s*[\"']([A-Za-z]*)(\d{0,12})(?::([A-Za-z]*)(\d{0,12}))?"
)
# A cell's or a row's r attribute: spreadsheets write ` r="B12"`; XML also allows other
# quotes and spaces (then the slower form is used, or the cell is read tag by tag).
_ATTR = rb' r="'
_ATTR_ANY = rb"\sr\s*=\s*[\"']"
_REF = re.compile(_ATTR_ANY + rb"([A-Za-z]*)(\d*)")


def check_workbook(path: Path, data: bytes, sheet: str | None) -> None:
    """Refuse an .xlsx or .ods that would unpack to more than :data:`MAX_UNPACKED`, or whose
    sheet to read declares or holds cells spanning more than :data:`MAX_CELLS` (an .ods: its
    sheets together, all read at once); an .xlsb, whose binary records are not checked. Read
    in the zip, a megabyte at a time, before the reader sees it. An .xls: see
    :func:`_check_xls`."""
    if data[:8] == _OLE:
        _check_xls(path, data)
        return
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            unpacked = sum(i.file_size for i in infos)
            if unpacked > MAX_UNPACKED:
                raise InvalidValue(
                    _(
                        "{path} would unpack to {size} MB, more than the {limit} MB leadbook "
                        "reads: it is damaged or not a workbook of customers"
                    ).format(path=path.name, size=unpacked >> 20, limit=MAX_UNPACKED >> 20)
                )
            if "xl/workbook.bin" in names:  # its binary records are not checked: refuse them
                raise InvalidValue(
                    _(
                        "{path} is an Excel binary workbook (.xlsb): open it in Excel and save "
                        "it as .xlsx"
                    ).format(path=path.name)
                )
            for info in _sheet_parts(archive, infos, sheet):
                with archive.open(info) as stream:
                    rows, columns = _extent(stream, path)
                if rows * columns > MAX_CELLS:
                    raise _too_big(path, rows, columns)
            if "content.xml" in names and "xl/workbook.xml" not in names:
                with archive.open("content.xml") as stream:  # OpenDocument: every sheet is read
                    tables = _ods_extents(stream)
                if sum(r * c for r, c in tables) > MAX_CELLS:
                    raise _too_big(path, *max(tables, key=lambda t: t[0] * t[1]))
    except InvalidValue:
        raise
    except Exception as exc:  # zipfile, zlib and the XML parser each have their own errors
        raise _unreadable(path, "xlsx", exc) from None


def _too_big(path: Path, rows: int, columns: int) -> InvalidValue:
    return InvalidValue(
        _(
            "{path} has a sheet {rows} rows by {columns} columns ({cells} cells), more than the "
            "{limit} leadbook reads: delete the empty rows and columns after your data in Excel, "
            "or copy the data to a new sheet, and save it again"
        ).format(
            path=path.name,
            rows=f"{rows:,}",
            columns=f"{columns:,}",
            cells=f"{rows * columns:,}",
            limit=f"{MAX_CELLS:,}",
        )
    )


def _sheet_parts(archive: Any, infos: list[Any], sheet: str | None) -> list[Any]:
    """The zip entry of the sheet the reader will open (the named one, else the first), or
    every worksheet entry when the workbook's own index cannot tell."""
    import posixpath
    from xml.etree import ElementTree

    names = {i.filename: i for i in infos}
    if "xl/workbook.xml" not in names:
        return []  # not an .xlsx
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        wanted = None
        for element in book.iter():
            if element.tag.rsplit("}", 1)[-1] == "sheet" and (
                sheet is None or element.get("name") == sheet
            ):
                wanted = next(v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id")
                break
        for rel in rels.iter():
            if rel.tag.rsplit("}", 1)[-1] == "Relationship" and rel.get("Id") == wanted:
                target = rel.get("Target") or ""
                part = target.lstrip("/") if target.startswith("/") else "xl/" + target
                return [names[posixpath.normpath(part)]]
    except (ElementTree.ParseError, KeyError, StopIteration):
        pass
    return [i for i in infos if "worksheets/" in i.filename and i.filename.endswith(".xml")]


def _extent(stream: Any, path: Path) -> tuple[int, int]:
    """The last row and column a sheet's XML declares or uses. Spreadsheets write rows in
    order and a reference in every cell, so after the first megabyte each one is only searched
    for a cell past the last row it ends in or the widest column seen; a megabyte out of
    order, or with cells that have no reference (the reader counts them along the row), is
    read tag by tag."""
    rows = columns = 0
    carry = b""
    walk: _Walk | None = None
    first = True
    while piece := stream.read(_PIECE):
        text = carry + piece
        cut = text.rfind(b"<")
        if cut < len(text) - 65536:  # inside a long text: keep the end, a reference is short
            cut = max(len(text) - 64, 0)
        text, carry = text[:cut], text[cut:]
        if first:
            first = False
            declared = _DIMENSION.search(text)
            if declared:
                c1, r1, c2, r2 = declared.groups()
                top, left = _row_number(r1), _column_number(c1)
                bottom, right = _row_number(r2 or r1), _column_number(c2 or c1)
                span = (abs(bottom - top) + 1, abs(right - left) + 1)
                if span[0] * span[1] > MAX_CELLS:
                    raise _too_big(path, *span)
            if _unreferenced(text) or _Walk.prefixed(text):
                walk = _Walk()
            else:  # the widest column is the header's, most likely: searched past below
                rows, columns = _references(text[: text.find(b"</row>") + 1], rows, columns)
        elif walk is None and _unreferenced(text):
            walk = _Walk(columns)
        if walk is not None:
            rows, columns = walk.read(text, rows, columns)
            if walk.plain:
                walk = None  # every cell has its reference: back to the quick search
        else:
            # The last reference is the highest row in a sheet written in order; the search
            # is for one past that, rounded up to one significant digit so that the pattern
            # changes a few times a tenfold, not each megabyte (what it lets pass is under
            # twice the rows counted).
            last = text.rfind(b" r=")
            hint = _REF.match(text, last) if last >= 0 else None
            seen = max(rows, _row_number(hint[2]) if hint and hint[2] else 0)
            ordinary = not any(c in text for c in (b"'", b"\t", b"\n", b"\r"))
            if _beyond(_round_up(seen), columns, ordinary).search(text):
                rows, columns = _Walk(columns).read(text, rows, columns)
            else:
                rows = seen
        if rows * columns > MAX_CELLS:
            return rows, columns
    return _Walk(columns).read(carry, rows, columns) if carry else (rows, columns)


_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^<>]*?)(/?)>"
)
_REPEATED = re.compile(rb"number-(?:rows|columns)-repeated\s*=\s*[\"'](\d+)")


def _ods_extents(stream: Any) -> list[tuple[int, int]]:
    """Each sheet's rows and columns up to its last cell with a value, as an OpenDocument
    file's repeat counts spell them out (LibreOffice ends every sheet with a million repeated
    empty rows: those do not count)."""
    tables: list[tuple[int, int]] = []
    rows = last_row = columns = 0
    repeat = column = last_column = 0
    carry = b""
    while piece := stream.read(_PIECE):
        text = carry + piece
        cut = text.rfind(b"<")
        if cut < 0 or b">" in text[cut:]:
            cut = len(text)
        elif len(text) - cut > _PIECE:
            raise ValueError("a tag longer than a megabyte")
        text, carry = text[:cut], text[cut:]
        for closing, name, attributes, empty in _ODS_TAG.findall(text):
            count = _REPEATED.search(attributes)
            n = _row_number(count[1]) if count else 1
            if name == b"table":
                if closing:
                    tables.append((last_row, columns))
                else:
                    rows = last_row = columns = 0
            elif name == b"table-row" and not closing:
                repeat, column, last_column = n, 0, 0
                if empty:
                    rows += repeat
            elif name == b"table-row":
                if last_column:
                    last_row, columns = rows + repeat, max(columns, last_column)
                rows += repeat
            elif not closing:
                column += n
                if not empty or b"value-type" in attributes:
                    last_column = column
    return tables or [(0, 0)]


_END_OF_CHAIN = 0xFFFFFFFE
# BIFF records that put one cell at the row and column in their first two 16-bit fields:
# FORMULA, LABELSST, BLANK, NUMBER, LABEL, BOOLERR, RK. Both fields go to 65535, though Excel
# stops at 256 columns.
_BIFF_CELLS = frozenset({0x0006, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E})
# MULRK and MULBLANK: a row, a first column, a run of cells of this many bytes, a last column.
_BIFF_RUNS = {0x00BD: 6, 0x00BE: 2}


def _check_xls(path: Path, data: bytes) -> None:
    """Refuse an .xls whose sheets declare (DIMENSIONS) or hold cells spanning more than
    :data:`MAX_CELLS`: the reader builds every sheet when it opens the file, each as one
    rectangle from its first to its last cell, and reserves what DIMENSIONS declares first. One
    pass over the records of the Workbook stream, found through the file's sector chains."""
    try:
        for stream in _ole_streams(data, ("workbook", "book")):
            tables = _biff_extents(stream, path)
            if sum(r * c for r, c in tables) > MAX_CELLS:
                raise _too_big(path, *max(tables, key=lambda t: t[0] * t[1]))
    except InvalidValue:
        raise
    except Exception as exc:  # struct.error, ValueError: a damaged file
        raise _unreadable(path, "xls", exc) from None


def _ole_streams(data: bytes, names: tuple[str, ...]) -> list[bytes]:
    """The streams of an OLE2 compound file with these names (in any case). Every sector
    number is checked against the file's length and every chain stops after as many sectors as
    the file holds: nothing is allocated or followed from what the file claims."""
    import sys
    from array import array

    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise ValueError(f"sector shift {shift}, mini sector shift {mini_shift}")
    size = 1 << shift
    count = max(0, len(data) - 1) // size  # sectors after the header's (the last may be short)

    def sector(n: int) -> bytes:
        if n >= count:
            raise ValueError(f"sector {n} past the end of the file")
        return data[(n + 1) * size : (n + 2) * size]

    def table(raw: bytes) -> array[int]:
        numbers = array("I", raw[: len(raw) // 4 * 4])  # 32 bits, little-endian in the file
        if sys.byteorder == "big":
            numbers.byteswap()
        return numbers

    def chain(start: int, fat: array[int], read: Any, limit: int) -> bytes:
        parts: list[bytes] = []
        n = start
        while n != _END_OF_CHAIN:
            if len(parts) >= limit or n >= len(fat):
                raise ValueError(f"a broken sector chain at {n}")
            parts.append(read(n))
            n = fat[n]
        return b"".join(parts)

    # The sectors of the sector table (FAT): 109 numbers in the header, then a chain of
    # DIFAT sectors whose last number is the next one's.
    difat = list(struct.unpack_from("<109I", data, 76))
    n = struct.unpack_from("<I", data, 68)[0]
    for _sector in range(count):
        if n >= 0xFFFFFFFA:
            break
        more = table(sector(n))
        difat.extend(more[:-1])
        n = more[-1]
    fat = array("I")
    for n in difat:
        if n < 0xFFFFFFFC and len(fat) < count:  # entries past the file's sectors: unused
            fat.extend(table(sector(n)))
    entries = chain(struct.unpack_from("<I", data, 48)[0], fat, sector, count)
    wanted = []
    for at in range(0, len(entries) - 127, 128):
        # the name up to its first NUL, as the reader takes it (not by its length field)
        name = entries[at : at + 64].decode("utf-16-le", "replace").split("\0", 1)[0]
        if at == 0 or name.lower() in names:
            start, claimed = struct.unpack_from("<IQ" if size > 512 else "<II", entries, at + 116)
            wanted.append((start, claimed))
    if not wanted:
        return []
    root_start, root_size = wanted.pop(0)
    streams = []
    mini: tuple[bytes, array[int]] | None = None
    for start, claimed in wanted:
        if claimed >= 4096:
            stream = chain(start, fat, sector, count)
        else:  # small streams live in 64-byte sectors of the root entry's stream
            if mini is None:
                short = _claimed(chain(root_start, fat, sector, count), root_size)
                mini_table = table(chain(struct.unpack_from("<I", data, 60)[0], fat, sector, count))
                mini = (short, mini_table)
            short, mini_table = mini

            def mini_sector(n: int, short: bytes = short) -> bytes:
                if n * 64 >= len(short):
                    raise ValueError(f"mini sector {n} past the end of its stream")
                return short[n * 64 : n * 64 + 64]

            stream = chain(start, mini_table, mini_sector, len(short) // 64 + 1)
        streams.append(_claimed(stream, claimed))
    return streams


def _claimed(stream: bytes, size: int) -> bytes:
    """A stream cut to its size, as the reader cuts it: a size of 0 keeps the whole chain."""
    return stream[:size] if size else stream


def _biff_extents(stream: bytes, path: Path) -> list[tuple[int, int]]:
    """Each sheet's rows and columns up to its last cell, walking a Workbook stream's BIFF
    records as the reader does: the workbook's own records up to their EOF name each sheet's
    first record (BOUNDSHEET), and a sheet's records go on to its EOF. A DIMENSIONS record
    declaring more than :data:`MAX_CELLS` is refused at once."""
    header = struct.Struct("<HH")
    record = struct.Struct("<HHHH").unpack_from
    end = len(stream)
    starts = []
    at = 0
    while at + 4 <= end:
        kind, length = header.unpack_from(stream, at)
        body, at = at + 4, at + 4 + length
        if kind == 0x000A:  # EOF
            break
        if kind == 0x0085 and length >= 4:  # BOUNDSHEET
            starts.append(struct.unpack_from("<I", stream, body)[0])
        elif kind == 0x002F and length >= 2 and struct.unpack_from("<H", stream, body)[0]:
            raise ValueError("Workbook is password protected")  # FILEPASS: cells encrypted
    tables = []
    budget = end  # a sheet's records are its own: walks that overlap are a damaged file
    known: dict[int, list[tuple[int, int]]] = {}  # a sheet named twice is built twice
    for at in starts:
        if at > end:  # the reader would stop on it: say so before
            raise ValueError(f"a sheet at {at}, past the end of the workbook's records")
        if at in known:
            tables += known[at]
            continue
        rows = columns = formula_rows = formula_columns = 0
        first = at
        while at + 8 <= end:  # a cell's record has its row and column in its first 4 bytes
            kind, length, row, column = record(stream, at)
            at += 4 + length
            if kind in _BIFF_CELLS:
                if row >= rows:
                    rows = row + 1
                if column >= columns:
                    columns = column + 1
                if kind == 0x0006:  # FORMULA: the reader also keeps the formulas' rectangle
                    formula_rows = max(formula_rows, row + 1)
                    formula_columns = max(formula_columns, column + 1)
            elif kind == 0x000A:  # EOF
                break
            elif kind in _BIFF_RUNS and length >= 6 and at <= end:
                run = (length - 6 + _BIFF_RUNS[kind] - 1) // _BIFF_RUNS[kind]
                last = struct.unpack_from("<H", stream, at - 2)[0]
                rows = max(rows, row + 1)
                columns = max(columns, column + run, last + 1)
            elif kind == 0x0200 and length in (10, 14) and at <= end:  # DIMENSIONS
                top, bottom, left, right = struct.unpack_from(
                    "<HHHH" if length == 10 else "<IIHH", stream, at - length
                )
                if bottom and right:  # the reader reserves this; a reversed range wraps around
                    span = ((bottom - top) % 2**32, (right - left) % 2**32)
                    if span[0] * span[1] > MAX_CELLS:
                        raise _too_big(path, *span)
        budget -= at - first
        if budget < 0:
            raise ValueError("sheets that overlap")
        known[first] = [(rows, columns), (formula_rows, formula_columns)]
        tables += known[first]
    return tables or [(0, 0)]


def _unreferenced(text: bytes) -> bool:
    """Whether some cells have no reference (counted only when the quick count, which also
    sees tags such as <col>, leaves a doubt)."""
    referenced = text.count(b'<c r="')
    if text.count(b"<c") == referenced:
        return False
    return text.count(b"<c ") + text.count(b"<c>") + text.count(b"<c/") != referenced


def _references(text: bytes, rows: int, columns: int) -> tuple[int, int]:
    found = _REF.findall(text)
    if found:
        letters, digits = (set(x) for x in zip(*found, strict=True))
        letters.discard(b"")
        digits.discard(b"")
        if any(len(d) > 12 for d in digits):
            rows = 10**12
        elif digits:
            rows = max(rows, *map(int, digits))
        if letters:
            columns = max(columns, *map(_column_number, letters))
    return rows, max(columns, 1 if rows else 0)


_TAG = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])([^<>]*)")
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")  # <x:c ...>; a colon is rare: a quick search
_R = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([A-Za-z]*)(\d*)")


class _Walk:
    """The rows and cells of a sheet's XML as the reader places them: a reference where a cell
    or row has one, else the next column or row."""

    def __init__(self, column: int = 0) -> None:
        self.row = 0
        self.column = column  # a row cut by the megabyte may go on: count from the widest
        self.plain = False

    def read(self, text: bytes, rows: int, columns: int) -> tuple[int, int]:
        unreferenced = 0
        for m in _TAG.finditer(text):
            ref = _R.search(m[2])
            if m[1] == b"row":
                self.row = _row_number(ref[2]) if ref and ref[2] else self.row + 1
                self.column = 0
                rows = max(rows, self.row)
                continue
            if ref and ref[1]:
                self.column = _column_number(ref[1])
            else:
                self.column += 1
                unreferenced += 1
            if ref and ref[2]:
                rows = max(rows, _row_number(ref[2]))
            columns = max(columns, self.column)
        self.plain = not unreferenced and not self.prefixed(text)
        return _references(text, rows, columns)  # and any reference outside those tags

    @staticmethod
    def prefixed(text: bytes) -> bool:
        """Tags written with a namespace prefix (``<x:c>``): the quick count does not see
        them, so such a sheet is read tag by tag throughout."""
        return _PREFIXED.search(text) is not None


def _row_number(digits: bytes | None) -> int:
    if not digits:
        return 1
    return int(digits) if len(digits) <= 12 else 10**12


def _round_up(n: int) -> int:
    """The largest number with ``n``'s digits and its first digit: 2521 -> 2999."""
    power = 10 ** (len(str(n)) - 1)
    return (n // power + 1) * power - 1


def _column_number(letters: bytes | None) -> int:
    if not letters:
        return 1
    n = 0
    for ch in letters.upper()[:8]:
        n = n * 26 + ch - 64
    return n


@lru_cache(maxsize=256)
def _beyond(rows: int, columns: int, ordinary: bool) -> re.Pattern[bytes]:
    """A reference to a row after ``rows`` or a column after ``columns``."""
    number = str(rows)
    later = [rf"\d{{{len(number) + 1},}}"]
    for i, ch in enumerate(number):
        if ch != "9":
            rest = len(number) - i - 1
            later.append(number[:i] + f"[{int(ch) + 1}-9]" + (rf"\d{{{rest}}}" if rest else ""))
    # Letters in either case, spelled out: re.IGNORECASE makes the search a fifth slower.
    letters = _column_letters(columns)
    wider = [f"[A-Za-z]{{{len(letters) + 1},}}"]
    for i, ch in enumerate(letters):
        if ch != "Z":
            rest = len(letters) - i - 1
            after = chr(ord(ch) + 1)
            wider.append(
                "".join(f"[{c}{c.lower()}]" for c in letters[:i])
                + f"[{after}-Z{after.lower()}-z]"
                + (f"[A-Za-z]{{{rest}}}" if rest else "")
            )
    pattern = "(?:(?:{})\\d|[A-Za-z]*+(?:{}))".format("|".join(wider), "|".join(later))
    return re.compile((_ATTR if ordinary else _ATTR_ANY) + pattern.encode())


def _column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


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

    results = from_bytes(data)
    best = results.best()
    if best is None or best.encoding is None:
        raise InvalidValue(
            _("cannot tell the text encoding of {path}: save it as UTF-8 CSV").format(
                path=path.name
            )
        )
    encoding = best.encoding
    if _gb(encoding) or _prefer_gb18030(data, results, best):
        encoding = "gb18030"
    return data.decode(encoding, errors="strict"), encoding


def _gb(encoding: str) -> bool:
    return encoding.lower().replace("-", "").replace("_", "") in (
        "gbk",
        "gb2312",
        "cp936",
        "gb18030",
    )


def _prefer_gb18030(data: bytes, results: Any, best: Any) -> bool:
    """A short file fits several legacy encodings equally well (``王丽`` in GBK is also valid
    Big5, cp949 and EUC-JP); a salesperson's file is far likelier Chinese, so GB18030 wins
    when it fits as well as the detector's choice."""
    gb = next((r for r in results if _gb(r.encoding)), None)
    if gb is None or gb.chaos > best.chaos:
        return False
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def _csv(text: str, encoding: str) -> Table:
    if "\r" in text:  # Windows (CR LF), old Mac (CR) or mixed line ends: all one newline
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) >= csv.field_size_limit():  # a field may be as long as the file
        csv.field_size_limit(min(len(text) + 1, 2**31 - 1))
    sample = text[:20000]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if "".join(r).strip()]
    if not rows:
        raise InvalidValue(_("the file has no rows"))
    headers = [clean(h).strip() for h in rows[0]]
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
    "TEL;FAX",
    "EMAIL",
    "ADR",
    "BDAY",
    "NOTE",
    "CATEGORIES",
    "URL",
    "GENDER",
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_VCARD_WANTED = re.compile(
    r"(?:[\w-]+\.)?(?:BEGIN|END|VERSION|FN|N|ORG|TITLE|TEL|EMAIL|ADR|BDAY|NOTE|CATEGORIES|URL"
    r"|GENDER)[;:]",
    re.IGNORECASE,
)


def _vcards(text: str) -> Table:
    """vCard 2.1, 3.0 and 4.0 as phones and mail programs export them: one row per card with
    the properties leadbook maps.

    vobject reads the lines: logical lines (3.0/4.0 folding, and the quoted-printable soft line
    breaks of vCard 2.1, a line ending in "=", that Android and older phones write) and each
    line's group, name and parameters (iOS's item1.TEL;type=CELL, 2.1's bare TEL;CELL, quoted
    values). Its component layer is not used: it runs each property through the vCard 3.0
    rules (about 1 ms a card, a damaged PHOTO fails the file, and structured and text values
    come back escaped differently); the values are decoded here instead: quoted-printable in
    the line's CHARSET (UTF-8, GBK ...), then the backslash escapes, then N, ORG, ADR split on
    their unescaped ";". A line that cannot be read is skipped, as a phone's importer does."""
    from vobject.base import ParseError, getLogicalLines, parseLine

    cards: list[dict[str, str]] = []
    card: dict[str, str] | None = None
    depth = 0
    number = 0
    for line, number in getLogicalLines(io.StringIO(text), allowQP=True):
        if not _VCARD_WANTED.match(line):
            continue  # photos, the phones' X- lines ...: never imported, never decoded
        try:
            name, params, value, _group = parseLine(line, number)
        except ParseError:
            continue
        name = name.upper()
        if name == "BEGIN":
            depth += 1
            if depth == 1:
                card = {}
        elif name == "END":
            depth = max(depth - 1, 0)
            if depth == 0 and card is not None:
                if not card.get("FN"):
                    card["FN"] = card.get("N", "")
                card.pop("N", None)
                if any(card.values()):
                    cards.append(card)
                card = None
        elif card is not None and depth == 1:
            _vcard_property(card, name, params, value)
    if card is not None:
        raise InvalidValue(
            _("the vCard file ends inside a card (line {line}): it looks cut off").format(
                line=number
            )
        )
    if not cards:
        raise InvalidValue(_("the vCard file has no cards"))
    headers = list(VCARD_FIELDS)
    return Table(headers, [[c.get(h, "") for h in headers] for c in cards], "vcf")


def _vcard_property(card: dict[str, str], name: str, params: list[list[str]], value: str) -> None:
    """One property into the card's row; the first of each kind wins, as before."""
    kinds: set[str] = set()
    charset = "utf-8"
    quoted_printable = False
    for param in params:
        key = param[0].upper()
        if len(param) == 1:  # vCard 2.1's bare TEL;CELL;QUOTED-PRINTABLE
            kinds.add(key)
            quoted_printable |= key == "QUOTED-PRINTABLE"
        elif key == "TYPE":
            kinds.update(v.strip().upper() for p in param[1:] for v in p.split(","))
        elif key == "ENCODING":
            quoted_printable |= any(v.upper() == "QUOTED-PRINTABLE" for v in param[1:])
        elif key == "CHARSET":
            charset = _known_charset(param[1])
    if quoted_printable:
        import quopri

        raw = quopri.decodestring(value.encode("utf-8", "replace"))
        value = raw.decode(charset, "replace")
    if name == "TEL":
        key = (
            "TEL;FAX"
            if "FAX" in kinds
            else "TEL;CELL"
            if kinds & {"CELL", "MOBILE", "IPHONE"}
            else "TEL"
        )
        number = _vcard_text(value)
        card.setdefault(key, number[4:] if number[:4].lower() == "tel:" else number)
    elif name == "N":
        card.setdefault("N", _vcard_name(_vcard_parts(value)))
    elif name == "ORG":
        card.setdefault("ORG", _vcard_parts(value)[0])
    elif name == "ADR":
        card.setdefault("ADR", " ".join(p for p in _vcard_parts(value) if p))
    elif name == "CATEGORIES":
        tags = (_vcard_text(t) for t in re.split(r"(?<!\\),", value))
        card.setdefault(name, ",".join(t for t in tags if t))
    elif name == "BDAY":
        card.setdefault(name, _vcard_date(_vcard_text(value)))
    elif name in VCARD_FIELDS:
        card.setdefault(name, _vcard_text(value))


def _known_charset(name: str) -> str:
    """A CHARSET as Python decodes it: GB2312 and GBK (which phones write for text with
    characters outside them) as GB18030, their superset; an unknown one as UTF-8."""
    import codecs

    name = name.strip().strip('"')
    if name.upper().replace("-", "").replace("_", "") in ("GB2312", "GBK", "GB231280", "CP936"):
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def _vcard_parts(value: str) -> list[str]:
    r"""The components of N, ORG or ADR: split on ";" but not on an escaped "\;"."""
    return [_vcard_text(p) for p in re.split(r"(?<!\\);", value)]


_VCARD_ESCAPES = re.compile(r"\\(.)")


def _vcard_text(value: str) -> str:
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = _VCARD_ESCAPES.sub(lambda m: "\n" if m[1] in "nN" else m[1], text)
    return clean(text).strip()


def _vcard_name(parts: list[str]) -> str:
    """A card without FN: its N as people write it, 张三 (family first, no space) for Chinese,
    John Doe (given first) otherwise."""
    family, given = parts[0], (parts[1] if len(parts) > 1 else "")
    if _CJK.search(family + given):
        return family + given
    return " ".join(p for p in (given, family) if p)


def _vcard_date(text: str) -> str:
    """BDAY in vCard's forms (19800322, 1980-03-22, --0203, 1980-03-22T00:00:00Z) as the
    importer reads dates: 1980-03-22, or --02-03 for a birthday without its year."""
    day = text.split("T", 1)[0]
    m = re.fullmatch(r"(\d{4}|--)-?(\d{2})-?(\d{2})", day)
    if m is None:
        return text
    return f"{m[1]}-{m[2]}-{m[3]}" if m[1] != "--" else f"--{m[2]}-{m[3]}"
