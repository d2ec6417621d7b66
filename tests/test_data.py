"""Unit tests of autograder.data: loading the course's copy of MNIST and failing clearly when it is damaged."""

import hashlib
import re
import struct
import zipfile

import numpy as np
import pytest

from autograder.data import (
    MnistUnavailable,
    file_sha256,
    load_mnist,
    load_mnist_test,
    load_mnist_train,
    load_raw_mnist,
)
from autograder.settings import MNIST_PATH, MNIST_SHA256, MNIST_TEST_SIZE, MNIST_TRAIN_SIZE


@pytest.fixture(scope="module")
def raw():
    return load_raw_mnist()


@pytest.fixture(scope="module")
def scaled():
    return load_mnist()


def small_arrays(keys=("x_train", "y_train", "x_test", "y_test")):
    arrays = {
        "x_train": np.full((3, 28, 28), 255, "uint8"),
        "y_train": np.array([1, 2, 3], "uint8"),
        "x_test": np.zeros((2, 28, 28), "uint8"),
        "y_test": np.array([4, 5], "uint8"),
    }
    return {key: arrays[key] for key in keys}


def test_load_raw_mnist_shapes_and_dtypes(raw):
    (x_train, y_train), (x_test, y_test) = raw
    assert (x_train.shape, x_train.dtype) == ((60_000, 28, 28), np.uint8)
    assert (y_train.shape, y_train.dtype) == ((60_000,), np.uint8)
    assert (x_test.shape, x_test.dtype) == ((10_000, 28, 28), np.uint8)
    assert (y_test.shape, y_test.dtype) == ((10_000,), np.uint8)


def test_load_raw_mnist_pixels_span_0_to_255_and_labels_0_to_9(raw):
    (x_train, y_train), (x_test, y_test) = raw
    for images in (x_train, x_test):
        assert (images.min(), images.max()) == (0, 255)
    for labels in (y_train, y_test):
        assert set(np.unique(labels)) == set(range(10))


def test_load_raw_mnist_first_train_labels(raw):
    (_, y_train), _ = raw
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_load_raw_mnist_first_test_labels(raw):
    _, (_, y_test) = raw
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


def test_load_mnist_returns_float32_images_in_unit_interval_with_channel_axis(scaled):
    for images, size in zip((scaled[0][0], scaled[1][0]), (MNIST_TRAIN_SIZE, MNIST_TEST_SIZE)):
        assert (images.shape, images.dtype) == ((size, 28, 28, 1), np.float32)
        assert (images.min(), images.max()) == (0.0, 1.0)


def test_load_mnist_images_are_raw_pixels_divided_by_255(raw, scaled):
    np.testing.assert_array_equal(scaled[1][0][..., 0], raw[1][0].astype("float32") / 255)


def test_load_mnist_returns_int64_labels_equal_to_raw_labels(raw, scaled):
    for (_, labels), (_, raw_labels) in zip(scaled, raw):
        assert labels.dtype == np.int64
        np.testing.assert_array_equal(labels, raw_labels)


def test_load_mnist_test_returns_the_scaled_test_split(scaled):
    images, labels = load_mnist_test()
    np.testing.assert_array_equal(images, scaled[1][0])
    np.testing.assert_array_equal(labels, scaled[1][1])


def test_file_sha256_of_course_copy_equals_settings():
    assert file_sha256() == MNIST_SHA256
    assert file_sha256(str(MNIST_PATH)) == MNIST_SHA256


def test_file_sha256_is_sha256_of_file_bytes(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"mnist")
    assert file_sha256(path) == hashlib.sha256(b"mnist").hexdigest()


def test_load_raw_mnist_reads_any_npz_with_the_four_keys_from_a_str_path(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez_compressed(path, **small_arrays())
    (x_train, y_train), (x_test, y_test) = load_raw_mnist(str(path))
    assert (x_train.shape, y_train.tolist(), x_test.shape, y_test.tolist()) == ((3, 28, 28), [1, 2, 3], (2, 28, 28), [4, 5])


def test_load_mnist_scales_a_small_npz(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, **small_arrays())
    (x_train, y_train), (x_test, _) = load_mnist(path)
    assert (x_train.shape, x_train.max(), x_test.max()) == ((3, 28, 28, 1), 1.0, 0.0)
    assert y_train.dtype == np.int64


def test_load_mnist_train_returns_the_scaled_training_split(scaled):
    images, labels = load_mnist_train()
    np.testing.assert_array_equal(images, scaled[0][0])
    np.testing.assert_array_equal(labels, scaled[0][1])


def test_load_mnist_train_never_reads_the_test_split(tmp_path):
    """Does assignment 3's loader work on a file that holds no test split at all?"""
    path = tmp_path / "train_only.npz"
    np.savez(path, x_train=np.full((2, 28, 28), 255, np.uint8), y_train=np.array([3, 4], np.uint8))
    images, labels = load_mnist_train(path)
    assert images.shape == (2, 28, 28, 1) and images.max() == 1.0 and labels.tolist() == [3, 4]
    with pytest.raises(MnistUnavailable):
        load_mnist_test(path)


@pytest.mark.parametrize("loader", [load_raw_mnist, load_mnist, load_mnist_test, load_mnist_train])
def test_missing_path_raises_mnist_unavailable_naming_the_path(tmp_path, loader):
    path = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(MnistUnavailable) as failure:
        loader(path)
    message = str(failure.value)
    assert message.startswith(f"MNIST not found at {path}. ")
    assert f"`git checkout -- mnist.npz` in {path.parent}" in message
    assert MNIST_SHA256[:12] in message


def test_directory_instead_of_file_raises_mnist_unavailable(tmp_path):
    with pytest.raises(MnistUnavailable, match="MNIST not found at"):
        load_raw_mnist(tmp_path)


@pytest.mark.parametrize(
    "content",
    [np.random.default_rng(0).bytes(1000), b""],
    ids=["random-bytes", "empty"],
)
def test_corrupt_file_raises_mnist_unavailable_naming_the_path(tmp_path, content):
    path = tmp_path / "mnist.npz"
    path.write_bytes(content)
    with pytest.raises(MnistUnavailable) as failure:
        load_raw_mnist(path)
    assert str(failure.value).startswith(f"MNIST at {path} is unreadable or incomplete (")
    assert "Restore it from the course repository" in str(failure.value)


def test_truncated_course_copy_raises_mnist_unavailable_naming_the_path(tmp_path):
    path = tmp_path / "mnist.npz"
    data = MNIST_PATH.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MnistUnavailable, match=f"MNIST at {re.escape(str(path))} is unreadable or incomplete"):
        load_raw_mnist(path)


def test_npz_missing_a_key_raises_mnist_unavailable_naming_path_and_key(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, **small_arrays(keys=("x_train", "y_train", "x_test")))
    with pytest.raises(MnistUnavailable) as failure:
        load_raw_mnist(path)
    message = str(failure.value)
    assert message.startswith(f"MNIST at {path} is unreadable or incomplete (")
    assert "y_test" in message


def test_npz_with_pickled_arrays_raises_mnist_unavailable(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, **{**small_arrays(), "y_test": np.array([4, None], dtype=object)})
    with pytest.raises(MnistUnavailable, match=f"MNIST at {re.escape(str(path))} is unreadable or incomplete"):
        load_raw_mnist(path)


def corrupt_deflate_stream(path, member):
    """Overwrite the first bytes of a compressed member's data with an invalid deflate block type."""
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(member).header_offset
    data = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack("<HH", data[offset + 26:offset + 30])
    start = offset + 30 + name_length + extra_length
    data[start:start + 4] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))


def test_damaged_compressed_member_raises_mnist_unavailable(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez_compressed(path, **small_arrays())
    corrupt_deflate_stream(path, "y_test.npy")
    with pytest.raises(MnistUnavailable, match=f"MNIST at {re.escape(str(path))} is unreadable or incomplete"):
        load_raw_mnist(path)


def test_npy_file_instead_of_npz_raises_mnist_unavailable(tmp_path):
    path = tmp_path / "mnist.npz"
    with path.open("wb") as file:
        np.save(file, np.zeros((2, 28, 28), "uint8"))
    with pytest.raises(MnistUnavailable, match=f"MNIST at {re.escape(str(path))} is unreadable or incomplete"):
        load_raw_mnist(path)
