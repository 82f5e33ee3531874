"""Regenerate data/holidays_cn.json from the `chinesecalendar` package (run once a year).

    python -m extractor.timex.gen_holidays [--out PATH]

The file lists, per year, each statutory holiday period (consecutive days off with the
same name) and the make-up working days (调休). Later years that chinesecalendar does not
know yet can be appended by hand in the same shape once the State Council publishes them.
"""
from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path

KEYS = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明",
        "Labour Day": "劳动节", "Dragon Boat Festival": "端午", "Mid-autumn Festival": "中秋",
        "National Day": "国庆", "Anti-Fascist 70th Day": "抗战胜利纪念日"}


def build(first: int = 2004, last: int = 2026) -> dict:
    from chinese_calendar import constants as c
    years: dict[str, dict] = {}
    days = sorted((d, n) for d, n in c.holidays.items() if first <= d.year <= last)
    periods: list[list] = []
    for d, n in days:
        if periods and periods[-1][2] == n and periods[-1][1] + timedelta(days=1) == d:
            periods[-1][1] = d
        else:
            periods.append([d, d, n])
    for s, e, n in periods:
        y = years.setdefault(str(s.year), {"holidays": [], "workdays": []})
        y["holidays"].append({"name": KEYS.get(n, n), "start": s.isoformat(), "end": e.isoformat()})
    for d, n in sorted(c.workdays.items()):
        if first <= d.year <= last:
            years.setdefault(str(d.year), {"holidays": [], "workdays": []})["workdays"].append(d.isoformat())
    return {"source": "State Council calendar via chinesecalendar; regenerate with "
                      "python -m extractor.timex.gen_holidays", "years": years}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).with_name("data") / "holidays_cn.json"))
    ap.add_argument("--first", type=int, default=2004)
    ap.add_argument("--last", type=int, default=2026)
    a = ap.parse_args(argv)
    data = build(a.first, a.last)
    Path(a.out).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {a.out}: {len(data['years'])} years")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
