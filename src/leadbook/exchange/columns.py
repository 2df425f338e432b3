"""The columns of leadbook's own sheets, with their English and Chinese headers.

Export writes these headers; import recognises them (and many more synonyms, see
``mapping.py``), so a workbook exported by leadbook imports back.
"""

from __future__ import annotations

# (field, English header, Chinese header)
CUSTOMER_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("company", "Company", "单位"),
    ("title", "Title", "职务"),
    ("gender", "Gender", "性别"),
    ("birthday", "Birthday", "生日"),
    ("mobile", "Mobile", "手机"),
    ("phone", "Phone", "固定电话"),
    ("fax", "Fax", "传真"),
    ("email", "E-mail", "邮箱"),
    ("wechat", "WeChat", "微信"),
    ("address", "Address", "地址"),
    ("district", "District", "县/区"),
    ("postcode", "Postcode", "邮编"),
    ("industry", "Industry", "行业"),
    ("source", "Source", "客户来源"),
    ("source_detail", "Source detail", "来源明细"),
    ("referrer", "Referrer", "介绍人"),
    ("owner", "Owner", "负责人"),
    ("product", "Product", "意向产品"),
    ("budget", "Budget", "预算"),
    ("expected", "Expected purchase", "预计购买时间"),
    ("payment", "Payment", "付款方式"),
    ("customer_type", "Customer type", "客户类型"),
    ("decision_maker", "Decision maker", "购买决策人"),
    ("current_product", "Current product", "现用产品"),
    ("purchase_kind", "Kind of purchase", "购买类型"),
    ("concerns", "Concerns", "关注点"),
    ("usage", "Use", "用途"),
    ("credit", "Credit", "信用"),
    ("turnover", "Expected turnover", "预期营业额"),
    ("profit", "Expected profit", "预期利润"),
    ("grade", "Grade", "等级"),
    ("stage", "Stage", "阶段"),
    ("lost_reason", "Lost reason", "流失原因"),
    ("tags", "Tags", "标签"),
    ("note", "Note", "备注"),
    ("next", "Next follow-up", "下次跟进"),
    ("purpose", "Next purpose", "下次跟进目的"),
    ("last_contact", "Last contact", "上次联系"),
    ("created_at", "Created", "建卡日期"),
    ("created_by", "Created by", "建卡人"),
    ("extra", "Other fields", "其他字段"),
)

FOLLOWUP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("at", "When", "跟进时间"),
    ("via", "Via", "跟进方式"),
    ("note", "Note", "跟进内容"),
    ("outcome", "Outcome", "结果"),
    ("purpose", "Purpose", "目的"),
    ("next_date", "Next date", "下次跟进"),
    ("next_purpose", "Next purpose", "下次跟进目的"),
    ("by", "By", "跟进人"),
)

DEAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("deal_date", "Deal date", "成交日期"),
    ("amount", "Amount", "金额"),
    ("product", "Product", "产品"),
    ("contract", "Contract", "合同编号"),
    ("payment", "Payment", "付款方式"),
    ("note", "Note", "备注"),
    ("by", "By", "经办人"),
)

HISTORY_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("field", "Field", "项目"),
    ("old", "From", "原值"),
    ("new", "To", "新值"),
    ("at", "When", "时间"),
    ("reason", "Reason", "原因"),
    ("by", "By", "操作人"),
)

PLAN_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("due", "Due", "计划日期"),
    ("purpose", "Purpose", "目的"),
    ("owner", "Owner", "负责人"),
    ("auto", "Set by leadbook", "系统安排"),
    ("status", "Status", "状态"),
    ("created_on", "Planned on", "制定日期"),
    ("closed_on", "Closed on", "结束日期"),
)

COMPLAINT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("note", "Complaint", "投诉内容"),
    ("opened_at", "Opened", "投诉时间"),
    ("opened_by", "Recorded by", "记录人"),
    ("resolved_at", "Resolved", "解决时间"),
    ("resolution", "Resolution", "处理结果"),
    ("resolved_by", "Resolved by", "处理人"),
    ("checked_at", "Checked back", "回访时间"),
)

VISIT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("day", "Day", "走访日期"),
    ("purpose", "Purpose", "走访目的"),
    ("preparation", "Preparation", "准备工作"),
    ("expected", "Expected result", "预期结果"),
    ("followup", "Follow-up", "后续跟进"),
    ("done_at", "Done", "完成时间"),
    ("at", "Planned at", "安排时间"),
    ("by", "By", "安排人"),
)

SWOT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("kind", "Kind", "类别"),
    ("text", "Entry", "内容"),
    ("at", "When", "时间"),
    ("by", "By", "记录人"),
)

FINANCE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("number", "Customer number", "客户编号"),
    ("name", "Name", "姓名"),
    ("indicator", "Indicator", "指标"),
    ("value", "Value", "数值"),
    ("as_of", "As of", "截至日期"),
    ("at", "When", "记录时间"),
    ("by", "By", "记录人"),
)

# Reverse plans (`leadbook plan`): a book's or a salesperson's targets, not a card's records.
SALES_PLAN_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("owner", "Owner", "负责人"),
    ("target", "Target deals", "目标成交数"),
    ("start", "From", "开始日期"),
    ("end", "By", "截止日期"),
    ("rates", "Conversion rates", "转化率"),
    ("rates_source", "Rates from", "转化率来源"),
    ("weekly", "Weekly new prospects", "每周新增客户"),
    ("created_at", "Made", "制定时间"),
    ("created_by", "Made by", "制定人"),
)

# The values a Chinese export writes in Chinese, by the field they belong to: the words the
# interface shows and that import already reads (domain.*_SYNONYMS, parsing.parse_*).
ZH_VALUES: dict[str, dict[str, str]] = {
    "stage": {
        "prospect": "潜在客户",
        "contacted": "联系客户",
        "interested": "认同客户",
        "intent": "意向客户",
        "ready": "准备购买",
        "won": "成交",
        "lost": "流失",
    },
    "via": {
        "phone": "电话",
        "visit": "拜访",
        "showroom": "来店",
        "email": "邮件",
        "sms": "短信",
        "wechat": "微信",
        "fax": "传真",
        "other": "其他",
    },
    "source": {"showroom": "展厅", "repeat": "续购", "referral": "介绍", "outbound": "外拓"},
    "payment": {"full": "全款", "instalment": "按揭"},
    "customer_type": {"person": "个人", "organisation": "单位"},
    "purchase_kind": {"first": "首次", "additional": "增购", "replacement": "换购"},
    "gender": {"male": "男", "female": "女"},
    "field": {"grade": "等级", "stage": "阶段"},
    "status": {"open": "未完成", "done": "已完成", "cancelled": "已取消"},
    "auto": {"yes": "是", "no": "否"},
    "kind": {"s": "优势", "w": "劣势", "o": "机会", "t": "威胁"},
    "indicator": {
        "current_ratio": "流动比率",
        "net_margin": "净利率",
        "roa": "资产收益率",
        "receivable_days": "应收账款周转天数",
        "inventory_days": "存货周转天数",
    },
}
# Chinese value -> stored value, per field (import reads both languages).
FROM_ZH: dict[str, dict[str, str]] = {
    name: {zh: key for key, zh in values.items()} for name, values in ZH_VALUES.items()
}


def value_in(field: str, value: str, lang: str) -> str:
    """A stored value as a sheet in ``lang`` writes it: "won" is 成交 in a Chinese export."""
    if lang != "zh":
        return value
    return ZH_VALUES.get(field, {}).get(value, value)


def stored_value(field: str, value: str) -> str:
    """A value read from a leadbook sheet as the book stores it: 成交 and won are both won."""
    text = value.strip()
    return FROM_ZH.get(field, {}).get(text, text)


SHEETS = {
    "customers": ("Customers", "客户"),
    "followups": ("Follow-ups", "跟进记录"),
    "deals": ("Deals", "购买记录"),
    "history": ("Grade and stage history", "等级和阶段历史"),
    "plans": ("Planned contacts", "跟进计划"),
    "complaints": ("Complaints", "投诉"),
    "visits": ("Visits", "走访计划"),
    "swot": ("SWOT", "SWOT分析"),
    "finance": ("Finance", "财务指标"),
    "sales_plans": ("Sales plans", "销售计划"),
    "funnel": ("Funnel", "销售漏斗"),
    "summary": ("Summary", "汇总"),
}


def header(column: tuple[str, str, str], lang: str) -> str:
    return column[2] if lang == "zh" else column[1]


def continued(column: tuple[str, str, str], part: int, lang: str) -> str:
    """The header of the column holding part 2, 3 ... of a text longer than an Excel cell holds:
    "Note (part 2)", "备注（第2段）"."""
    if lang == "zh":
        return f"{column[2]}（第{part}段）"
    return f"{column[1]} (part {part})"


def sheet_name(key: str, lang: str) -> str:
    en, zh = SHEETS[key]
    return zh if lang == "zh" else en


def numbered(name: str, part: int) -> str:
    """The sheet continuing ``name`` past Excel's row limit: "Follow-ups 2", "跟进记录 2"."""
    return name if part == 1 else f"{name} {part}"
