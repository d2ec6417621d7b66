"""The manual against the code: README.md, CONTRIBUTING.md and docs/*.md say nothing the code contradicts.

Each test reads the pages as text and the code as it is (its settings, the sandbox's defaults,
`nbgrader_config.py`, the Makefile, the CLI), without running nbgrader or a kernel.
"""

import ast
import re
import tomllib
from pathlib import Path

import pytest

from autograder import settings
from autograder.assignments import all_assignments
from autograder.cli import main as cli
from autograder.evidence import CELL_EVIDENCE_BOUNDS
from autograder.isolation.sandbox import GIB, MIB, SandboxSettings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = (ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md")))
MEASUREMENTS = DOCS / "measurements.md"
# Folders of the repository a page may name by path.
TOP_FOLDERS = ("autograder", "tests", "templates", "lab", "hub", "source", "release", "solutions", "docs", ".ci")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def text(page):
    return page.read_text(encoding="utf-8")


def prose(page):
    """The page without its fenced code blocks."""
    return FENCE.sub("", text(page))


def where(page):
    return page.relative_to(ROOT)


def all_text():
    return {page: text(page) for page in PAGES}


def heading_slugs(page):
    """The anchors GitHub gives the headings of `page`."""
    slugs = set()
    for line in prose(page).splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slugs.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return slugs


def python_source(path):
    return ast.parse((ROOT / path).read_text(encoding="utf-8"))


def top_level_names(tree):
    """The names a module defines at its top level: functions, classes, assignments, imports."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def literal(path, name):
    """The value of the top-level literal `name = ...` in the Python file `path`."""
    for node in python_source(path).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == name for target in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path} no longer defines {name} as a literal: update tests/test_docs.py")


def quoted(pattern):
    """Every match of `pattern` in the pages, as (page, groups); fails when no page quotes it any more."""
    found = [(page, match.groups()) for page, content in all_text().items()
             for match in re.finditer(pattern, re.sub(r"\s+", " ", content))]
    assert found, f"no page quotes {pattern!r} any more: update this test to what the docs now say"
    return found


def number(words):
    return float(words.replace(",", ""))


def test_every_relative_link_points_to_an_existing_file_and_heading():
    """Does every relative link of the docs open a file that exists, at a heading it has?"""
    broken = []
    for page in PAGES:
        for target in re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", prose(page)):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            linked = (page.parent / file).resolve() if file else page
            if not linked.exists():
                broken.append(f"{where(page)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in heading_slugs(linked):
                broken.append(f"{where(page)}: {target} (no such heading in {linked.name})")
    assert not broken, "broken links:\n" + "\n".join(broken)


def named_paths(page):
    """The repository paths `page` names: in code spans and code blocks, and any autograder/....py anywhere."""
    words = []
    for span in CODE_SPAN.findall(text(page)) + FENCE.findall(text(page)):
        words += span.split()
    words += re.findall(r"autograder/[\w/]+\.py", text(page))
    paths = set()
    for word in words:
        word = word.strip("`'\",;:()")
        if not word.startswith(tuple(f"{folder}/" for folder in TOP_FOLDERS)):
            continue
        # A placeholder (`source/04_<name>`, `source/ASSIGNMENT`, `$name`, `*.py`) names no one file.
        if re.search(r"[<>$*{}]", word) or re.search(r"(^|/)[A-Z]{2,}(/|$)", word):
            continue
        paths.add(word.rstrip("."))
    return paths


def test_every_path_the_docs_name_exists():
    """Does every file or folder of the repository that the docs name exist?"""
    missing = sorted(f"{where(page)}: {path}" for page in PAGES for path in named_paths(page)
                     if not (ROOT / path).exists())
    assert not missing, "the docs name paths that do not exist:\n" + "\n".join(missing)


def test_every_file_of_the_layout_is_in_its_folder():
    """Does the layout of docs/contributors.md name only files that exist in the folder its bullet describes?"""
    section = prose(DOCS / "contributors.md").split("## The layout", 1)[1].split("\n## ", 1)[0]
    folders, folder, missing = {-1: ROOT}, ROOT, []
    for line in section.splitlines():
        item = re.match(r"( *)- (?:`([\w./]+/)`)?", line)
        if item:  # a bullet about a folder, inside the folder of the bullet it is nested in
            level = len(item.group(1)) // 2
            folder = folders[level] = folders[level - 1] / (item.group(2) or "")
        for name in re.findall(r"`(\w+\.py)`", line):
            if not any(folder.rglob(name)) and not (ROOT / name).is_file():
                missing.append(f"{name} (not under {folder.relative_to(ROOT)}/)")
    assert not missing, "docs/contributors.md's layout names files that are not there:\n" + "\n".join(missing)


def module_file(parts):
    """The file of the module `autograder.<parts>` (a package's __init__.py or its folder), or None."""
    path = ROOT.joinpath(*parts)
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    if path.is_dir():
        return path / "__init__.py" if (path / "__init__.py").is_file() else path
    return None


def test_every_module_the_docs_name_exists():
    """Does every dotted `autograder.` name of the docs name a module of the package, or a name defined in one?"""
    wrong = []
    for page, content in all_text().items():
        for dotted in set(re.findall(r"\bautograder(?:\.\w+)+", content)):
            parts = dotted.split(".")
            known = max(count for count in range(1, len(parts) + 1) if module_file(parts[:count]))
            rest = parts[known:]
            found = module_file(parts[:known])
            defined = (not rest) or (len(rest) == 1 and found.suffix == ".py"
                                     and rest[0] in top_level_names(ast.parse(found.read_text(encoding="utf-8"))))
            if not defined:
                wrong.append(f"{where(page)}: {dotted}")
    assert not wrong, "the docs name modules or names that do not exist:\n" + "\n".join(sorted(wrong))


def test_every_name_placed_in_a_module_is_defined_there():
    """Is every name the docs place in a module (`Name` (`autograder/....py`)) defined in that module?"""
    placed = re.compile(r"`([A-Za-z_]\w*)(?:\([^`]*\))?`(?:\*\*)?(?: subclass| stage)?,?\s+(?:in\s+)?\(?`(autograder/[\w/]+\.py)`")
    wrong = []
    for page, content in all_text().items():
        for name, path in placed.findall(content):
            if (ROOT / path).is_file() and name not in top_level_names(python_source(path)):
                wrong.append(f"{where(page)}: {name} is not defined in {path}")
    assert not wrong, "\n".join(wrong)


def code_text():
    """The course's code and configuration as one text: where every name the docs quote must appear."""
    files = [*ROOT.glob("autograder/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("templates/**/*"),
             ROOT / "nbgrader_config.py", ROOT / "Makefile", *ROOT.glob("source/*/*.ipynb")]
    return "\n".join(path.read_text(encoding="utf-8") for path in files if path.is_file())


def test_every_snake_case_name_in_the_docs_is_in_the_code():
    """Is every snake_case name the docs quote (a function, a setting, a grade id, a submission) still in the code?"""
    code = set(re.findall(r"\w+", code_text()))
    unknown = set()
    for page in PAGES:
        for span in CODE_SPAN.findall(text(page)):
            name = re.fullmatch(r"([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?:\(.*\))?", span)
            if name and name.group(1) not in code:
                unknown.add(f"{where(page)}: {name.group(1)}")
    assert not unknown, "the docs quote names the code no longer has:\n" + "\n".join(sorted(unknown))


def test_the_grading_stages_are_those_nbgrader_config_lists():
    """Does docs/grading-path.md list the autograde steps of `nbgrader_config.py`, in its order?"""
    configured = None
    for node in python_source("nbgrader_config.py").body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "c.Autograde.autograde_preprocessors":
            configured = [ast.unparse(element) for element in node.value.elts]
    assert configured, "nbgrader_config.py sets no c.Autograde.autograde_preprocessors list"
    steps = text(DOCS / "grading-path.md").split("**The autograde steps**", 1)[1].split("\n7. ", 1)[0]
    documented = re.findall(r"^ {3}\d+\. `(\w+)`", steps, re.MULTILINE)
    assert documented == configured


def make_targets():
    return set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.MULTILINE))


def test_every_make_command_is_a_target_of_the_makefile():
    """Is every `make X` the docs tell you to run a target of the Makefile?"""
    named = {(page, target) for page in PAGES for code in CODE_SPAN.findall(text(page)) + FENCE.findall(text(page))
             for target in re.findall(r"\bmake ([a-z][\w-]*)", code)}
    unknown = sorted(f"{where(page)}: make {target}" for page, target in named if target not in make_targets())
    assert not unknown, "\n".join(unknown)


def options_by_verb():
    """For each `keras-course VERB` the docs show, the options they give it: on its line, or in its section."""
    given = []
    for page in PAGES:
        for section in re.split(r"^#+ ", text(page), flags=re.MULTILINE):
            title = section.split("\n", 1)[0]
            verb = re.search(r"keras-course (\w+)", title)
            if verb:
                given += [(page, verb.group(1), option) for option in re.findall(r"(?<![\w-])--[a-z][\w-]*", section)]
            for line in section.splitlines()[1:]:
                on_line = re.search(r"keras-course (\w+)", line)
                if on_line:
                    given += [(page, on_line.group(1), option)
                              for option in re.findall(r"(?<![\w-])--[a-z][\w-]*", line.split("#")[0])]
    return given


def test_every_option_of_keras_course_exists():
    """Does every `keras-course VERB --option` of the docs name a verb and an option of the CLI?"""
    wrong = set()
    for page, verb, option in options_by_verb():
        command = cli.commands.get(verb)
        if command is None:
            wrong.add(f"{where(page)}: keras-course {verb} (no such verb)")
        elif not any(option in [*parameter.opts, *parameter.secondary_opts] for parameter in command.params):
            wrong.add(f"{where(page)}: keras-course {verb} {option} (no such option)")
    assert not wrong, "\n".join(sorted(wrong))


def percent(fraction):
    return round(fraction * 100, 1)


ASSIGNMENT_THRESHOLDS = [
    (r"`SimpleNet` until it trains to (\d+)%", percent(settings.SIMPLENET_MIN_ACCURACY)),
    (r"prescribed shape at every layer that trains to (\d+)%", percent(settings.CNN_MIN_ACCURACY)),
    (r"network of at most ([\d,]+) parameters", settings.TUNE_MAX_PARAMS),
    (r"within ([\d,]+) training samples", settings.TUNE_MAX_SAMPLES),
    (r"training samples \((\d+) epochs\)", settings.TUNE_MAX_EPOCHS),
    (r"images of shape \((\d+), \d+, \d+\)", settings.MNIST_IMAGE_SHAPE[0]),
    (r"images of shape \(\d+, (\d+), \d+\)", settings.MNIST_IMAGE_SHAPE[1]),
    (r"images of shape \(\d+, \d+, (\d+)\)", settings.MNIST_IMAGE_SHAPE[2]),
    (r"a class or (\d+) scores", settings.MNIST_CLASSES),
    (r"5 epochs against 4 \(then against a \d+% threshold, now (\d+)%\)", percent(settings.SIMPLENET_MIN_ACCURACY)),
    (r"so it kept (\d+)", settings.SIMPLENET_EPOCH_BUDGET),
    (r"CNN on ([\d,]+) images", settings.CNN_TRAIN_IMAGES),
    (r"instead of 20,000 \(then against a \d+% threshold, now (\d+)%\)", percent(settings.CNN_MIN_ACCURACY)),
    (r"`CELL_TIMEOUT_SECONDS`(?:,| in\s+`autograder/settings\.py`,)\s+(\d+) s", settings.CELL_TIMEOUT_SECONDS),
    (r"the cell timeout \((\d+) s\)", settings.CELL_TIMEOUT_SECONDS),
    (r"default: the course's, (\d+) s", settings.CELL_TIMEOUT_SECONDS),
]


@pytest.mark.parametrize("pattern, value", ASSIGNMENT_THRESHOLDS, ids=[p for p, _ in ASSIGNMENT_THRESHOLDS])
def test_thresholds_and_budgets_quoted_are_those_of_settings(pattern, value):
    """Is every threshold, budget and time limit the docs quote the value `autograder/settings.py` holds?"""
    for page, groups in quoted(pattern):
        said = [number(group) for group in groups if group is not None]
        assert all(figure == value for figure in said), f"{where(page)} says {said} for {pattern!r}; the code: {value}"


def test_one_short_epoch_is_the_cnn_budget():
    """Is assignment 2's "one short epoch" the CNN's epoch budget of settings?"""
    quoted(r"trains to \d+% in one short epoch")
    assert settings.CNN_EPOCH_BUDGET == 1


def test_accuracy_tiers_quoted_are_those_of_settings():
    """Are the accuracy tiers the docs quote (points from a test accuracy) `TUNE_ACCURACY_TIERS`?"""
    tiers = [(points, percent(accuracy)) for accuracy, points in settings.TUNE_ACCURACY_TIERS]
    for page, (tier_text,) in quoted(r"\((1 point from [^)]*)\)"):
        said = [(int(points), float(accuracy)) for points, accuracy in re.findall(r"(\d) (?:points? )?from (\d+\.\d)%", tier_text)]
        assert said == tiers, f"{where(page)}: {tier_text}"


def sandbox_source():
    return (ROOT / "autograder" / "isolation" / "sandbox.py").read_text(encoding="utf-8")


def test_sandbox_limits_quoted_are_its_defaults():
    """Are the sandbox's limits the docs quote (memory, processes, disk, /tmp, output, notebook time) its defaults?"""
    defaults = SandboxSettings()
    memory = re.search(r"DEFAULT_MEMORY_BYTES = min\((\d+) \* GIB, machine_memory\(\) // (\d+)\)", sandbox_source())
    assert memory, "the sandbox's memory default is no longer min(N * GIB, machine_memory() // D): update this test"
    assert int(memory.group(2)) == 4, "the docs say 'a quarter of the machine'"
    tmp = re.search(r"TMP_BYTES = (\d+) \* MIB", sandbox_source())
    assert tmp, "the sandbox's /tmp is no longer a tmpfs of TMP_BYTES = N * MIB: update this test"
    expected = [
        (r"a quarter of the machine, at most (\d+) GiB", int(memory.group(1))),
        (r"`memory_bytes`, (\d+) GiB", int(memory.group(1))),
        (r"more than (\d+) GiB of memory", int(memory.group(1))),
        (r"`processes`, (\d+)\)", defaults.processes),
        (r"more than (\d+) processes and threads", defaults.processes),
        (r"`c\.SandboxSettings\.processes` \|[^|]*\| (\d+) \|", defaults.processes),
        (r"`disk_bytes` \((\d+) GiB\)", defaults.disk_bytes / GIB),
        (r"`c\.SandboxSettings\.disk_bytes` \|[^|]*\| (\d+) GiB \|", defaults.disk_bytes / GIB),
        (r"`/tmp` one of (\d+) MiB", int(tmp.group(1))),
        (r"`output_bytes_per_cell`, (\d+) MiB", defaults.output_bytes_per_cell / MIB),
        (r"more than (\d+) MiB in one cell", defaults.output_bytes_per_cell / MIB),
        (r"`c\.SandboxSettings\.output_bytes_per_cell` \|[^|]*\| (\d+) MiB \|", defaults.output_bytes_per_cell / MIB),
        (r"`notebook_seconds` \((\d+) s\)", defaults.notebook_seconds),
        (r"`c\.SandboxSettings\.notebook_seconds` \|[^|]*\| (\d+) s \|", defaults.notebook_seconds),
    ]
    wrong = [f"{where(page)}: {pattern!r} says {groups[0]}, the sandbox {value:g}"
             for pattern, value in expected for page, groups in quoted(pattern) if number(groups[0]) != value]
    assert not wrong, "\n".join(wrong)


def test_the_graders_limits_quoted_are_the_codes():
    """Are the grader's own limits the docs quote (a record's size, the callbacks it replays, a hint's length) the code's?"""
    bounds = CELL_EVIDENCE_BOUNDS
    for page, (mib, values, depth) in quoted(r"record up to\s+(\d+) MiB,\s+([\d,]+) values\s+and\s+(\d+)\s+levels"):
        assert (int(mib) * MIB, number(values), int(depth)) == (bounds.max_bytes, bounds.max_values, bounds.max_depth), \
            where(page)
    replayable = set(literal("autograder/assignments/tune_training/plan.py", "REPLAYABLE_CALLBACKS"))
    for page, names in quoted(r"callbacks\s+`(\w+)`,\s+`(\w+)`\s+and\s+`(\w+)`"):
        assert set(names) == replayable, f"{where(page)} names {names}; the grader replays {sorted(replayable)}"
    for page, (characters,) in quoted(r"under (\d+) characters"):
        assert int(characters) == literal("tests/consistency.py", "MAX_HINT_CHARS"), where(page)


def points(assignment, manual):
    return sum(test.points for test in assignment.tests() if test.manual == manual)


def test_points_quoted_are_those_declared():
    """Are the points the docs quote per assignment (autograded, by hand, in all) those the tests declare?"""
    one, two, three = sorted(all_assignments(), key=lambda assignment: assignment.name)
    for page, (autograded, total) in quoted(r"the reference at (\d+) of (\d+)"):
        assert (int(autograded), int(total)) == (points(one, False), points(one, False) + points(one, True)), where(page)
    for page, (by_hand,) in quoted(r"written answer of assignment 1 \((\d+) points\)"):
        assert int(by_hand) == points(one, True), where(page)
    written = next(test for test in one.tests() if test.grade_id == "tutorial_claims")
    for page, (by_hand,) in quoted(r"`tutorial_claims`, (\d+) points"):
        assert int(by_hand) == written.points and written.manual, where(page)
    for page, (first,) in quoted(r"of assignment 1's (\d+) points"):
        assert int(first) == points(one, False), where(page)
    for page, (second,) in quoted(r"of assignment 2's (\d+)"):
        assert int(second) == points(two, False), where(page)
    for page, scores in quoted(r"reference (\d+)/(\d+), (\d+)/(\d+), (\d+)/(\d+)"):
        maxima = [points(assignment, False) for assignment in (one, two, three)]
        assert [int(score) for score in scores] == [m for m in maxima for _ in (0, 1)], where(page)


def test_the_count_of_hostile_notebooks_is_the_suites():
    """Is the number of hostile notebooks the threat model quotes the number tests/hostile.py holds?"""
    from tests.hostile import HOSTILE

    for page, (count,) in quoted(r"grades (\d+) hostile notebooks"):
        assert int(count) == len(HOSTILE), where(page)


def documented_layers():
    """The layers of docs/contributors.md, top to bottom, each a set of modules."""
    section = text(DOCS / "contributors.md").split("## The layers", 1)[1]
    layers = []
    for line in FENCE.search(section).group(0).strip("`").splitlines()[1:]:
        modules = {module.strip() for module in line.split(",") if module.strip()}
        if line.startswith(" "):  # a layer too long for one line goes on, indented
            layers[-1] |= modules
        elif modules:
            layers.append(modules)
    return layers


def contract_layers(contract):
    """The layers of one import-linter `layers` contract, top to bottom, each a set of modules."""
    containers = contract.get("containers", []) or [""]
    layers = []
    for layer in contract["layers"]:
        names = {name.strip().strip("()") for name in re.split(r"[|:]", layer)}
        layers.append({f"{container}.{name}" if container else name for container in containers for name in names})
    return layers


def test_the_layers_are_those_the_import_contracts_hold():
    """Does docs/contributors.md list the layers in the order pyproject.toml's import contracts hold, checked by `make test`?"""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text()).get("tool", {}).get("importlinter")
    assert config, "pyproject.toml has no [tool.importlinter]: docs/contributors.md says the layers are written there"
    contracts = [contract for contract in config.get("contracts", []) if contract.get("type") == "layers"]
    assert contracts, "pyproject.toml has no import-linter contract of type 'layers'"
    documented = documented_layers()
    rank = {module: index for index, layer in enumerate(documented) for module in layer}
    contracted = set()
    for contract in contracts:
        held = {module: index for index, layer in enumerate(contract_layers(contract)) for module in layer}
        contracted |= set(held)
        for above in rank.keys() & held.keys():
            for below in rank.keys() & held.keys():
                if rank[above] < rank[below]:
                    assert held[above] < held[below], (
                        f"docs/contributors.md puts {above} above {below}; contract {contract.get('name')!r} does not")
    assert set(rank) <= contracted, f"no layers contract holds {sorted(set(rank) - contracted)}"
    recipe = (ROOT / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0]
    through_pytest = "pytest" in recipe and any("lint-imports" in path.read_text(encoding="utf-8")
                                                for path in ROOT.glob("tests/test_*.py") if path.name != "test_docs.py")
    assert "lint-imports" in recipe or through_pytest, "`make test` does not run lint-imports"


def tables(page):
    """The tables of `page`, each a list of rows (lists of cells), the header first."""
    found, rows = [], []
    for line in text(page).splitlines() + [""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", cell) for cell in cells):
                rows.append(cells)
        elif rows:
            found.append(rows)
            rows = []
    return found


def test_every_measured_figure_has_its_date_and_command():
    """Does every figure of docs/measurements.md say when it was measured and with which command?"""
    undated = []
    for header, *rows in tables(MEASUREMENTS):
        assert "measured" in header and "command" in header, f"a table of measurements.md lacks a column: {header}"
        for row in rows:
            measured, command = row[header.index("measured")], row[header.index("command")]
            if not re.search(r"\d{4}-\d{2}-\d{2}", measured) or not ("`" in command or "not recorded" in command):
                undated.append(" | ".join(row))
    assert not undated, "figures without a date or a command:\n" + "\n".join(undated)


def test_the_readme_quotes_no_measured_time():
    """Does the README leave every duration to docs/measurements.md?"""
    durations = re.findall(r"\d[\d,.]*\s*(?:s|sec|seconds|min|minutes|h|hours)\b", text(ROOT / "README.md"))
    assert not durations, f"README.md quotes {durations}: put them in docs/measurements.md"


def test_other_pages_quote_only_time_limits():
    """Is every duration outside docs/measurements.md a time limit of the code (the cell timeout, the notebook's)?"""
    limits = {settings.CELL_TIMEOUT_SECONDS, SandboxSettings().notebook_seconds}
    wrong = [f"{where(page)}: {value} {unit}" for page in PAGES if page != MEASUREMENTS
             for value, unit in re.findall(r"(\d[\d,.]*)\s*(s|sec|seconds|min|minutes|h|hours)\b", text(page))
             if unit not in ("s", "sec", "seconds") or number(value) not in limits]
    assert not wrong, "durations that are no limit of the code (measured figures go to measurements.md):\n" + "\n".join(wrong)


STALE = [
    r"\b27\s*min",  # the suite before the Dask batch tests
    r"(?:~|about )\s*3\s*min",  # assignment 3 when the kernel trained a slower reference
    r"trusted as far as the kernel",  # before the grader trained assignment 3's model
    r"training itself runs in\s+the student's kernel",
]


@pytest.mark.parametrize("pattern", STALE)
def test_no_page_says_what_is_no_longer_true(pattern):
    """Does no page repeat a statement the code made false (the suite's old time, assignment 3 trained in the kernel)?"""
    said = [f"{where(page)}: {match.group(0)!r}" for page, content in all_text().items()
            for match in re.finditer(pattern, content)]
    assert not said, "\n".join(said)
