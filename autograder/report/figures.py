"""The report's plots, drawn with matplotlib (no display needed) and returned as PNG bytes."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

_DPI = 100


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def score_histogram(scores, max_score, title):
    """How many students got each score (one bar per point), with the mean and median marked."""
    import numpy as np

    figure, axes = plt.subplots(figsize=(6.4, 3.2))
    edges = np.arange(-0.5, max_score + 1.0, 1.0) if max_score <= 40 else 20
    axes.hist(scores, bins=edges, color="#4c72b0", edgecolor="white")
    if scores:
        axes.axvline(float(np.mean(scores)), color="#dd8452", linestyle="--", label=f"mean {np.mean(scores):.1f}")
        axes.axvline(float(np.median(scores)), color="#55a868", linestyle=":", label=f"median {np.median(scores):g}")
        axes.legend(loc="best", fontsize=8)
    axes.set_xlim(-0.5, max_score + 0.5)
    axes.set_xlabel(f"score (of {max_score:g} points)")
    axes.set_ylabel("students")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(title, fontsize=10)
    return _png(figure)


def pass_rates(rates, title):
    """One horizontal bar per test, the most failed at the top: `rates` is [(grade_id, passed fraction)]."""
    figure, axes = plt.subplots(figsize=(6.4, 0.35 * len(rates) + 1.0))
    names = [name for name, _ in rates][::-1]
    values = [100 * rate for _, rate in rates][::-1]
    bars = axes.barh(names, values, color=["#c44e52" if value < 50 else "#4c72b0" for value in values])
    axes.bar_label(bars, labels=[f"{value:.0f}%" for value in values], padding=2, fontsize=8)
    axes.set_xlim(0, 110)
    axes.set_xlabel("students who passed (%)")
    axes.tick_params(axis="y", labelsize=8)
    axes.set_title(title, fontsize=10)
    return _png(figure)


def accuracy_scatter(points, tiers, max_params, title):
    """Assignment 3: each student's test accuracy against parameters, coloured by training samples, with the tiers.

    `points` is [(accuracy, params, samples)]; `tiers` is [(minimum accuracy, points)]. The axis
    starts 2 points below the lowest tier; models below that sit on the bottom edge as triangles.
    """
    figure, axes = plt.subplots(figsize=(6.4, 3.6))
    bottom = 100 * min(minimum for minimum, _ in tiers) - 2
    if points:
        accuracies, params, samples = zip(*points)
        shown = [max(100 * value, bottom) for value in accuracies]
        below = [100 * value < bottom for value in accuracies]
        colours = dict(c=samples, cmap="viridis", vmin=0, vmax=max(samples) or 1, edgecolors="black", linewidths=0.4)
        for marker, chosen in (("o", False), ("v", True)):
            picked = [index for index, low in enumerate(below) if low == chosen]
            if picked:
                drawn = axes.scatter([params[i] for i in picked], [shown[i] for i in picked], marker=marker, s=40,
                                     **{**colours, "c": [samples[i] for i in picked]})
        figure.colorbar(drawn, ax=axes, label="training samples")
        if any(below):
            axes.annotate(f"{sum(below)} below {bottom:g}% (triangles)", (0.01, 0.02), xycoords="axes fraction",
                          fontsize=7, color="#555555")
    for minimum, tier_points in tiers:
        axes.axhline(100 * minimum, color="#999999", linestyle="--", linewidth=0.8)
        axes.annotate(f"{tier_points} pt", (1.0, 100 * minimum), xycoords=("axes fraction", "data"),
                      textcoords="offset points", xytext=(-24, 2), fontsize=7, color="#555555")
    axes.axvline(max_params, color="#c44e52", linewidth=0.8)
    axes.set_ylim(bottom - 0.3, 100)
    axes.set_xlim(0, max_params * 1.15)
    axes.set_xlabel(f"parameters (budget {max_params:,}: red line)")
    axes.set_ylabel("test accuracy (%)")
    axes.set_title(title, fontsize=10)
    return _png(figure)
