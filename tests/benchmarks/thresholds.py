"""Benchmark: the accuracy thresholds of assignments 1 and 2 against every answer they are measured on, over 10 seeds.

Run with `make benchmark-thresholds` (about 12 minutes on 2 cores). Prints figures, asserts
nothing. Each variant of tests/accuracy_variants.py is trained by the notebook's own training
cell on each seed of `SWEEP_SEEDS` and measured on MNIST's test split. Then, per assignment:

- the known correct answers (which set the threshold): their lowest accuracy, and the margin
  of that lowest over the threshold, in points;
- the held-out correct answers (written afterwards): their lowest, and its margin;
- the wrong answers: their highest, and how far it stays below the threshold.

`python -m tests.benchmarks.thresholds --seeds 1` trains each variant once (a quick look).
"""

import argparse
import statistics
import time

from tests.accuracy_variants import A1, A2, HELD_OUT, KNOWN, SWEEP_SEEDS, THRESHOLDS, WRONG, variants


def _points(fraction):
    return f"{100 * fraction:.2f}%"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=len(SWEEP_SEEDS), help="how many of the sweep's seeds to train on")
    parser.add_argument("--assignment", choices=(A1, A2), help="one assignment only")
    parser.add_argument("--kind", choices=(KNOWN, HELD_OUT, WRONG), help="one kind of answer only")
    arguments = parser.parse_args(argv)
    seeds = SWEEP_SEEDS[: arguments.seeds]
    measured = {}
    for variant in variants():
        if (arguments.assignment and variant.assignment != arguments.assignment) or (
                arguments.kind and variant.kind != arguments.kind):
            continue
        started = time.perf_counter()
        accuracies = [variant.trained_accuracy(seed) for seed in seeds]
        measured[variant] = accuracies
        print(f"{variant.assignment} {variant.name:<28} {variant.kind:<9} min {_points(min(accuracies))} "
              f"median {_points(statistics.median(accuracies))} max {_points(max(accuracies))} "
              f"({len(seeds)} seeds, {time.perf_counter() - started:.0f} s)", flush=True)
    print(f"\nSeeds: {', '.join(str(seed) for seed in seeds)}")
    for assignment, threshold in THRESHOLDS.items():
        of = {kind: [value for variant, values in measured.items() if variant.assignment == assignment
                     and variant.kind == kind for value in values] for kind in (KNOWN, HELD_OUT, WRONG)}
        if not of[KNOWN]:
            continue
        print(f"{assignment}: threshold {_points(threshold)}")
        for kind, word in ((KNOWN, "lowest"), (HELD_OUT, "lowest")):
            if of[kind]:
                print(f"  {kind} correct answers: {word} {_points(min(of[kind]))}, "
                      f"margin {100 * (min(of[kind]) - threshold):+.2f} points")
        if of[WRONG]:
            print(f"  wrong answers: highest {_points(max(of[WRONG]))}, "
                  f"{100 * (threshold - max(of[WRONG])):.2f} points below the threshold")


if __name__ == "__main__":
    main()
