"""The Chinese interface: catalogs complete and compiled, labels, help, aligned tables."""

from __future__ import annotations

import gettext
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from leadbook.render.grid import cell_width

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "leadbook"
PO = PACKAGE / "locale" / "zh" / "LC_MESSAGES" / "leadbook.po"
MO = PO.with_suffix(".mo")


def _source_messages() -> set[str]:
    found = set()
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(PACKAGE), keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_in_the_code_is_translated():
    catalog = read_po(PO.open("rb"))
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else m.string[0])
    }
    missing = sorted(_source_messages() - translated)
    assert missing == [], "run pybabel extract/update and translate: " + "; ".join(missing[:5])


def test_compiled_catalog_matches_the_po_file():
    catalog = read_po(PO.open("rb"))
    buffer = BytesIO()
    write_mo(buffer, catalog)
    fresh = gettext.GNUTranslations(BytesIO(buffer.getvalue()))
    shipped = gettext.GNUTranslations(MO.open("rb"))
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert shipped.gettext(message.id) == fresh.gettext(message.id), (
                "leadbook.mo is stale: run pybabel compile -d src/leadbook/locale -D leadbook"
            )


def test_chinese_labels_and_messages(ok, cli, add):
    n = add("张三", "--company", "华信科技", "--grade", "B")
    out = ok("due", lang="zh").stdout
    assert "编号" in out and "等级" in out and "潜在客户" in out and "首次联系" in out
    ok("log", n, "--via", "电话", "--note", "介绍配置", lang="zh")
    card = ok("show", n, lang="zh").stdout
    assert "联系客户" in card and "电话" in card
    error = cli("grade", n, "F", lang="zh")
    assert error.exit_code == 1 and "错误" in error.stderr and "等级" in error.stderr


def test_chinese_tables_stay_aligned(ok, add):
    add("欧阳娜娜", "--company", "北京远航国际物流有限公司", "--grade", "A")
    add("Li", "--grade", "C")
    lines = ok("due", lang="zh").stdout.splitlines()
    header = next(line for line in lines if line.startswith("编号"))
    grade_col = cell_width(header[: header.index("等级")])
    rows = [line for line in lines if line.startswith("C0000")]
    assert len(rows) == 2
    for line in rows:
        grade = next(g for g in "ABCDE" if f"  {g}  " in line)
        assert cell_width(line[: line.index(f"  {grade}  ") + 2]) == grade_col, line


def _run(args: list[str], env: dict[str, str]) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LANG", "LC_ALL", "LANGUAGE", "LEADBOOK_LANG")
    }
    result = subprocess.run(
        [sys.executable, "-m", "leadbook", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_in_chinese_from_option_variable_or_locale(tmp_path):
    for args, env in (
        (["--lang", "zh", "--help"], {}),
        (["--help"], {"LEADBOOK_LANG": "zh"}),
        (["--help"], {"LANG": "zh_CN.UTF-8"}),
    ):
        out = _run(args, {"COLUMNS": "100", **env})
        assert "选项" in out and "命令" in out and "客户" in out, (args, env)
    assert "Options" in _run(["--help"], {"COLUMNS": "100", "LANG": "C.UTF-8"})
