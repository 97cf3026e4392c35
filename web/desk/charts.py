"""Server-drawn SVG charts (no chart library, nothing from other hosts, no inline styles for the CSP)."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 34
HELPFUL, UNHELPFUL = "#2e7d4f", "#c0392b"


def feedback_svg(days: list) -> str:
    """Stacked daily bars of helpful (green) and not helpful (red) answers, oldest day on the left."""
    if not days:
        return ""
    peak = max((d.helpful + d.unhelpful for d in days), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(days)
    bar = max(slot * 0.7, 1.0)
    total_helpful = sum(d.helpful for d in days)
    total = total_helpful + sum(d.unhelpful for d in days)
    summary = (
        f"{total_helpful} of {total} answers rated helpful over {len(days)} days"
        if total
        else f"No feedback in the last {len(days)} days"
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(summary)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(summary)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#888"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11" fill="#555">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11" fill="#555">0</text>',
    ]
    for n, d in enumerate(days):
        x = LEFT + n * slot + (slot - bar) / 2
        h_help = plot_h * d.helpful / peak
        h_un = plot_h * d.unhelpful / peak
        base = TOP + plot_h
        tip = f"{d.day.isoformat()}: {d.helpful} helpful, {d.unhelpful} not helpful"
        if d.helpful:
            parts.append(
                f'<rect class="helpful" x="{x:.1f}" y="{base - h_help:.1f}" width="{bar:.1f}" '
                f'height="{h_help:.1f}" fill="{HELPFUL}"><title>{tip}</title></rect>'
            )
        if d.unhelpful:
            parts.append(
                f'<rect class="unhelpful" x="{x:.1f}" y="{base - h_help - h_un:.1f}" width="{bar:.1f}" '
                f'height="{h_un:.1f}" fill="{UNHELPFUL}"><title>{tip}</title></rect>'
            )
        if n % 7 == 0 or n == len(days) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 14}" text-anchor="middle" font-size="11" '
                f'fill="#555">{d.day.strftime("%d %b")}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
