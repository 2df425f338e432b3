"""Odd and hostile files: refused in one line before anything is allocated from their claims,
or read right; control characters never stored, never sent to the terminal."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile

import pytest

from conftest import dump_book, query

FAR = ("A1", "XFD1048576")  # two cells: the reader would hold the 549 GB between them


def workbook(rows_xml: str, dimension: str | None = None) -> bytes:
    """A minimal .xlsx whose one sheet holds ``rows_xml`` (the inside of <sheetData>)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{rows_xml}</sheetData></worksheet>"
    )
    main = "http://schemas.openxmlformats.org"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{main}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{main}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}/spreadsheetml/2006/main" '
            f'xmlns:r="{main}/officeDocument/2006/relationships"><sheets>'
            '<sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{main}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{main}/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def opendocument(rows_xml: str) -> bytes:
    """A minimal .ods whose one sheet holds ``rows_xml``."""
    ns = "urn:oasis:names:tc:opendocument:xmlns"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr(
            "META-INF/manifest.xml",
            f'<manifest:manifest xmlns:manifest="{ns}:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
            'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
        z.writestr(
            "content.xml",
            f'<office:document-content xmlns:office="{ns}:office:1.0" '
            f'xmlns:table="{ns}:table:1.0" xmlns:text="{ns}:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="客户">'
            '<table:table-column table:number-columns-repeated="1024"/>'
            f"{rows_xml}</table:table></office:spreadsheet></office:body>"
            "</office:document-content>",
        )
    return out.getvalue()


def ods_row(*texts: str, rows: int = 1, columns: int = 1) -> str:
    repeat = f' table:number-rows-repeated="{rows}"' if rows > 1 else ""
    span = f' table:number-columns-repeated="{columns}"' if columns > 1 else ""
    return (
        f"<table:table-row{repeat}>"
        + "".join(
            f'<table:table-cell{span} office:value-type="string"><text:p>{t}</text:p>'
            "</table:table-cell>"
            for t in texts
        )
        + "</table:table-row>"
    )


# LibreOffice ends every sheet with a million repeated empty rows.
FILLER = (
    '<table:table-row table:number-rows-repeated="1048570">'
    '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
)


def cell(ref: str, text: str, quote: str = '"') -> str:
    return f"<c r={quote}{ref}{quote} t={quote}inlineStr{quote}><is><t>{text}</t></is></c>"


def row(number: int, *cells: str) -> str:
    return f'<row r="{number}">' + "".join(cells) + "</row>"


def far_apart(dimension: str | None) -> bytes:
    return workbook(
        row(1, cell(FAR[0], "name")) + row(1048576, cell(FAR[1], "x")), dimension=dimension
    )


# Each file claims a sheet about 1,048,576 rows by 16,384 columns, each in its own way.
HOSTILE = {
    "honest.xlsx": far_apart("A1:XFD1048576"),
    "lying.xlsx": far_apart("A1:B2"),
    "undeclared.xlsx": far_apart(None),
    "quoted.xlsx": workbook(row(1, cell("A1", "name")) + row(2, cell("XFD1048576", "x", "'"))),
    # cells without a reference are counted along their row by the reader
    "unreferenced.xlsx": workbook(
        row(1, cell("A1", "name"))
        + '<row r="1048576">'
        + '<c t="inlineStr"><is><t>x</t></is></c>' * 16384
        + "</row>"
    ),
    # OpenDocument: one cell repeated over the whole sheet
    "repeated.ods": opendocument(ods_row("name") + ods_row("x", rows=1048575, columns=16384)),
    # the far cell after two megabytes of ordinary rows
    "padded.xlsx": workbook(
        row(1, cell("A1", "name"), cell("B1", "note"))
        + "".join(
            row(n, cell(f"A{n}", "张三"), cell(f"B{n}", "备注" * 20)) for n in range(2, 12000)
        )
        + row(12000, cell("XFD1048576", "x"))
    ),
}

PROBE = """
import resource, sys
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # a regression fails, not the machine
from leadbook.errors import InvalidValue
from leadbook.exchange import readers
for name in sys.argv[1:]:
    try:
        readers.read(Path(name))
        print(name, "read")
    except InvalidValue as exc:
        print(name, "refused", exc.message)
    sys.stdout.flush()
"""


def test_sheets_claiming_huge_extents_are_refused_before_reading(tmp_path):
    """Today's reader aborts the whole process (a Rust allocation of 549 GB): probed in a
    child process, so a regression fails this test instead of killing the run."""
    names = []
    for name, data in HOSTILE.items():
        (tmp_path / name).write_bytes(data)
        names.append(str(tmp_path / name))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *names], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == len(HOSTILE), done.stdout
    for line in lines:
        assert " refused " in line and "16,384 columns" in line, line
        assert "more than the 20,000,000 leadbook reads" in line


def test_a_huge_sheet_is_one_line_and_writes_nothing(cli, tmp_path, db_path, book_url):
    (tmp_path / "bomb.xlsx").write_bytes(far_apart("A1:B2"))
    cli("add", "张三")
    before = dump_book(db_path)
    env = {**os.environ, "LEADBOOK_DB": book_url}
    done = subprocess.run(
        [sys.executable, "-m", "leadbook", "import", str(tmp_path / "bomb.xlsx")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and "1,048,576 rows by 16,384 columns" in done.stderr
    assert "Traceback" not in done.stderr and "panicked" not in done.stderr
    assert dump_book(db_path) == before


def test_a_zip_declaring_gigabytes_is_refused(cli, tmp_path):
    data = bytearray(workbook(row(1, cell("A1", "name")) + row(2, cell("A2", "张三"))))
    # The central directory's uncompressed size of the sheet: 3 GB declared.
    at = data.rfind(b"PK\x01\x02")
    assert data[at + 46 : at + 46 + 24] == b"xl/worksheets/sheet1.xml"
    data[at + 24 : at + 28] = struct.pack("<I", 3_000_000_000)
    (tmp_path / "zipbomb.xlsx").write_bytes(bytes(data))
    result = cli("import", str(tmp_path / "zipbomb.xlsx"))
    assert result.exit_code == 1
    assert "would unpack to 2861 MB, more than the 1024 MB" in result.stderr


def test_binary_workbooks_are_refused_unread(cli, tmp_path):
    """.xlsb holds cells as binary records that are not checked before reading."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
        z.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    (tmp_path / "binary.xlsb").write_bytes(out.getvalue())
    result = cli("import", str(tmp_path / "binary.xlsb"))
    assert result.exit_code == 1
    assert "is an Excel binary workbook (.xlsb): open it in Excel and save it as .xlsx" in (
        result.stderr
    )


def test_ordinary_workbooks_still_read(ok, tmp_path):
    rows = row(1, cell("A1", "姓名"), cell("B1", "手机")) + "".join(
        row(n, cell(f"A{n}", f"客户{n}"), cell(f"B{n}", f"139{n:08d}")) for n in range(2, 40)
    )
    (tmp_path / "名单.xlsx").write_bytes(workbook(rows, dimension="A1:B39"))
    ok("import", str(tmp_path / "名单.xlsx"))
    assert len(ok("list", "--json", "--limit", "0").json()) == 38


def test_ordinary_opendocument_still_reads(ok, tmp_path):
    rows = ods_row("姓名", "手机") + ods_row("张三", "13912345678") + FILLER
    (tmp_path / "名单.ods").write_bytes(opendocument(rows))
    ok("import", str(tmp_path / "名单.ods"))
    [card] = ok("list", "--json").json()
    assert card["name"] == "张三" and card["mobile"] == "+8613912345678"


def test_a_one_row_gbk_csv_with_english_headers_is_gbk(ok, tmp_path):
    """Short GBK text is also valid Big5, cp949 or EUC-JP; the detector picked Big5 or cp949
    and imported 王丽 garbled."""
    source = tmp_path / "one.csv"
    source.write_bytes("name,mobile\n王丽,13912345678\n".encode("gbk"))
    ok("import", str(source))
    [card] = ok("list", "--json").json()
    assert card["name"] == "王丽"


@pytest.mark.parametrize(
    "ends", [["\r", "\r", "\r"], ["\r\n", "\r", "\n"]], ids=["cr-only", "mixed"]
)
def test_csv_with_old_mac_or_mixed_line_ends(ok, tmp_path, ends):
    lines = ["name,mobile,note", "张三,13912345678,a", "李四,13912345679,b"]
    source = tmp_path / "ends.csv"
    source.write_bytes("".join(line + end for line, end in zip(lines, ends, strict=True)).encode())
    ok("import", str(source))
    cards = {c["name"]: c for c in ok("list", "--json").json()}
    assert set(cards) == {"张三", "李四"}
    assert cards["李四"]["mobile"] == "+8613912345679"


def test_a_field_over_the_csv_module_limit(ok, tmp_path):
    big = "长" * 140_000  # csv.field_size_limit() is 131,072 by default
    source = tmp_path / "big.csv"
    source.write_text(f"name,mobile,简介\n张三,13912345678,{big}\n", encoding="utf-8")
    ok("import", str(source))
    [card] = ok("list", "--json").json()
    shown = ok("show", card["number"], "--json").json()
    assert shown["extra"]["简介"] == big


CONTROLS = "\x00\x07\x08\x0b\x0c\x1b[2J\x1b]0;pwned\x07\x7f\x9b31m"


def test_import_strips_nul_and_terminal_controls(ok, tmp_path, db_path):
    source = tmp_path / "dirty.csv"
    source.write_text(
        f'name,mobile,note\n"\x1b[31m张\x00三\x1b[0m",13912345678,"a{CONTROLS}b\r\nc"\n',
        encoding="utf-8",
    )
    ok("import", str(source))
    [(name, note)] = query(db_path, "SELECT name, note FROM customers")
    assert (name, note) == ("张三", "ab\nc")


def test_workbook_cells_lose_their_controls_too(ok, tmp_path, db_path):
    # Excel writes a control character as _x001B_; the reader turns it back into ESC.
    rows = row(1, cell("A1", "姓名"), cell("B1", "手机")) + row(
        2, cell("A2", "_x001B_[31m王_x0000_五_x007F_"), cell("B2", "13912345678")
    )
    (tmp_path / "dirty.xlsx").write_bytes(workbook(rows))
    ok("import", str(tmp_path / "dirty.xlsx"))
    assert query(db_path, "SELECT name FROM customers") == [("王五",)]


def test_add_edit_and_log_store_no_controls(ok, add, db_path):
    number = add("\x1b[31mRED\x1b[0m", "--note", "hi\x00 there\x1b[1A")
    ok("edit", number, "--company", "\x9b2JAcme\x07")
    ok("log", number, "--via", "phone", "--note", "called\x1b]0;title\x07 back")
    assert query(db_path, "SELECT name, note, company FROM customers") == [
        ("RED", "hi there", "Acme")
    ]
    assert query(db_path, "SELECT note FROM followups") == [("called back",)]


def test_controls_already_in_a_book_are_shown_not_obeyed(ok, add, db_path):
    """A book written before this fix (or by hand) may hold escape sequences: list, show and
    due print them as text."""
    number = add("张三", "--note", "x", "--next", "today")
    query(
        db_path,
        "UPDATE customers SET name = 'A' || char(27) || '[31mRED', "
        "company = char(27) || ']0;pwned' || char(7), note = 'n' || char(27) || '[2J'"
        if "://" not in str(db_path)
        else "UPDATE customers SET name = 'A' || chr(27) || '[31mRED', "
        "company = chr(27) || ']0;pwned' || chr(7), note = 'n' || chr(27) || '[2J'",
    )
    for args in (["list"], ["show", number], ["due"]):
        result = ok(*args)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout, args
        assert "A\\x1b[31mRED" in result.stdout, (args, result.stdout)
    shown = ok("show", number).stdout
    assert "n\\x1b[2J" in shown and "\\x1b]0;pwned\\x07" in shown


def test_names_that_look_like_markup_are_printed_as_they_are(ok, cli):
    result = cli("add", "[/]")  # before: the card was written, then "MarkupError", exit 1
    assert result.exit_code == 0 and "Added C00001 [/]" in result.stderr
    result = ok("add", "[bold red]王五")
    assert "[bold red]王五" in result.stderr
    assert [c["name"] for c in ok("list", "--json").json()] == ["[/]", "[bold red]王五"]


# Old binary Excel (.xls): BIFF8 records in an OLE2 compound file. A cell record carries a
# 16-bit row and a 16-bit column, so a crafted file may put a cell at column 65,535 (Excel
# stops at 256): the reader, which builds every sheet as it opens the file, asked for 137 GB.
DATA = os.path.join(os.path.dirname(__file__), "data")


def biff(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def number(row: int, column: int, value: float) -> bytes:
    return biff(0x0203, struct.pack("<HHHd", row, column, 0, value))


def label(row: int, column: int, string: int) -> bytes:  # LABELSST: a shared string's index
    return biff(0x00FD, struct.pack("<HHHI", row, column, 0, string))


def dimensions(first_row: int, last_row: int, first_column: int, last_column: int) -> bytes:
    """As Excel writes it: the last row and column plus one."""
    return biff(0x0200, struct.pack("<IIHHH", first_row, last_row, first_column, last_column, 0))


def xls(
    *sheets: list[bytes],
    strings: tuple[str, ...] = ("姓名", "手机", "张三"),
    starts: list[int] | None = None,
) -> bytes:
    """A minimal .xls: one sheet per list of records, the shared strings ``strings``; or
    sheets that begin at ``starts`` (bytes after the first one's beginning)."""
    bof = [
        biff(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x0206))
        for dt in (5, 16)
    ]
    eof = biff(0x000A)
    texts = b"".join(struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings)
    shared = biff(0x00FC, struct.pack("<ii", len(strings), len(strings)) + texts)
    bodies = [bof[1] + b"".join(records) + eof for records in sheets]
    if starts is None:
        starts = [sum(len(b) for b in bodies[:i]) for i in range(len(bodies))]
    names = [f"客户{i}".encode("utf-16-le") for i in range(len(starts))]
    start = len(bof[0]) + sum(4 + 8 + len(n) for n in names) + len(shared) + len(eof)
    book = bof[0]
    for name, at in zip(names, starts, strict=True):
        book += biff(0x0085, struct.pack("<IBBBB", start + at, 0, 0, len(name) // 2, 1) + name)
    stream = book + shared + eof + b"".join(bodies)
    stream += b"\0" * max(0, 4096 - len(stream))  # from 4096 bytes on: in ordinary sectors
    stream += b"\0" * (-len(stream) % 512)
    # Sector 0 holds the sector table, 1 the directory, 2... the Workbook stream.
    count = len(stream) // 512
    assert count + 2 <= 128
    table = [0xFFFFFFFD, 0xFFFFFFFE] + [n + 3 for n in range(count - 1)] + [0xFFFFFFFE]
    table += [0xFFFFFFFF] * (128 - len(table))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack(  # version 3, 512-byte sectors, one table sector, directory at 1
        "<HHHHH6x9I", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0
    )
    header += struct.pack("<109I", 0, *[0xFFFFFFFF] * 108)

    def entry(name: str, kind: int, child: int, first: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBBIII", len(raw), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
            + b"\0" * 36
            + struct.pack("<IQ", first, size)
        )

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0)
    directory += entry("Workbook", 2, 0xFFFFFFFF, 2, len(stream))
    directory += entry("", 0, 0xFFFFFFFF, 0, 0) * 2
    return header + struct.pack("<128I", *table) + directory + stream


ROWS = [dimensions(0, 2, 0, 2), label(0, 0, 0), label(0, 1, 1), label(1, 0, 2)]
ROWS.append(number(1, 1, 13912345678))


def patched_partner() -> bytes:
    """A real .xls (Odoo's partner template, its Workbook stream in 64-byte mini sectors) with
    the cell at row 2, column F moved to row 65,536, column 65,536."""
    with open(os.path.join(DATA, "odoo_res_partner.xls"), "rb") as f:
        data = bytearray(f.read())
    rk = struct.pack("<HHHH", 0x027E, 10, 1, 5)
    assert data.count(rk) == 1
    at = data.find(rk)
    data[at + 4 : at + 8] = struct.pack("<HH", 65535, 65535)
    return bytes(data)


def unnamed_length() -> bytes:
    data = bytearray(xls([*ROWS, number(65535, 65535, 1)]))
    assert data[512 * 2 + 128 + 64] == len("Workbook") * 2 + 2
    data[512 * 2 + 128 + 64] = 0
    return bytes(data)


# name: (file, what the refusal says)
HOSTILE_XLS = {
    "far.xls": (xls([*ROWS, number(65535, 65535, 1)]), "65,536 rows by 65,536 columns"),
    # the reader builds every sheet when it opens the file: the second one too
    "second.xls": (
        xls(ROWS, [label(0, 0, 0), label(65535, 65535, 2)]),
        "65,536 rows by 65,536 columns",
    ),
    # MULRK: a run of six numbers from column 65,530 to 65,535
    "run.xls": (
        xls(
            [
                *ROWS,
                biff(
                    0x00BD, struct.pack("<HH", 9, 65530) + bytes(6) * 6 + struct.pack("<H", 65535)
                ),
                number(65535, 0, 1),
            ]
        ),
        "65,536 rows by 65,536 columns",
    ),
    # DIMENSIONS: what the reader reserves before it reads a cell
    "declared.xls": (xls([dimensions(0, 4_000_000, 0, 256), *ROWS[1:]]), "4,000,000 rows by 256"),
    "reversed.xls": (xls([dimensions(5, 3, 0, 2), *ROWS[1:]]), "4,294,967,294 rows by 2 columns"),
    "patched.xls": (patched_partner(), "65,536 rows by 65,536 columns"),
    # the directory names its Workbook stream in 0 bytes: the reader goes by the NUL instead
    "name-length.xls": (unnamed_length(), "65,536 rows by 65,536 columns"),
}


def test_xls_sheets_claiming_huge_extents_are_refused_before_reading(tmp_path):
    """The reader aborted the process: 137 GB for a far cell, 41 GB reserved for what
    DIMENSIONS declares."""
    names = []
    for name, (data, _) in HOSTILE_XLS.items():
        (tmp_path / name).write_bytes(data)
        names.append(str(tmp_path / name))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *names], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == len(HOSTILE_XLS), done.stdout
    for line, (_, says) in zip(lines, HOSTILE_XLS.values(), strict=True):
        assert " refused " in line and says in line, line
        assert "more than the 20,000,000 leadbook reads" in line


def test_ordinary_xls_still_reads(ok, tmp_path):
    (tmp_path / "名单.xls").write_bytes(xls(ROWS, [number(65535, 255, 1)]))  # Excel's last cell
    ok("import", str(tmp_path / "名单.xls"))
    [card] = ok("list", "--json").json()
    assert card["name"] == "张三" and card["mobile"] == "+8613912345678"
    ok("import", os.path.join(DATA, "odoo_res_partner.xls"))
    assert len(ok("list", "--json", "--limit", "0").json()) == 9


def broken_chain() -> bytes:
    data = bytearray(xls(ROWS))
    data[512 + 8 : 512 + 12] = struct.pack("<I", 0x7FFFFFF0)  # the stream's next sector
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        broken_chain(),
        # MERGECELLS counting 500 ranges and holding none: the reader panics
        xls([*ROWS, biff(0x00E5, struct.pack("<H", 500))]),
        # a sheet at each of 1,000 records of one: the reader builds each of them; 20,000
        # (an 800 KB file) took it 11 s and 4 GB before it aborted
        xls(
            [number(n, 1, n) for n in range(1000)],
            starts=[20 + 18 * n for n in range(1000)],
        ),
    ],
    ids=["sector-chain", "reader-panic", "overlapping-sheets"],
)
def test_a_damaged_xls_is_one_line(cli, tmp_path, data):
    (tmp_path / "damaged.xls").write_bytes(data)
    result = cli("import", str(tmp_path / "damaged.xls"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "looks like an xls workbook but cannot be read" in (
        result.stderr
    )


def test_a_reader_panic_prints_one_line_from_a_real_process(tmp_path):
    """The Rust reader's panic message and backtrace go straight to the process's stderr,
    which an in-process test never sees: run leadbook as a user does."""
    import os
    import subprocess
    import sys

    (tmp_path / "damaged.xls").write_bytes(xls([*ROWS, biff(0x00E5, struct.pack("<H", 500))]))
    env = {**os.environ, "LEADBOOK_DB": str(tmp_path / "book.db"), "RUST_BACKTRACE": "1"}
    env.pop("LEADBOOK_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "leadbook", "import", str(tmp_path / "damaged.xls")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "cannot be read" in done.stderr and "panicked" not in done.stderr
