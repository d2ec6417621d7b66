"""What every Python of the course's environment runs as it starts: `keras_course_startup.pth` imports this module.

jsonschema (which nbformat, nbgrader, Jupyter's server and events import) imports `rfc3987_syntax`
for its `iri` formats, and that package builds about 35 Earley parsers (Lark) as it is imported:
about 0.6-2 s of every nbgrader command, grading process and report, for formats no notebook
schema uses (jsonschema issue #1428). Here `rfc3987_syntax` is found first by `LazyIriSyntax`,
which gives jsonschema a module whose `is_valid_syntax` imports the real package the first time
it is called. Nothing else changes: no package is added or removed (licences as they were), and
an `iri` format is still checked by the real package.

The wheel installs `keras_course_startup.pth` beside the package (setup.py); `make setup`, whose
install is editable, writes the same file into the environment. It runs this file alone, not the
`autograder` package, whose `__init__` must run when a notebook first imports it.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import sys

LAZY = "rfc3987_syntax"
# The line of the .pth file, which Python runs at start-up (a line that starts with `import`). It runs this file as a
# module of its own, never the `autograder` package: the package's `__init__` must run when a notebook imports it.
# Where the package is gone (uninstalled, the .pth left behind) it does nothing, and says nothing on stderr.
PTH_LINE = (
    "import importlib.util as u; a = u.find_spec('autograder'); s = a and u.spec_from_file_location("
    "'keras_course_startup', a.submodule_search_locations[0] + '/startup.py'); m = s and u.module_from_spec(s); "
    "s and s.loader.exec_module(m); m and m.install()\n"
)
PTH_NAME = "keras_course_startup.pth"


class LazyIriSyntax(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `rfc3987_syntax` as a module that imports the real package on first use."""

    # Told apart by this mark, not by class: the .pth file runs this file as a module of its own, and a process may
    # import `autograder.startup` too, a second copy of the class.
    lazy_iri_syntax = True

    def find_spec(self, name, path=None, target=None):
        if name != LAZY:
            return None
        real = self.real_spec()
        if real is None:
            return None  # not installed: jsonschema goes without it, as it would
        spec = importlib.machinery.ModuleSpec(name, self, is_package=True)
        spec.submodule_search_locations = list(real.submodule_search_locations or [])
        return spec

    def real_spec(self):
        """The spec the other finders give `rfc3987_syntax` (this one set aside)."""
        for finder in sys.meta_path:
            if not getattr(finder, "lazy_iri_syntax", False) and hasattr(finder, "find_spec"):
                spec = finder.find_spec(LAZY, None)
                if spec is not None:
                    return spec
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        finder = self

        def load():
            """The real package, imported once (it then stands in `sys.modules`)."""
            real = sys.modules.get(LAZY)
            if real is not None and real is not module:
                return real
            spec = finder.real_spec()
            real = importlib.util.module_from_spec(spec)
            sys.modules[LAZY] = real
            try:
                spec.loader.exec_module(real)
            except BaseException:
                sys.modules[LAZY] = module
                raise
            return real

        def is_valid_syntax(*args, **kwargs):
            return load().is_valid_syntax(*args, **kwargs)

        module.is_valid_syntax = is_valid_syntax
        module.__getattr__ = lambda name: getattr(load(), name)


def install():
    """Put `LazyIriSyntax` first among the finders, once; nothing if `rfc3987_syntax` is imported already."""
    if LAZY in sys.modules or any(getattr(finder, "lazy_iri_syntax", False) for finder in sys.meta_path):
        return
    sys.meta_path.insert(0, LazyIriSyntax())


def write_pth(folder):
    """Write the .pth file into `folder` (the environment's site-packages), as `make setup` does."""
    from pathlib import Path

    (Path(folder) / PTH_NAME).write_text(PTH_LINE)
