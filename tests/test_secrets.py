"""The grader's secrets stay out of a student's reach: no hidden case is importable from a student's kernel.

The hidden cases of a test are written in its cell's `### BEGIN HIDDEN TESTS` region in
`source/`, which nbgrader strips from `release/`; the checks they call are in the
`autograder` package, which a student's kernel imports. So the package must not hold them.

`hidden_values()` parses every hidden region of every source notebook and takes the literal
arguments of its calls, and the elements of those that are lists or tuples of cases:
`(12, 12, 1)`, `[(3, 4), (20, 1), (256, 16)]`, `(28, 4, 1, "same", "Conv2D")`. A number or a word
on its own (`5`, `"tanh"`) is not a secret and is not searched. A real python3 kernel, started
as Jupyter starts a student's (the venv's `python3` kernelspec, cwd a temporary folder holding
the released notebook, no PYTHONPATH), imports every module of `autograder` and sends back the
text of every `.py` file of the package and the values its modules hold (module constants,
class attributes, function defaults, the constants compiled into function bodies). The test
searches those for the hidden values: as text (whitespace and quotes normalised), as literals
of the files' syntax trees, and as values nested anywhere in the constants. The search
functions are shown to find each hidden value planted in a copy of the package's files.
"""

import ast
import functools
import json
import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from autograder.assignments import all_assignments
from autograder.settings import COURSE_ROOT

PACKAGE = COURSE_ROOT / "autograder"
BEGIN, END = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
KERNEL_TIMEOUT = 300

# Hidden values that a visible test uses as well, so a student already sees them: not secrets.
ALSO_VISIBLE = {
    "(5,)": "output_layer_sizes=(5,) is the visible case of check_output_size (test simplenet_other_sizes)",
    "(3,4)": "(3, 4) is the visible case of check_dense_in_sequential (test dense_layer_any_input)",
}


@dataclass(frozen=True)
class Hidden:
    """One hidden value: where it is written, its source text normalised, and its value (None if not a literal)."""

    where: str
    text: str
    value: object = None

    def __str__(self):
        return f"{self.text} (hidden in {self.where})"


def normalise_text(text):
    """Source text with no whitespace, one kind of quote, and no trailing comma before "]"."""
    text = re.sub(r"\s+", "", text).replace("'", '"')
    return re.sub(r",(?=\])", "", text)


def freeze(value):
    """A value comparable whatever its container: lists and tuples become tuples, sets and dicts frozensets."""
    if isinstance(value, dict):
        return frozenset((freeze(key), freeze(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(freeze(item) for item in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(freeze(item) for item in value)
    return value


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def hidden_regions(source):
    """The text of each hidden region of a cell's source (the lines between the markers)."""
    regions, current = [], None
    for line in source.splitlines():
        if BEGIN in line:
            current = []
        elif END in line and current is not None:
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def hidden_cells():
    """(grade id, [hidden region text]) of every cell of every source notebook with a hidden region."""
    found = []
    for owner in all_assignments():
        for cell in nbformat.read(COURSE_ROOT / "source" / owner.name / owner.filename, as_version=4).cells:
            regions = hidden_regions(cell.source)
            if regions:
                found.append((f"{owner.name}/{cell.metadata.get('nbgrader', {}).get('grade_id')}", regions))
    return found


def hidden_values():
    """Every hidden argument: the literal arguments of calls in hidden regions, and their list or tuple elements."""
    values = {}
    for where, regions in hidden_cells():
        for region in regions:
            region = textwrap.dedent(region)
            for call in (node for node in ast.walk(ast.parse(region)) if isinstance(node, ast.Call)):
                for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
                    if not isinstance(argument, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                        continue  # a number or a word on its own is no secret
                    nodes = [argument, *(argument.elts if isinstance(argument, (ast.Tuple, ast.List)) else ())]
                    for node in nodes:
                        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                            text = normalise_text(ast.get_source_segment(region, node))
                            literal = _literal(node)
                            values.setdefault(text, Hidden(where, text, None if literal is None else freeze(literal)))
    return list(values.values())


def hidden_lines():
    """The lines of the hidden regions that carry code or words (not a lone bracket)."""
    return sorted({
        line.strip() for _, regions in hidden_cells() for region in regions for line in region.splitlines()
        if re.search(r"\w", line)
    })


HIDDEN = hidden_values()
SECRETS = [hidden for hidden in HIDDEN if hidden.text not in ALSO_VISIBLE]


# The search ------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _index_file(text):
    """A file's text normalised, and {literal value: first line} of the tuples, lists and sets its syntax tree holds."""
    literals = {}
    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree = None
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            literal = _literal(node)
            if literal is not None:
                literals.setdefault(freeze(literal), node.lineno)
    return normalise_text(text), literals


def leaks_in_files(files, secrets):
    """Where each secret is in `files` ({path: text}): in the text (normalised), or as a literal of its syntax tree."""
    leaks = []
    for path, text in sorted(files.items()):
        flat, literals = _index_file(text)
        for secret in secrets:
            if secret.text in flat:
                leaks.append(f"{path}: the text of {secret}")
        for secret in secrets:
            if secret.value is not None and secret.value in literals:
                leaks.append(f"{path}, line {literals[secret.value]}: the value of {secret}")
    return leaks


class _Pairs(tuple):
    """A dict's items, walked key by key and value by value (never as a tuple)."""


def thaw(encoded):
    """The value the kernel encoded (see WALK): sequences as tuples, sets as frozensets, dicts as `_Pairs`."""
    if isinstance(encoded, dict):
        if "seq" in encoded:
            return tuple(thaw(item) for item in encoded["seq"])
        if "set" in encoded:
            return frozenset(thaw(item) for item in encoded["set"])
        if "dict" in encoded:
            return _Pairs(item for pair in encoded["dict"] for item in (thaw(pair[0]), thaw(pair[1])))
    return encoded


def _nested(value):
    yield value
    if isinstance(value, (tuple, frozenset)):
        for item in value:
            yield from _nested(item)


def leaks_in_values(values, secrets):
    """Where each secret is among `values` ({where: value}), nested anywhere, or as text inside a string."""
    leaks = []
    for where, value in sorted(values.items()):
        for item in _nested(value):
            for secret in secrets:
                if not isinstance(item, _Pairs) and secret.value is not None and item == secret.value:
                    leaks.append(f"{where}: holds the value of {secret}")
                elif isinstance(item, str) and len(item) >= len(secret.text) and secret.text in normalise_text(item):
                    leaks.append(f"{where}: a string holds the text of {secret}")
    return leaks


# What a student's kernel can import ------------------------------------------------------------------------------

# Runs in the kernel. `autograder.__main__` runs the command line when imported: its text is read, it is not imported.
WALK = r'''
import importlib, inspect, json, pkgutil, sys, types
from pathlib import Path

import autograder

def encode(value, depth=0):
    if depth > 12:
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return {"seq": [encode(item, depth + 1) for item in value]}
    if isinstance(value, (set, frozenset)):
        return {"set": [encode(item, depth + 1) for item in value]}
    if isinstance(value, dict):
        return {"dict": [[encode(key, depth + 1), encode(item, depth + 1)] for key, item in value.items()]}
    if type(value).__module__ == "numpy":
        if getattr(value, "ndim", None) == 0 or not hasattr(value, "tolist"):
            return encode(value.item(), depth + 1) if hasattr(value, "item") else None
        return encode(value.tolist(), depth + 1) if value.size <= 100_000 else None
    return None

def code_constants(code):
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from code_constants(constant)
        else:
            yield constant

def function_values(prefix, function):
    function = inspect.unwrap(function)
    found = {}
    if getattr(function, "__defaults__", None):
        found[f"{prefix} (defaults)"] = encode(function.__defaults__)
    if getattr(function, "__kwdefaults__", None):
        found[f"{prefix} (keyword defaults)"] = encode(function.__kwdefaults__)
    if hasattr(function, "__code__"):
        found[f"{prefix} (constants of its code)"] = encode(tuple(code_constants(function.__code__)))
    return found

errors, modules = {}, {"autograder": autograder}
for info in pkgutil.walk_packages(autograder.__path__, "autograder.", onerror=lambda name: errors.setdefault(name, "walk")):
    if info.name.rsplit(".", 1)[-1] == "__main__":
        continue
    try:
        modules[info.name] = importlib.import_module(info.name)
    except Exception as error:
        errors[info.name] = f"{type(error).__name__}: {error}"

values = {}
for name, module in modules.items():
    for attribute, value in vars(module).items():
        where = f"{name}.{attribute}"
        if inspect.ismodule(value) or attribute.startswith("__") and attribute != "__all__":
            continue
        if inspect.isfunction(value) or inspect.ismethod(value):
            if getattr(value, "__module__", None) == name:
                values.update(function_values(where, value))
        elif inspect.isclass(value):
            if value.__module__ != name:
                continue
            for member, item in vars(value).items():
                item = getattr(item, "__func__", item)
                if isinstance(item, property):
                    item = item.fget
                if inspect.isfunction(item):
                    values.update(function_values(f"{where}.{member}", item))
                elif not member.startswith("__"):
                    values[f"{where}.{member}"] = encode(item)
            fields = getattr(value, "__dataclass_fields__", {})
            values.update({f"{where}.{field} (field default)": encode(spec.default) for field, spec in fields.items()})
        elif not callable(value):
            values[where] = encode(value)

root = Path(autograder.__file__).resolve().parent
files = {
    str(path.relative_to(root.parent)): path.read_text(encoding="utf-8")
    for path in sorted(root.rglob("*.py")) if "__pycache__" not in path.parts
}
Path("walk.json").write_text(json.dumps({
    "cwd": str(Path.cwd()), "root": str(root), "sys_path": sys.path, "modules": sorted(modules),
    "errors": errors, "values": values, "files": files,
}))
'''


@pytest.fixture(scope="module")
def student_kernel(tmp_path_factory):
    """What a fresh python3 kernel, started in a folder holding a released notebook, can import of `autograder`."""
    folder = tmp_path_factory.mktemp("student")
    owner = all_assignments()[1]
    shutil.copy2(COURSE_ROOT / "release" / owner.name / owner.filename, folder / owner.filename)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    client = NotebookClient(
        new_notebook(cells=[new_code_cell(WALK)]), timeout=KERNEL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute(env=env)
    walk = json.loads((folder / "walk.json").read_text())
    walk["folder"] = str(folder)
    return walk


def test_the_kernel_is_a_students(student_kernel):
    """Did the kernel run in the temporary folder, without the repository on its path, and import every module?"""
    assert Path(student_kernel["cwd"]).resolve() == Path(student_kernel["folder"]).resolve()
    assert not {str(COURSE_ROOT), str(COURSE_ROOT / "tests")} & set(student_kernel["sys_path"]), student_kernel["sys_path"]
    assert Path(student_kernel["root"]) == PACKAGE.resolve()
    assert student_kernel["errors"] == {}
    expected = {
        ".".join(path.relative_to(COURSE_ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts and path.stem != "__main__"
    }
    assert set(student_kernel["modules"]) == expected
    assert set(student_kernel["files"]) == {
        str(path.relative_to(COURSE_ROOT)) for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts
    }
    assert len(student_kernel["values"]) > 100


def test_the_notebooks_have_hidden_values():
    """Does the scan find the hidden cases, so the searches below search for something?"""
    texts = {hidden.text for hidden in HIDDEN}
    for expected in ['(28,4,1,"same","Conv2D")', "(32,32,3)", "[(3,4),(20,1),(256,16)]", "(12,12,1)", "(64,32)"]:
        assert expected in texts, sorted(texts)
    assert set(ALSO_VISIBLE) <= texts, "an ALSO_VISIBLE value is no longer hidden: remove it"


def test_no_hidden_value_is_in_the_package_files(student_kernel):
    """Does no .py file of the importable package hold a hidden case, as text or as a literal?"""
    leaks = leaks_in_files(student_kernel["files"], SECRETS)
    assert not leaks, "hidden test values in the package a student's kernel imports:\n" + "\n".join(leaks)


def test_no_hidden_value_is_held_by_an_imported_module(student_kernel):
    """Does no module of the package hold a hidden case among its constants, defaults or compiled literals?"""
    values = {where: thaw(value) for where, value in student_kernel["values"].items()}
    leaks = leaks_in_values(values, SECRETS)
    assert not leaks, "hidden test values in the package a student's kernel imports:\n" + "\n".join(leaks)


def test_release_notebooks_hold_no_hidden_test():
    """Does no released notebook hold a hidden region, its markers or any line of one?"""
    lines = hidden_lines()
    assert len(lines) > 10
    for owner in all_assignments():
        path = COURSE_ROOT / "release" / owner.name / owner.filename
        cells = nbformat.read(path, as_version=4).cells
        text = "\n".join(cell.source for cell in cells)
        assert BEGIN not in text and END not in text, path
        released = {line.strip() for line in text.splitlines()}
        assert not sorted(released & set(lines)), f"{path}: {sorted(released & set(lines))}"
        source = nbformat.read(COURSE_ROOT / "source" / owner.name / owner.filename, as_version=4).cells
        tests = [cell.metadata.nbgrader.grade_id for cell in source if cell.metadata.get("nbgrader", {}).get("grade")]
        assert [cell.metadata.nbgrader.grade_id for cell in cells if cell.metadata.get("nbgrader", {}).get("grade")] == tests


# The search finds what is planted ----------------------------------------------------------------------------------


@functools.cache
def _package_files():
    return tuple(
        (str(path.relative_to(COURSE_ROOT)), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in path.parts
    )


def package_files():
    """{path: text} of the package's .py files, read in this process (the kernel test reads them in the kernel)."""
    return dict(_package_files())


@pytest.mark.parametrize("secret", SECRETS, ids=lambda secret: secret.text)
def test_a_planted_hidden_value_is_found_in_the_files(secret):
    """Is each hidden value found when planted in a copy of checks.py, as written and reformatted?"""
    files = package_files()
    assert not leaks_in_files(files, [secret])
    path = "autograder/assignments/layers_and_cnn/checks.py"
    planted = dict(files, **{path: files[path] + f"\n_CASES = [\n    {secret.text.replace(',', ', ')},\n]\n"})
    assert any(leak.startswith(path) and secret.text in leak for leak in leaks_in_files(planted, [secret]))
    if secret.value is not None:
        # Written differently (no trailing comma kept, other quotes, one line): found as a literal.
        rewritten = dict(files, **{path: files[path] + f"\n_CASES = ({secret.value!r},)\n"})
        assert any(f"{path}, line" in leak for leak in leaks_in_files(rewritten, [secret]))


@pytest.mark.parametrize("secret", [secret for secret in SECRETS if secret.value is not None], ids=lambda s: s.text)
def test_a_planted_hidden_value_is_found_among_module_values(secret):
    """Is each hidden value found held by a module, nested in a constant, a dict or a string?"""
    encoded = {"seq": [{"seq": [1, 2]}, {"dict": [["cases", {"set": [_encode(secret.value)]}]]}]}
    values = {"autograder.shared_checks._CASES": thaw(encoded), "autograder.shared_checks.NOTE": f"also {secret.text}"}
    leaks = leaks_in_values(values, [secret])
    assert any(leak.startswith("autograder.shared_checks._CASES") for leak in leaks), leaks
    assert any(leak.startswith("autograder.shared_checks.NOTE") for leak in leaks), leaks
    assert not leaks_in_values({"autograder.shared_checks.OTHER": thaw({"seq": [7, "x"]})}, [secret])


def _encode(value):
    """As the kernel encodes a value (see WALK)."""
    if isinstance(value, (tuple, list)):
        return {"seq": [_encode(item) for item in value]}
    if isinstance(value, frozenset):
        return {"set": [_encode(item) for item in value]}
    return value


def test_the_kernel_walk_finds_the_values_visible_tests_share(student_kernel):
    """Does the whole search, on what the kernel sent, find the hidden values a visible test uses too (ALSO_VISIBLE)?

    These are in the package on purpose, so the walk and the search are shown to find a value the package
    really holds, as text, as a literal and as a value of an imported module; a value no longer there is
    dropped from ALSO_VISIBLE.
    """
    visible = [hidden for hidden in HIDDEN if hidden.text in ALSO_VISIBLE]
    assert len(visible) == len(ALSO_VISIBLE)
    in_files = leaks_in_files(student_kernel["files"], visible)
    in_values = leaks_in_values({where: thaw(value) for where, value in student_kernel["values"].items()}, visible)
    for hidden in visible:
        assert any(f"the text of {hidden.text} " in leak for leak in in_files), (hidden, in_files)
        assert any(f"the value of {hidden.text} " in leak for leak in in_files), (hidden, in_files)
        assert any(f"holds the value of {hidden.text} " in leak for leak in in_values), (hidden, in_values)


def test_hidden_regions_are_read_as_nbgrader_strips_them():
    """Are the lines between the markers, and only those, read as a hidden region?"""
    source = 'check(a)\n### BEGIN HIDDEN TESTS\ncheck(b, (1, 2))\n### END HIDDEN TESTS\ncheck(c)\n'
    assert hidden_regions(source) == ["check(b, (1, 2))"]
    assert hidden_regions("check(a)\n") == []
