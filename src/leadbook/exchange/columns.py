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

SHEETS = {
    "customers": ("Customers", "客户"),
    "followups": ("Follow-ups", "跟进记录"),
    "deals": ("Deals", "购买记录"),
    "history": ("Grade and stage history", "等级和阶段历史"),
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
