"""vCard through vobject: 2.1 quoted-printable with soft line breaks (Android, older phones,
UTF-8 and GBK), 3.0 with folding, escapes and groups (iPhone) (issue 12, point 7)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


def imported(ok: Any, tmp_path: Path, name: str, *args: str) -> dict[str, dict[str, Any]]:
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    ok("import", str(target), *args)
    cards = {}
    for line in ok("list", "--json").json():
        cards[line["name"]] = ok("show", line["number"], "--json").json()
    return cards


def test_the_soft_line_break_of_quoted_printable_keeps_the_whole_value(ok, tmp_path):
    (tmp_path / "one.vcf").write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"FN;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0=\r\n=E4=B8=89\r\n"
        b"TEL;CELL:13700137000\r\n"
        b"NOTE;ENCODING=QUOTED-PRINTABLE:=E6=84=8F=E5=90=91=E5=BC=BA=\r\n\r\n"
        b"END:VCARD\r\n"
    )
    ok("import", str(tmp_path / "one.vcf"))
    (card,) = ok("list", "--json").json()
    assert card["name"] == "张三"
    assert ok("show", card["number"], "--json").json()["note"] == "意向强"


def test_android_21_export(ok, tmp_path):
    cards = imported(ok, tmp_path, "android_contacts_v21_utf8.vcf")
    assert set(cards) == {"张三丰（华信科技采购部经理）", "李四", "张三"}
    zhang = cards["张三丰（华信科技采购部经理）"]
    assert zhang["company"] == "华信科技有限公司"
    assert zhang["title"] == "采购经理"
    assert zhang["mobile"] == "+8613800138000"
    assert zhang["phone"] == "+861062345678"
    assert zhang["fax"] == "+861062345679"  # TEL;FAX;WORK is the fax, not the phone
    assert zhang["birthday"] == "1978-06-15"
    assert zhang["address"] == "中关村大街1号 北京市 100080 中国"
    # folded at 76 columns in the middle of a character, with a line break inside
    assert (
        zhang["note"] == "第一次拜访：对报价满意，下周二再联系。\n关注售后服务和交货期；已发样品。"
    )
    assert cards["李四"]["phone"] == "+18602536354"
    assert cards["张三"]["note"] == "意向强"


def test_gbk_quoted_printable_and_a_card_with_only_n(ok, tmp_path):
    cards = imported(ok, tmp_path, "feature_phone_contacts_v21_gbk.vcf")
    wang = cards["王晓燕（深圳市鑫达电子有限公司）"]
    assert wang["company"] == "深圳市鑫达电子有限公司"
    assert wang["phone"] == "+8675588881234"
    assert wang["note"] == "展会认识，要样品；喆字在 GB2312 里没有。"
    # declared GB2312, holding 喆 (GBK only); no FN: the name is N, family name first
    assert cards["陈喆"]["mobile"] == "+8618600186000"


def test_iphone_30_export(ok, tmp_path):
    cards = imported(ok, tmp_path, "iphone_contacts_v30.vcf")
    zhao = cards["赵敏"]
    assert zhao["company"] == "远航国际贸易有限公司"
    assert zhao["title"] == "业务总监"
    assert zhao["email"] == "zhaomin@yuanhang.example"
    assert zhao["mobile"] == "+8613600136000"
    assert zhao["phone"] == "+18602536354"
    assert zhao["fax"] == "+862161234567"
    assert zhao["birthday"] == "1990-02-28"
    assert zhao["note"] == "美国客户的对接人, 时差12小时\n下单走信用证; 季度采购"
    smith = cards["John Smith"]
    assert smith["mobile"] == "+14155550132"
    assert smith["note"] == (
        "Met at the Canton Fair (广交会), booth 12.1 — wants a quote for 2,000 units; "
        "follow up after CNY."
    )


def test_an_empty_or_broken_vcard_file_is_one_line(cli, tmp_path):
    (tmp_path / "empty.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n")
    (tmp_path / "cut.vcf").write_text("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张三\r\nTEL:1380")
    for name, words in (("empty.vcf", "has no cards"), ("cut.vcf", "looks cut off")):
        result = cli("import", str(tmp_path / name))
        assert result.exit_code == 1
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert words in result.stderr
    assert cli("list", "--json").json() == []


def test_help_and_other_imports_do_not_load_vobject(tmp_path):
    code = (
        "import sys, json\n"
        "from leadbook.cli import main\n"
        "for args in (['--help'], ['import', '--help']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "print(json.dumps([m for m in ('vobject', 'phonenumbers') if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_escapes_structured_values_and_dates_are_decoded_once(tmp_path):
    from leadbook.exchange.readers import read

    source = tmp_path / "escapes.vcf"
    source.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\n"
        b"N:Doe;John;;;\r\nORG:Acme\\, Inc.;Sales\r\nNOTE:C:\\\\new\\nline two\r\n"
        b"ADR;TYPE=WORK:;;1 Main\\, St;Town;;;\r\nCATEGORIES:VIP,\xe5\xa4\x96\xe8\xb4\xb8\r\n"
        b"BDAY:19800322\r\nTEL;VALUE=uri:tel:+1-418-656-9254\r\nX-SOCIALPROFILE:x\r\n"
        b"END:VCARD\r\n"
    )
    table = read(source)
    row = dict(zip(table.headers, table.rows[0], strict=True))
    assert row["FN"] == "John Doe"  # no FN: given name first for a Western name
    assert row["ORG"] == "Acme, Inc."
    assert row["NOTE"] == "C:\\new\nline two"
    assert row["ADR"] == "1 Main, St Town"
    assert row["CATEGORIES"] == "VIP,外贸"
    assert row["BDAY"] == "1980-03-22"
    assert row["TEL"] == "+1-418-656-9254"
