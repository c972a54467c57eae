import shutil
from pathlib import Path

from bot.nlu.training import INPUT_DIRS, INPUT_FILES, PROJECT, fingerprint, model_path


def _copy_project(tmp_path: Path) -> Path:
    for name in INPUT_FILES:
        shutil.copy(PROJECT / name, tmp_path / name)
    for folder in INPUT_DIRS:
        shutil.copytree(PROJECT / folder, tmp_path / folder)
    return tmp_path


def test_fingerprint_is_stable_and_follows_the_inputs(tmp_path):
    project = _copy_project(tmp_path)
    first = fingerprint(project)
    assert fingerprint(project) == first == fingerprint(PROJECT)
    nlu = project / "nlu_data" / "es" / "nlu.yml"
    nlu.write_text(nlu.read_text() + "\n# a comment is a change too\n")
    assert fingerprint(project) != first


def test_model_is_named_after_its_fingerprint(tmp_path):
    project = _copy_project(tmp_path)
    assert model_path(project).name == f"family-line-{fingerprint(project)}.tar.gz"
    assert model_path(project).parent == project / "models"
