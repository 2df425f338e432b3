"""The Chinese interface: catalogs complete and compiled, labels, help, aligned tables."""

from __future__ import annotations

import gettext
import os
import re
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


KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}  # as README's `pybabel extract -k`
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _source_messages() -> dict[str, str | None]:
    """Every message in the code: its msgid and, for ngettext, its plural msgid."""
    found: dict[str, str | None] = {}
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(PACKAGE), keywords=KEYWORDS):
        if isinstance(message, str):
            found.setdefault(message, None)
        else:
            found[message[0]] = message[1]
    return found


def _entries() -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """The catalog: msgid -> (msgid_plural or None, its msgstr or msgstr[0], msgstr[1] ...)."""
    entries = {}
    for m in read_po(PO.open("rb")):
        if not m.id:
            continue
        if isinstance(m.id, str):
            entries[m.id] = (None, (m.string,))
        else:
            entries[m.id[0]] = (m.id[1], tuple(m.string))
    return entries


def test_every_message_in_the_code_is_translated():
    entries = _entries()
    problems = []
    for msgid, plural in sorted(_source_messages().items()):
        entry = entries.get(msgid)
        if entry is None or not all(entry[1]):
            problems.append(f"untranslated: {msgid!r}")
        elif plural is not None and entry[0] != plural:
            # ngettext in the code needs msgid_plural and msgstr[0] in the catalog
            problems.append(f"not a plural entry (msgid_plural {plural!r}): {msgid!r}")
        elif plural is None and entry[0] is not None:
            problems.append(f"a plural entry for a message the code gives with _(): {msgid!r}")
    assert problems == [], "run pybabel extract/update and translate: " + "; ".join(problems[:5])


def test_translations_are_chinese_and_keep_the_placeholders():
    problems = []
    for msgid, (plural, strings) in _entries().items():
        for string in strings:
            if not string:
                continue
            words = re.sub(r"[^A-Za-z]+", " ", PLACEHOLDER.sub("", msgid)).split()
            if string in (msgid, plural) and words:
                problems.append(f"msgstr is the English msgid: {msgid!r}")
            if set(PLACEHOLDER.findall(string)) != set(PLACEHOLDER.findall(msgid)):
                problems.append(f"placeholders differ: {msgid!r} -> {string!r}")
    assert problems == [], "; ".join(problems[:5])


def test_the_chinese_catalog_has_one_plural_form():
    catalog = read_po(PO.open("rb"))
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    for m in catalog:
        if m.id and not isinstance(m.id, str):
            assert len(m.string) == 1, m.id


def test_compiled_catalog_matches_the_po_file():
    catalog = read_po(PO.open("rb"))
    buffer = BytesIO()
    write_mo(buffer, catalog)
    fresh = gettext.GNUTranslations(BytesIO(buffer.getvalue()))
    shipped = gettext.GNUTranslations(MO.open("rb"))
    stale = "leadbook.mo is stale: run pybabel compile -d src/leadbook/locale -D leadbook"
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, str):
            assert shipped.gettext(message.id) == fresh.gettext(message.id), stale
        else:
            for n in (1, 2):
                assert shipped.ngettext(*message.id[:2], n) == fresh.ngettext(*message.id[:2], n), (
                    stale
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


def test_the_demo_is_all_chinese_whatever_the_locale(ok, monkeypatch, zh_from_po):
    # `--lang zh` outranks the locale in every command the demo runs, not only in its headers
    monkeypatch.setenv("LANG", "C.UTF-8")
    result = ok("demo", lang="zh")
    out = result.stdout + result.stderr
    assert "待跟进" in out and "首次联系" in out and "周志" in out and "示例客户库" in out
    for english in ("Due on", "first contact", "last contact", "days late", "Weekly journal"):
        assert english not in out
    # what is left in Latin letters is the sample's own data and the commands to type
    commands = {"leadbook", "due", "journal", "week", "add", "mobile", "grade", "limit", "json"}
    words = set(re.findall(r"\b[a-z]{3,}\b", out)) - commands
    assert words == set(), words


def test_funnel_by_source_names_the_channels_in_chinese(ok, add):
    add("张三", "--source", "介绍")
    add("李四", "--source", "展会")
    out = ok("funnel", "--by", "source", lang="zh").stdout
    rows = [line.split()[0] for line in out.splitlines()[3:]]
    assert sorted(rows) == sorted(["介绍", "外拓"])
    assert "referral" not in out and "outbound" not in out


def test_the_help_option_speaks_chinese_too(ok, zh_from_po):
    for command in ((), ("log",), ("config", "set")):
        out = ok(*command, "--help", lang="zh").stdout
        assert "显示本帮助并退出" in out and "Show this message" not in out, command
    assert "Show this message and exit." in ok("log", "--help").stdout
