"""The `keras-course` command (also `python -m autograder`): parses arguments, calls one function per verb."""

import click

from autograder import __version__


@click.group()
@click.version_option(__version__, prog_name="keras-course")
def main():
    """Tools of the autograded Keras course."""


@main.command()
def demo():
    """Grade a demo class with nbgrader and print scores per student and per test."""
    from autograder.demo import run_demo

    run_demo(echo=click.echo)


@main.command()
def data():
    """Check the course's copy of MNIST and describe it."""
    from autograder.data import MNIST_PATH, file_sha256, load_raw_mnist

    (x_train, y_train), (x_test, y_test) = load_raw_mnist()
    click.echo(f"{MNIST_PATH}: sha256 {file_sha256()}")
    click.echo(f"train: {x_train.shape} {x_train.dtype}, labels {y_train.shape}")
    click.echo(f"test: {x_test.shape} {x_test.dtype}, labels {y_test.shape}")
