"""Turn what a salesperson types into clean values, or refuse it with the reason.

Every function raises :class:`InvalidValue` with one line that says what is wrong and what is
accepted. Common shapes take a fast path; the libraries (phonenumbers, email-validator,
dateparser) are imported only when a value needs them.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal

from leadbook import domain
from leadbook.errors import InvalidValue
from leadbook.i18n import N_, _

Prefer = Literal["future", "past"] | None

_WEEKDAYS_EN = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_RELATIVE_WORDS = {
    "today": 0,
    "now": 0,
    "tomorrow": 1,
    "yesterday": -1,
    "tmr": 1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
    "昨天": -1,
    "前天": -2,
}
_UNITS = {
    "d": 1,
    "day": 1,
    "days": 1,
    "天": 1,
    "日": 1,
    "w": 7,
    "week": 7,
    "weeks": 7,
    "周": 7,
    "星期": 7,
    "个星期": 7,
    "个礼拜": 7,
    "礼拜": 7,
}
_MONTH_UNITS = {
    "m": 1,
    "month": 1,
    "months": 1,
    "月": 1,
    "个月": 1,
    "y": 12,
    "year": 12,
    "years": 12,
    "年": 12,
}
_CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}


class _lazy:  # named like the re.compile it stands for
    """A regular expression compiled when first used: compiling this module's two dozen at
    every start cost a command 6-7 ms (one with a class of all Chinese characters, 4 ms),
    while most commands use two or three of them."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


_ISO = _lazy(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_COMPACT = _lazy(r"^(\d{4})(\d{2})(\d{2})$")
_US = _lazy(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ZH_FULL = _lazy(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_REL = _lazy(
    r"^([+-]?)\s*(\d+|[一二两三四五六七八九十])\s*([a-z\u4e00-\u9fff]+?)\s*(后|以后|之后|前|以前|ago)?$"
)
_IN = _lazy(r"^in\s+(\d+)\s+([a-z]+)$")
_NEXT_WD = _lazy(r"^(next|this|coming)?\s*([a-z]+)$")
_ZH_WD = _lazy(r"^(下下|下|本|这|这个|下个|上上|上|上个)?(?:周|星期|礼拜)([一二三四五六日天七])$")

DATE_HINT = "2026-03-05, today, tomorrow, +3d, +2w, next friday, 明天, 下周一, 3月5日"


def _bad_date(text: str) -> InvalidValue:
    return InvalidValue(
        _("cannot read the date {text!r}: use a form like {hint}").format(text=text, hint=DATE_HINT)
    )


def _make_date(year: int, month: int, day: int, text: str) -> date:
    if not 1 <= month <= 12:
        raise InvalidValue(
            _("{text!r} is not a real date: there is no month {month}").format(
                text=text, month=month
            )
        )
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InvalidValue(
            _("{text!r} is not a real date: {year}-{month:02d} has {last} days").format(
                text=text, year=year, month=month, last=last
            )
        )
    return date(year, month, day)


def add_months(start: date, months: int) -> date:
    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _cn_number(token: str) -> int:
    return int(token) if token.isdigit() else _CN_DIGITS[token]


EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)  # the dates a sales book holds


def parse_date(text: str, today: date, prefer: Prefer = None) -> date:
    """Read a date typed by a user. ``prefer`` picks the year of a date given without one.
    A date before 1900 or after 2199 is a typing slip, refused (it also kept
    `due --date 9999-12-31` from overflowing)."""
    try:
        day = _parse_date(text, today, prefer)
    except OverflowError:
        day = None
    if day is None or not EARLIEST <= day <= LATEST:
        raise InvalidValue(
            _("{text!r} is outside the dates leadbook keeps ({first} to {last})").format(
                text=text.strip(), first=EARLIEST.isoformat(), last=LATEST.isoformat()
            )
        )
    return day


def _parse_date(text: str, today: date, prefer: Prefer = None) -> date:
    raw = text
    text = text.strip().lower()
    if not text:
        raise _bad_date(raw)
    if text in _RELATIVE_WORDS:
        return today + timedelta(days=_RELATIVE_WORDS[text])
    m = _ISO.match(text) or _COMPACT.match(text)
    if m:
        return _make_date(int(m[1]), int(m[2]), int(m[3]), raw)
    m = _US.match(text)
    if m:
        return _make_date(int(m[3]), int(m[1]), int(m[2]), raw)
    m = _ZH_FULL.match(text)
    if m:
        month, day = int(m[2]), int(m[3])
        if m[1]:
            return _make_date(int(m[1]), month, day, raw)
        return _year_for(month, day, today, prefer, raw)
    m = _REL.match(text)
    if m:
        sign, count, unit, suffix = m.groups()
        n = _cn_number(count)
        if sign == "-" or suffix in ("前", "以前", "ago"):
            n = -n
        if unit in _UNITS:
            return today + timedelta(days=n * _UNITS[unit])
        if unit in _MONTH_UNITS:
            return add_months(today, n * _MONTH_UNITS[unit])
    m = _IN.match(text)
    if m and m[2] in _UNITS:
        return today + timedelta(days=int(m[1]) * _UNITS[m[2]])
    if m and m[2] in _MONTH_UNITS:
        return add_months(today, int(m[1]) * _MONTH_UNITS[m[2]])
    m = _NEXT_WD.match(text)
    if m and m[2] in _WEEKDAYS_EN:
        return _weekday(today, _WEEKDAYS_EN[m[2]], m[1] or "")
    m = _ZH_WD.match(text)
    if m:
        target = _WEEKDAYS_ZH[m[2]]
        monday = today - timedelta(days=today.weekday())
        prefix = m[1] or ""
        if prefix in ("下", "下个"):
            return monday + timedelta(days=7 + target)
        if prefix == "下下":
            return monday + timedelta(days=14 + target)
        if prefix in ("本", "这", "这个"):
            return monday + timedelta(days=target)
        if prefix in ("上", "上个"):  # last week's (`funnel --since 上周一`)
            return monday + timedelta(days=target - 7)
        if prefix == "上上":
            return monday + timedelta(days=target - 14)
        return _weekday(today, target, "")
    if re.search(r"\d", text) and not re.search(r"[a-z\u4e00-\u9fff]{3,}", text):
        # Digits in a shape we do not know: refuse rather than let a guesser invent a date.
        raise _bad_date(raw)
    return _dateparser(raw, today, prefer)


def _weekday(today: date, target: int, word: str) -> date:
    ahead = (target - today.weekday()) % 7
    if word == "this":
        return today + timedelta(days=ahead)
    return today + timedelta(days=ahead or 7)


def _year_for(month: int, day: int, today: date, prefer: Prefer, raw: str) -> date:
    year = today.year
    if month == 2 and day == 29 and not calendar.isleap(year) and prefer != "past":
        year += 1 if prefer == "future" else 0
    candidate = _make_date(year, month, day, raw)
    if prefer == "future" and candidate < today:
        candidate = _make_date(year + 1, month, day, raw)
    elif prefer == "past" and candidate > today:
        candidate = _make_date(year - 1, month, day, raw)
    return candidate


def _dateparser(raw: str, today: date, prefer: Prefer) -> date:
    import dateparser  # slow import: only for phrases the fast paths above do not know

    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day, 12, 0),
        "PREFER_DATES_FROM": {"future": "future", "past": "past"}.get(
            prefer or "", "current_period"
        ),
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        parsed = dateparser.parse(raw, languages=["en", "zh"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        parsed = None
    if parsed is None:
        raise _bad_date(raw)
    return parsed.date()


def parse_datetime(text: str, now: datetime, prefer: Prefer = "past") -> datetime:
    """A contact time: a date as :func:`parse_date` reads it, optionally with HH:MM."""
    m = re.match(r"^(.*?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$", text.strip())
    if m and m[1].strip():
        day = parse_date(m[1], now.date(), prefer)
        hour, minute, second = int(m[2]), int(m[3]), int(m[4] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise _bad_date(text)
        return datetime(day.year, day.month, day.day, hour, minute, second)
    day = parse_date(text, now.date(), prefer)
    if day == now.date():
        return now
    return datetime(day.year, day.month, day.day, 12, 0)


def parse_birthday(text: str, today: date) -> tuple[date | None, str]:
    """A birthday with or without its year: (full date or None, "MM-DD")."""
    raw = text.strip()
    m = re.match(r"^(?:--)?(\d{1,2})[-/.](\d{1,2})$", raw) or re.match(
        r"^(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$", raw
    )
    if m:
        _make_date(2000, int(m[1]), int(m[2]), raw)  # 2000 is a leap year: 02-29 is fine
        return None, f"{int(m[1]):02d}-{int(m[2]):02d}"
    day = parse_date(raw, today, prefer="past")
    if day > today:
        raise InvalidValue(_("birthday {text!r} is in the future").format(text=raw))
    return day, day.strftime("%m-%d")


def _pick(text: str, keys: tuple[str, ...], synonyms: Mapping[str, tuple[str, ...]]) -> str | None:
    value = text.strip().lower()
    if value in keys:
        return value
    for key, words in synonyms.items():
        if value in words:
            return key
    return None


def parse_grade(text: str) -> str:
    value = text.strip().upper()
    if value in domain.GRADES:
        return value
    raise InvalidValue(_("grade {text!r} is not one of A, B, C, D, E").format(text=text))


def parse_stage(text: str) -> str:
    found = _pick(text, domain.STAGES, domain.STAGE_SYNONYMS)
    if found is None:
        raise InvalidValue(
            _("stage {text!r} is not one of {choices}").format(
                text=text, choices=", ".join(domain.STAGES)
            )
        )
    return found


def parse_via(text: str) -> str:
    found = _pick(text, domain.VIAS, domain.VIA_SYNONYMS)
    if found is None:
        raise InvalidValue(
            _("contact channel {text!r} is not one of {choices}").format(
                text=text, choices=", ".join(domain.VIAS)
            )
        )
    return found


def parse_source(text: str) -> tuple[str, str | None]:
    """A source as typed: a channel (展厅/续购/介绍/外拓, showroom ...) -> (channel, None), or a
    first source the method names (来电, 展会, web ...) -> (its channel, the detail in Chinese)."""
    found = _pick(text, domain.SOURCES, domain.SOURCE_SYNONYMS)
    if found is not None:
        return found, None
    detail = source_detail(text)
    if detail is not None:
        return domain.SOURCE_DETAILS[detail][0], detail
    raise InvalidValue(
        _("source {text!r} is not one of {choices} (put the detail in --source-detail)").format(
            text=text, choices=", ".join(domain.SOURCES)
        )
    )


def source_detail(text: str) -> str | None:
    """The method's name (来电, 展会 ...) of a first source typed in either language; None for
    a detail of the user's own (a campaign's name)."""
    value = text.strip().lower()
    for detail, (_channel, words) in domain.SOURCE_DETAILS.items():
        if value == detail or value in words:
            return detail
    return None


def _choice(
    text: str,
    keys: tuple[str, ...],
    synonyms: Mapping[str, tuple[str, ...]],
    labels: Mapping[str, str],
    what: str,
) -> str:
    found = _pick(text, keys, synonyms)
    if found is None:
        raise InvalidValue(
            _("{what} {text!r} is not one of {choices}").format(
                what=_(what), text=text, choices=", ".join(_(labels[k]) for k in keys)
            )
        )
    return found


def parse_customer_type(text: str) -> str:
    """个人/单位, person/organisation."""
    return _choice(
        text,
        domain.CUSTOMER_TYPES,
        domain.CUSTOMER_TYPE_SYNONYMS,
        domain.CUSTOMER_TYPE_LABELS,
        N_("customer type"),
    )


def parse_purchase_kind(text: str) -> str:
    """首次/增购/换购, first/additional/replacement."""
    return _choice(
        text,
        domain.PURCHASE_KINDS,
        domain.PURCHASE_KIND_SYNONYMS,
        domain.PURCHASE_KIND_LABELS,
        N_("kind of purchase"),
    )


def parse_urgency(text: str) -> str:
    """紧急/缓急/不紧急/可慢反应, urgent/soon/not_urgent/slow."""
    return _choice(
        text,
        domain.URGENCIES,
        domain.URGENCY_SYNONYMS,
        domain.URGENCY_LABELS,
        N_("time class"),
    )


def parse_gender(text: str) -> str:
    found = _pick(text, domain.GENDERS, domain.GENDER_SYNONYMS)
    if found is None:
        raise InvalidValue(_("gender {text!r} is not male or female").format(text=text))
    return found


def parse_payment(text: str) -> str:
    found = _pick(text, domain.PAYMENTS, domain.PAYMENT_SYNONYMS)
    if found is None:
        raise InvalidValue(_("payment {text!r} is not full or instalment").format(text=text))
    return found


_NUMBER = _lazy(r"^[cC]?0*(\d{1,9})$")


def parse_number(text: str) -> str:
    """A customer number as typed (C00042, c42, 42) in its canonical form C00042."""
    value = text.strip()
    m = _NUMBER.match(value)
    if m:
        return format_number(int(m[1]))
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}", value):
        return value.upper()
    raise InvalidValue(
        _("{text!r} is not a customer number: numbers look like C00042").format(text=text)
    )


def format_number(n: int) -> str:
    return f"C{n:05d}"


_PHONE_JUNK = _lazy(r"[\s\-().\u00a0]")
_CN_MOBILE = _lazy(r"^1[3-9]\d{9}$")

DEFAULT_REGION = "CN"
_home: ContextVar[str] = ContextVar("leadbook_phone_region", default=DEFAULT_REGION)

# Where a number refused at home is looked for, in this order: China, then its main trading
# partners (US stands for the whole North American plan: the number itself says US or CA).
_LIKELY_REGIONS = (
    "CN", "US", "JP", "KR", "DE", "AU", "VN", "MY", "RU", "TW", "HK",
    "MO", "BR", "IN", "TH", "SG", "ID", "GB", "MX", "NL", "SA", "FR",
    "IT", "AE", "PH", "TR", "ES", "CL", "ZA", "PK", "NZ",
)  # fmt: skip


def home_region() -> str:
    """The country a number without a country code belongs to (the book's phone.region)."""
    return _home.get()


@contextmanager
def phone_region(region: str) -> Iterator[None]:
    """Read numbers without a country code as numbers of ``region`` inside the block: the
    command sets it once from ``--region`` or the book's phone.region."""
    token = _home.set(region)
    try:
        yield
    finally:
        _home.reset(token)


def parse_region(text: str) -> str:
    """A country for phone numbers: its two-letter code (CN, US, GB, HK ...), any case."""
    code = text.strip().upper()
    if code == "UK":
        code = "GB"
    import phonenumbers

    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidValue(
            _(
                "{text!r} is not a country code: give two letters, such as CN, US, GB, HK or JP"
            ).format(text=text)
        )
    return code


def parse_phone(text: str, region: str | None = None) -> str:
    """A phone number in E.164 (+8613800138000), with its extension after ``;ext=`` as RFC 3966
    writes it (+861062345678;ext=8001). A number without a country code is read as a number of
    ``region`` (default: :func:`home_region`, China unless the book says otherwise), so Chinese
    numbers need no +86 in a Chinese book and 860-253-6354 is +18602536354 in an American one.
    A number refused at home but valid in another country says which. An extension is written
    "010-62345678 转 8001", "分机 8001", "ext. 23", "x23", or after a last hyphen of a landline
    (010-62345678-8001), as Chinese business cards do."""
    raw = text.strip()
    home = region or _home.get()
    number, extension = _split_extension(raw)
    try:
        stored = _parse_number(number, raw, home)
    except InvalidValue:
        tail = _HYPHEN_EXTENSION.match(number) if not extension else None
        if tail is None or not _is_landline(tail[1], home):
            raise
        stored, extension = _parse_number(tail[1], raw, home), tail[2]
    return f"{stored};ext={extension}" if extension else stored


# An extension named as one: 转 (transfer to), 分机, 内线, ext., extension, x, #.
_EXTENSION = _lazy(
    r"^(.*?\d[\d\s\-().]*?)\s*[,;，；]?\s*"
    r"(?:转|轉|分机|分機|内线|內線|ext\.?|extn\.?|extension|x|#)\s*[:：.]?\s*(\d{1,10})\s*$",
    re.I,
)
# A landline's extension after its last hyphen, as Chinese cards write it: 010-62345678-8001.
_HYPHEN_EXTENSION = _lazy(r"^(.*\d)\s*[-‐–－]\s*(\d{1,6})$")
_STORED_EXTENSION = ";ext="
_MAYBE_EXTENSION = _lazy(r"[^\d\s\-+().\u00a0]")


def _split_extension(raw: str) -> tuple[str, str]:
    """A written number and its extension ("" without one)."""
    if not _MAYBE_EXTENSION.search(raw):  # digits and separators only: the common case
        return raw, ""
    m = _EXTENSION.match(raw)
    return (m[1].strip(), m[2]) if m else (raw, "")


def _is_landline(text: str, home: str) -> bool:
    """Whether ``text`` alone is a valid number that may have extensions (not a mobile)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(text, home)
    except phonenumbers.NumberParseException:
        return False
    kind = phonenumbers.number_type(number)
    return phonenumbers.is_valid_number(number) and kind in (
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        phonenumbers.PhoneNumberType.TOLL_FREE,
        phonenumbers.PhoneNumberType.SHARED_COST,
        phonenumbers.PhoneNumberType.VOIP,
        phonenumbers.PhoneNumberType.UAN,
    )


def _parse_number(text: str, raw: str, home: str) -> str:
    """The E.164 form of a number without its extension (``raw``: as written, for messages)."""
    digits = _PHONE_JUNK.sub("", text)
    if home == "CN":
        for prefix in ("+86", "0086", "86"):
            if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
                digits = digits[len(prefix) :]
                break
        if _CN_MOBILE.match(digits):
            return "+86" + digits
        if digits.isdigit() and digits.startswith("1") and len(digits) != 11:
            raise InvalidValue(  # a mobile with a digit too many or too few, most likely
                _(
                    "{text!r} is not a mobile number: a Chinese mobile has 11 digits, this has "
                    "{n} (too {what})"
                ).format(
                    text=raw, n=len(digits), what=_("short") if len(digits) < 11 else _("long")
                )
            )
    elif digits.startswith("+86") and _CN_MOBILE.match(digits[3:]):
        return digits
    if len(re.sub(r"\D", "", digits)) < 7:
        raise InvalidValue(_("phone number {text!r} is too short").format(text=raw))
    import phonenumbers

    try:
        number = phonenumbers.parse(text, home)
    except phonenumbers.NumberParseException:
        raise _elsewhere(text, home, raw) or InvalidValue(
            _(
                "{text!r} is not a phone number: give 11 digits for a mobile (13800138000) "
                "or a number with its area or country code"
            ).format(text=raw)
        ) from None
    extension = number.extension  # one written in words phonenumbers knows and we do not
    number.extension = None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        raise _elsewhere(text, home, raw) or InvalidValue(
            _("phone number {text!r} is too short").format(text=raw)
        )
    if reason in (
        phonenumbers.ValidationResult.TOO_LONG,
        phonenumbers.ValidationResult.INVALID_LENGTH,
    ):
        raise _elsewhere(text, home, raw) or InvalidValue(
            _("phone number {text!r} has too many digits").format(text=raw)
        )
    if not phonenumbers.is_valid_number(number):
        raise _elsewhere(text, home, raw) or InvalidValue(
            _("{text!r} is not a valid phone number (check the digits and the area code)").format(
                text=raw
            )
        )
    e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    return f"{e164}{_STORED_EXTENSION}{extension}" if extension else e164


def _elsewhere(text: str, home: str, raw: str | None = None) -> InvalidValue | None:
    """The error for a number that is no number at ``home`` but a valid one of a likely other
    country: which country, and how to have it read so. None when no other country fits (or
    the number carries its own country code, so no other home would change anything).
    ``text``: the number without its extension; ``raw``: as written (default ``text``)."""
    raw = text if raw is None else raw
    if text.lstrip().startswith("+") or len(re.sub(r"\D", "", text)) < 8:
        return None  # a short one is far likelier a home number with digits missing
    import phonenumbers

    for region in _LIKELY_REGIONS:
        if region == home:
            continue
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            country = phonenumbers.region_code_for_number(number) or region
            if country == home:
                continue
            written = phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            )
            message = (
                _(
                    "{text!r} is not valid in {home}; it looks like an {region} number: "
                    "--region {region}, or write it as {written}"
                )
                if country[0] in "AEFHILMNORSX"  # said with a vowel first: an IT, an AU
                else _(
                    "{text!r} is not valid in {home}; it looks like a {region} number: "
                    "--region {region}, or write it as {written}"
                )
            )
            return InvalidValue(
                message.format(text=raw, home=home, region=country, written=written)
            )
    return None


def display_phone(
    stored: str | None, home: str | None = None, *, spaced: bool = True, lang: str | None = None
) -> str:
    """A stored number as a salesperson writes it, on the card, in lists and in exports, so that
    import reads it back the same: numbers of ``home`` (default :func:`home_region`) in national
    form, a Chinese mobile as 138 0013 8000 (13800138000 when not ``spaced``) and a landline
    with its area code (010-62345678, 0755-12345678); others in international form
    (+1 860-253-6354); an extension after " ext. " (" 转 " in Chinese: ``lang``, default the
    interface's). An old book's number that is not E.164 is shown as stored."""
    if not stored:
        return ""
    if lang is None:
        from leadbook.i18n import language

        lang = language()
    return _shown(stored, home or _home.get(), spaced, lang)


@lru_cache(maxsize=4096)
def _shown(stored: str, home: str, spaced: bool, lang: str) -> str:
    number, sep, extension = stored.partition(_STORED_EXTENSION)
    more = ((" 转 " if lang == "zh" else " ext. ") + extension) if sep and extension else ""
    if home == "CN" and number.startswith("+86") and number[3:].isdigit():
        rest = number[3:]
        if rest.startswith("1") and len(rest) == 11:  # a mobile
            return (f"{rest[:3]} {rest[3:7]} {rest[7:]}" if spaced else rest) + more
        # Area codes starting 1 or 2 have two digits (010 Beijing, 021 Shanghai), others three.
        area = 2 if rest[:1] in ("1", "2") else 3
        return f"0{rest[:area]}-{rest[area:]}{more}"
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return stored  # not E.164 (an old book's text): as stored
    form = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(parsed) == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(parsed, form)) + more


_NOT_DIGIT = _lazy(r"\D")


def phone_digits(text: str) -> str:
    """The digits a user may search for: national digits for Chinese numbers (a mobile's 11,
    a landline's with its 0: 01062345678); a stored number's extension is left out."""
    digits = _NOT_DIGIT.sub("", text.partition(_STORED_EXTENSION)[0])
    if digits.startswith("0086"):
        digits = digits[2:]
    if digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        return digits[2:]
    if digits.startswith("86") and len(digits) in (12, 13) and digits[2] != "1":
        return "0" + digits[2:]  # a landline: area code without its 0, then 7 or 8 digits
    if digits.startswith("8610") and len(digits) == 12:
        return "0" + digits[2:]  # Beijing
    return digits


def parse_email(text: str) -> str:
    """A valid e-mail, lower-cased: mail systems treat addresses without regard to case, and
    one stored form lets duplicates be found through the index."""
    raw = text.strip()
    if re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", raw) and (
        ".." not in raw and not raw.startswith(".") and ".@" not in raw
    ):
        return raw.lower()
    from email_validator import EmailNotValidError, validate_email

    try:
        return str(validate_email(raw, check_deliverability=False).normalized).lower()
    except EmailNotValidError as exc:
        raise InvalidValue(
            _("e-mail {text!r} is not valid: {reason}").format(text=raw, reason=exc)
        ) from None


_AMOUNT_UNITS = {
    "万": Decimal(10_000),
    "w": Decimal(10_000),
    "k": Decimal(1000),
    "千": Decimal(1000),
    "亿": Decimal(100_000_000),
    "元": Decimal(1),
}


def parse_amount(text: str) -> Decimal:
    """An amount of money: 12000, 12,000.50, ¥12,000, $22,700.00, 1.2万, 12k. Never a float."""
    raw = text.strip()
    value = re.sub(r"[\s,，¥￥$€£]|RMB|CNY|USD|人民币", "", raw, flags=re.I)
    multiplier = Decimal(1)
    if value and value[-1].lower() in _AMOUNT_UNITS:
        multiplier = _AMOUNT_UNITS[value[-1].lower()]
        value = value[:-1]
        if value.endswith("万"):  # 1千万
            multiplier *= Decimal(10_000)
            value = value[:-1]
    try:
        amount = Decimal(value) * multiplier
        if not amount.is_finite():  # NaN, Infinity (comparing NaN would raise)
            raise InvalidOperation
    except InvalidOperation:
        raise InvalidValue(
            _("{text!r} is not an amount: write 12000, 12,000.50, ¥12000 or 1.2万").format(text=raw)
        ) from None
    if amount < 0:
        raise InvalidValue(
            _("amount {text!r} is negative: write what was paid or budgeted, above zero").format(
                text=raw
            )
        )
    if amount >= Decimal(10) ** 13:
        raise InvalidValue(_("amount {text!r} is out of range").format(text=raw))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidValue(_("amount {text!r} has more than 2 decimal places").format(text=raw))
    return amount.quantize(Decimal("0.01"))


_CURRENCY_MARKS = (
    (_lazy(r"HK\$|HKD|港币", re.I), "HKD"),
    (_lazy(r"US\$|USD|美元|\$", re.I), "USD"),
    (_lazy(r"[¥￥]|RMB|CNY|人民币|元", re.I), "CNY"),
    (_lazy(r"€|EUR|欧元", re.I), "EUR"),
    (_lazy(r"£|GBP|英镑", re.I), "GBP"),
)


def check_currency(text: str, book_currency: str) -> None:
    """An amount written with a currency other than the book's is refused: leadbook keeps one
    currency a book and does not convert (`$1,000` in a CNY book was kept as 1,000 CNY)."""
    for mark, code in _CURRENCY_MARKS:
        if mark.search(text):
            if code != book_currency.upper():
                raise InvalidValue(
                    _(
                        "{text!r} is in {code}, but this book keeps its amounts in {book}: "
                        "convert it, or change the book's currency with `leadbook config set "
                        "currency {code}`"
                    ).format(text=text.strip(), code=code, book=book_currency.upper())
                )
            return


def parse_tags(text: str) -> list[str]:
    tags = [t.strip() for t in re.split(r"[,，;；]", text) if t.strip()]
    seen: list[str] = []
    for tag in tags:
        if tag not in seen:
            seen.append(tag)
    return seen
