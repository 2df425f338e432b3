"""Which field a column is: leadbook's own English and Chinese headers, the headers salespeople
use in Chinese sheets, and the export layouts of other CRMs (see shared/realdata/HEADERS.md).
Values: dates, amounts, stages and placeholders as other programs write them."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from leadbook.exchange.columns import CUSTOMER_COLUMNS, DEAL_COLUMNS
from leadbook.text import clean

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ignore": ("序号", "行号"),
    "number": ("客户编号", "customernumber", "custno"),
    "name": (
        "姓名",
        "客户名称",
        "客户姓名",
        "客户",
        "联系人",
        "联系人姓名",
        "名称",
        "fullname",
        "contactname",
        "displayname",
        "fn",
        "name",
        "客户名",
    ),
    "first_name": ("firstname", "givenname", "名"),
    "last_name": ("lastname", "familyname", "surname", "姓"),
    "company": (
        "单位",
        "公司",
        "公司名称",
        "企业名称",
        "单位名称",
        "客户单位",
        "工作单位",
        "company",
        "companyname",
        "organization",
        "organizationname",
        "org",
        "account",
        "accountname",
        "associatedcompany",
    ),
    "title": ("职务", "职位", "title", "jobtitle", "jobposition", "organizationtitle", "position"),
    "gender": ("性别", "gender", "sex"),
    "birthday": ("生日", "出生日期", "birthday", "birthdate", "bday", "dateofbirth"),
    "mobile": (
        "手机",
        "手机号",
        "手机号码",
        "移动电话",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "cellphone",
        "tel;cell",
        "telcell",
    ),
    "phone": (
        "电话",
        "固定电话",
        "座机",
        "联系电话",
        "办公电话",
        "phone",
        "phonenumber",
        "businessphone",
        "workphone",
        "homephone",
        "tel",
        "phone1value",
        "primaryphone",
    ),
    "fax": ("传真", "fax", "businessfax", "faxnumber", "tel;fax", "telfax"),
    "email": (
        "邮箱",
        "电子邮件",
        "电子邮箱",
        "邮件",
        "email",
        "e-mail",
        "emailaddress",
        "primaryemail",
        "email1value",
        "mail",
    ),
    "wechat": ("微信", "微信号", "wechat", "weixin"),
    "address": (
        "地址",
        "联系地址",
        "详细地址",
        "address",
        "street",
        "businessstreet",
        "homeaddress",
        "address1formatted",
        "mailingstreet",
        "workaddress",
        "adr",
    ),
    "district": ("县/区", "县区", "区县", "区域", "所在区域", "district"),
    "postcode": (
        "邮编",
        "邮政编码",
        "postcode",
        "zip",
        "postalcode",
        "zipcode",
        "businesspostalcode",
    ),
    "industry": ("行业", "所属行业", "industry"),
    "source": ("客户来源", "来源", "渠道", "source", "leadsource"),
    "source_detail": ("来源明细", "来源详情", "sourcedetail"),
    "referrer": ("介绍人", "推荐人", "referrer", "referredby"),
    "owner": (
        "负责人",
        "销售员",
        "业务员",
        "销售",
        "所属销售",
        "owner",
        "leadowner",
        "contactowner",
        "salesagent",
        "salesperson",
        "assignedto",
    ),
    "product": ("意向产品", "意向车型", "产品", "product", "productinterest"),
    "budget": ("预算", "budget"),
    "expected": ("预计购买时间", "预计成交日期", "expectedpurchase", "expected"),
    "payment": ("付款方式", "payment"),
    "grade": ("等级", "客户等级", "grade", "rating"),
    "stage": (
        "阶段",
        "销售阶段",
        "客户状态",
        "状态",
        "stage",
        "dealstage",
        "status",
        "leadstatus",
        "lifecyclestage",
    ),
    "customer_type": ("客户类型", "客户类别", "客户性质", "个人单位", "customertype"),
    "decision_maker": ("购买决策人", "采购决策人", "决策人", "decisionmaker"),
    "current_product": ("现有车型", "现用产品", "现有产品", "现用车型", "currentproduct"),
    "purchase_kind": ("购买类型", "购买性质", "首次增购换购", "purchasekind", "purchasetype"),
    "concerns": ("关注点", "关注重点", "concerns", "focuspoints"),
    "usage": ("用途", "购买用途", "usage", "use"),
    "credit": ("信用", "信用状况", "信用等级", "credit", "creditrating"),
    "turnover": ("预期营业额", "预计营业额", "expectedturnover", "turnover"),
    "profit": ("预期利润", "预计利润", "expectedprofit"),
    "lost_reason": ("流失原因", "lostreason"),
    "tags": ("标签", "tags", "labels", "categories", "keywords"),
    "note": ("备注", "说明", "注意事项", "note", "notes", "description"),
    "next": ("下次跟进", "下次联系时间", "下次跟进时间", "nextfollowup", "next"),
    "purpose": ("下次跟进目的", "nextpurpose"),
    "created_at": (
        "建卡日期",
        "创建时间",
        "创建日期",
        "created",
        "createdate",
        "createdtime",
        "createddate",
        "engagedate",
        "becamealeaddate",
    ),
    "amount": ("金额", "成交金额", "合同金额", "amount", "closevalue", "dealvalue", "dealamount"),
    "deal_date": ("成交日期", "签约日期", "dealdate", "closedate"),
    "contract": ("合同编号", "合同号", "contract", "contractno"),
}


def normalise(header: str) -> str:
    return re.sub(r"[\s_\-./()（）:：*]+", "", header.strip().lower())


def _index() -> dict[str, str]:
    found: dict[str, str] = {}
    for field, words in SYNONYMS.items():
        for word in words:
            found.setdefault(normalise(word), field)
    # leadbook's own headers, both languages, always win.
    for field, en, zh in CUSTOMER_COLUMNS + DEAL_COLUMNS:
        if field == "extra":
            field = "other_fields"  # our own JSON column of extra fields
        found[normalise(en)] = field
        found[normalise(zh)] = field
    return found


INDEX = _index()
FIELDS = set(INDEX.values()) | {"extra", "ignore"}


def auto_map(headers: list[str], overrides: dict[str, str]) -> dict[int, str]:
    """{column index: field}; a column that maps to nothing is kept as an extra field."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for i, head in enumerate(headers):
        if head in overrides:
            mapping[i] = overrides[head]
            taken.add(overrides[head])
    for i, head in enumerate(headers):
        if i in mapping:
            continue
        field = INDEX.get(normalise(head))
        if field and field not in taken:
            mapping[i] = field
            taken.add(field)
        else:
            mapping[i] = "extra"
    return mapping


PLACEHOLDERS = {
    "",
    "select",
    "-",
    "--",
    "n/a",
    "na",
    "无",
    "#n/a",
    "null",
    "none",
    "nan",
    "0/0/00",
    "unspecified",
}


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return len(value) <= 14 and value.strip().lower() in PLACEHOLDERS
    return False


def text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if (
        isinstance(value, str)
        and value[:1] == "'"
        and value[1:2] in ("=", "+", "-", "@", "\t", "\r")
    ):
        return clean(value[1:])  # leadbook's own CSV export guards such cells with a quote
    return clean(str(value)).strip()


_DATE_FORMATS = (
    "%d %b, %Y %H:%M:%S",
    "%d %b, %Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y",
)
EXCEL_EPOCH = date(1899, 12, 30)


_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def to_datetime(value: Any, today: date) -> datetime:
    """Dates as other programs write them: real dates, Excel serial numbers, ISO, M/D/YYYY,
    "15 Apr, 2021 00:03:00", 2021年4月15日."""
    if isinstance(value, str):
        return _text_datetime(value.strip(), today)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return datetime.combine(
                EXCEL_EPOCH + timedelta(days=int(value)), datetime.min.time()
            ) + timedelta(seconds=round((value % 1) * 86400))
        raise ValueError(str(value))
    return _text_datetime(str(value).strip(), today)


@lru_cache(maxsize=65536)
def _text_datetime(raw: str, today: date) -> datetime:
    """A date written as text; dates repeat in a sheet, so each distinct one is read once."""
    m = _ISO_DAY.fullmatch(raw)
    if m:
        from leadbook.parsing import parse_date

        return datetime.combine(parse_date(raw, today), datetime.min.time())
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt)
        except ValueError:
            continue
    if re.fullmatch(r"\d{5}(\.\d+)?", raw):
        return to_datetime(float(raw), today)
    from leadbook.parsing import parse_date

    parsed = parse_date(raw, today)
    return datetime.combine(parsed, datetime.min.time())


def to_amount(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))
    from leadbook.parsing import parse_amount

    return parse_amount(str(value))


CRM_STAGES = {
    "prospect": (
        "prospecting",
        "prospect",
        "new",
        "notcontacted",
        "lead",
        "subscriber",
        "open",
        "未联系",
        "新客户",
        "潜在",
    ),
    "contacted": (
        "contacted",
        "qualification",
        "attemptedtocontact",
        "contactinfuture",
        "engaging",
        "working",
        "inprogress",
        "已联系",
        "跟进中",
    ),
    "interested": (
        "interested",
        "needsanalysis",
        "prequalified",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "qualified",
        "认同",
    ),
    "intent": (
        "intent",
        "proposal",
        "proposalpricequote",
        "initialoffer",
        "valueproposition",
        "opportunity",
        "意向",
    ),
    "ready": ("ready", "negotiation", "negotiationreview", "contractsent", "准备购买"),
    "won": ("won", "closedwon", "customer", "converted", "成交", "已成交", "签约"),
    "lost": (
        "lost",
        "closedlost",
        "junklead",
        "lostlead",
        "unqualified",
        "disqualified",
        "流失",
        "战败",
        "已流失",
    ),
}
_STAGE_INDEX = {normalise(w): s for s, words in CRM_STAGES.items() for w in words}


@lru_cache(maxsize=4096)
def _stage_of(text: str) -> str:
    from leadbook.parsing import parse_stage

    key = normalise(text)
    if key in _STAGE_INDEX:
        return _STAGE_INDEX[key]
    return parse_stage(text)


def to_stage(value: Any) -> str:
    return _stage_of(str(value))


@lru_cache(maxsize=256)
def to_grade(value: str) -> str:
    from leadbook.parsing import parse_grade

    word = str(value).strip().lower()
    return {"hot": "A", "warm": "B", "cold": "D", "热": "A", "温": "B", "冷": "D"}.get(
        word
    ) or parse_grade(word)
