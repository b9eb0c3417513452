"""The tests run against the installed wheel, not the source tree."""

import importlib.metadata
import pathlib

import celestra_engine
from celestra_engine import _native

from conftest import REPO


def test_imported_from_the_installed_wheel():
    here = pathlib.Path(celestra_engine.__file__).resolve()
    assert "site-packages" in here.parts, here
    assert REPO not in here.parents, f"imported from the source tree: {here}"
    native = pathlib.Path(_native.__file__).resolve()
    assert native.parent == here.parent
    assert native.name.startswith("_native.") and native.suffix == ".so", native.name
    assert ".abi3." in native.name, f"not an abi3 build: {native.name}"


def test_distribution_metadata():
    dist = importlib.metadata.distribution("celestra-engine")
    assert dist.version == celestra_engine.__version__
    files = {str(f) for f in dist.files or []}
    assert "celestra_engine/py.typed" in files
    assert "celestra_engine/_native.pyi" in files
    assert dist.metadata["Requires-Python"] == ">=3.9"
