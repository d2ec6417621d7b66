from click.testing import CliRunner

from autograder import __version__
from autograder.cli import main
from autograder.settings import MNIST_SHA256


def test_version_prints_the_package_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_the_verbs():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert all(verb in result.output for verb in ("demo", "data", "check", "grade", "report"))


def test_data_verb_describes_the_shipped_mnist():
    result = CliRunner().invoke(main, ["data"])
    assert result.exit_code == 0, result.output
    assert MNIST_SHA256 in result.output
    assert "(60000, 28, 28) uint8" in result.output


def test_unknown_verb_is_an_error():
    result = CliRunner().invoke(main, ["grade-everything"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_grade_outside_a_course_folder_says_where_to_run_it(tmp_path):
    result = CliRunner().invoke(main, ["grade", "01_fix_simplenet", "--course", str(tmp_path)])
    assert result.exit_code == 2
    assert "has no nbgrader_config.py: run this in the course folder, or give --course" in result.output


def test_grade_of_an_assignment_the_course_does_not_have_is_refused(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    result = CliRunner().invoke(main, ["grade", "04_nothing", "--course", str(tmp_path)])
    assert result.exit_code == 2
    assert "has no source/04_nothing" in result.output
