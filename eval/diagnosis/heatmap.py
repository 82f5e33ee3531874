"""Reps × dimensions heatmap of the scores, as PNG bytes (matplotlib, Agg backend).

Chinese labels need a CJK font (fonts-noto-cjk, WenQuanYi, …). Without one the labels fall
back to English dimension names and rep ids, so the PNG never shows tofu boxes.
"""
from __future__ import annotations

import io

DIM_EN = {"需求挖掘": "Discovery", "方案呈现": "Presentation", "异议处理": "Objections"}
_CJK_CANDIDATES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                   "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC", "AR PL UMing CN", "Droid Sans Fallback")


def cjk_font() -> str | None:
    from matplotlib import font_manager
    names = {f.name for f in font_manager.fontManager.ttflist}
    for n in _CJK_CANDIDATES:
        if n in names:
            return n
    for f in font_manager.fontManager.ttflist:  # any font whose name says CJK
        if any(k in f.name for k in ("CJK", "Hei", "Han Sans", "Ming", "Song", "Kai")):
            return f.name
    return None


def heatmap_png(matrix: dict, *, force_ascii: bool = False) -> bytes:
    import matplotlib
    matplotlib.use("Agg", force=False)
    import numpy as np
    from matplotlib.figure import Figure

    dims = list(matrix.get("team") and [d for d in ("需求挖掘", "方案呈现", "异议处理") if d in matrix["team"]]
                or ["需求挖掘", "方案呈现", "异议处理"])
    reps = matrix.get("reps", [])
    font = None if force_ascii else cjk_font()
    zh = font is not None

    def rep_label(r):
        name = str(r.get("name") or r.get("rep_id"))
        if not zh and not name.isascii():
            name = str(r.get("rep_id"))
        return name + (" (数据不足)" if zh else " (low data)") * bool(r.get("low_data"))

    data = np.full((max(1, len(reps)), len(dims)), np.nan)
    for i, r in enumerate(reps):
        for j, d in enumerate(dims):
            s = (r.get("dimensions") or {}).get(d, {}).get("score")
            if s is not None:
                data[i, j] = s
    h = 1.2 + 0.5 * max(1, len(reps))
    fig = Figure(figsize=(6.4, h), dpi=110)
    ax = fig.add_subplot(111)
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#dddddd")
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    fp = {"family": font} if zh else {}
    ax.set_xticks(range(len(dims)), [d if zh else DIM_EN[d] for d in dims], fontdict=fp)
    ax.set_yticks(range(len(reps)), [rep_label(r) for r in reps] or [""], fontdict=fp)
    for i in range(len(reps)):
        for j in range(len(dims)):
            v = data[i, j]
            ax.text(j, i, "—" if np.isnan(v) else f"{v:.0f}", ha="center", va="center", fontsize=10, color="black")
    title = "销售能力诊断(0–100,团队内可比)" if zh else "Rep capability diagnosis (0-100, team-relative)"
    p = matrix.get("period") or {}
    if p.get("from") and p.get("to"):
        title += f"\n{str(p['from'])[:10]} – {str(p['to'])[:10]}"
    ax.set_title(title, fontdict=fp, fontsize=10)
    fig.colorbar(im, ax=ax, fraction=0.04)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
