"""Write examples/客户名单.xlsx: a prospect list in the shape salespeople keep in Excel, with
Chinese headers and the messy cells real lists have (phones with dashes or +86, a mobile typed
as a number, dates as Excel dates and as 2026年5月1日, budgets like 20万, placeholders like 无
and -, a row-number column). `leadbook import examples/客户名单.xlsx` reads it cleanly.

    python examples/make_workbook.py
"""

from datetime import datetime
from pathlib import Path

import xlsxwriter

HEADERS = [
    "序号",
    "姓名",
    "单位",
    "职务",
    "手机号码",
    "邮箱",
    "客户来源",
    "意向车型",
    "预算",
    "预计购买时间",
    "客户等级",
    "阶段",
    "负责人",
    "备注",
    "微信",
]
ROWS = [
    [
        1,
        "周杰",
        "鼎盛贸易有限公司",
        "总经理",
        "138-0013-8101",
        "zhoujie@dingsheng.example",
        "展厅",
        "途观L",
        "25万",
        datetime(2026, 4, 20),
        "A",
        "意向",
        "王丽",
        "周末带家人来试驾",
        "zhoujie88",
    ],
    [
        2,
        "吴芳 ",
        "金桥物流",
        "采购",
        "+86 139 1111 3333",
        "",
        "老客户介绍",
        "帕萨特",
        "¥180,000",
        "2026年5月1日",
        "B",
        "认同",
        "王丽",
        "-",
        "",
    ],
    [
        3,
        "郑强",
        "",
        "",
        13800138102,
        "无",
        "外拓",
        "朗逸",
        "12.5万",
        "2026/8/15",
        "C",
        "联系",
        "李强",
        "展会上留的名片\n对油耗很在意",
        "Select",
    ],
    [
        4,
        "Anna Müller",
        "Brightside Trading",
        "Buyer",
        "+49 30 901820",
        "anna@brightside.example",
        "web",
        "ID.4",
        "",
        "",
        "D",
        "潜在",
        "李强",
        "",
        "",
    ],
    [
        5,
        "孙丽",
        "宏达建材",
        "财务",
        "13700137103",
        "sunli@hongda.example",
        "来电",
        "探岳",
        "无",
        "明年",
        "",
        "",
        "",
        "只在下午接电话",
        "sunli_hd",
    ],
]

if __name__ == "__main__":
    target = Path(__file__).with_name("客户名单.xlsx")
    book = xlsxwriter.Workbook(str(target), {"strings_to_numbers": False})
    sheet = book.add_worksheet("客户名单")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS, bold)
    for r, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, day)
            else:
                sheet.write(r, c, value)
    sheet.set_column(0, len(HEADERS) - 1, 14)
    book.close()
    print(target)
