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
    assert "demo" in result.output and "data" in result.output


def test_data_verb_describes_the_shipped_mnist():
    result = CliRunner().invoke(main, ["data"])
    assert result.exit_code == 0, result.output
    assert MNIST_SHA256 in result.output
    assert "(60000, 28, 28) uint8" in result.output


def test_unknown_verb_is_an_error():
    result = CliRunner().invoke(main, ["grade-everything"])
    assert result.exit_code == 2
    assert "No such command" in result.output
