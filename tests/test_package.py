"""The package's boundaries: digits/ never touches the UI, and serving never loads TensorFlow."""

import ast

from conftest import ROOT, fresh_python

MODULES = sorted((ROOT / "digits").rglob("*.py"))


def test_no_module_in_the_package_imports_streamlit():
    """Pages draw, digits/ thinks: no file under digits/ imports streamlit."""
    offenders = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(name.split(".")[0] == "streamlit" for name in names):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_reading_a_digit_loads_neither_tensorflow_nor_streamlit():
    """The serving path (preprocess, NumPy network, reader) imports no heavy framework."""
    script = (
        "import sys, numpy as np\n"
        "from digits.predict import active_recognizer\n"
        "from digits.reader import read_page\n"
        "page = np.full((200, 300, 3), 255, np.uint8); page[50:150, 140:150] = 0\n"
        "print(active_recognizer().predict(page).digit, read_page(page).text)\n"
        "print([m for m in ('tensorflow', 'keras', 'streamlit') if m in sys.modules])\n"
    )
    first, loaded = fresh_python(script).strip().splitlines()
    assert first == "1 1" and loaded == "[]"
