"""What a transfer is given, checked before anything starts: upload.json, config files, destinations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rayvision_async.errors import InvalidInputError
from rayvision_async.transfer import CONFIG_ORDER, plan_upload
from rayvision_async.transfer._documents import check_task_id, config_files, writable_folder


def unreadable_file(tmp_path: Path) -> str:
    """A file this process cannot open for reading (root reads anything, so a write-only /proc file then)."""
    path = tmp_path / "secret.bin"
    path.write_bytes(b"x")
    path.chmod(0)
    try:
        open(path, "rb").close()
    except PermissionError:
        return str(path)
    for candidate in ("/proc/sys/vm/compact_memory", "/proc/1/mem"):
        try:
            open(candidate, "rb").close()
        except PermissionError:
            return candidate
        except OSError:
            continue
    pytest.skip("no unreadable file available to this user")


def files(tmp_path: Path, *names: str) -> list[Path]:
    made = []
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() * 10)
        made.append(path)
    return made


def test_a_good_upload_json_is_planned_with_sizes(tmp_path: Path) -> None:
    scene, texture = files(tmp_path, "scene.mb", "tex/a.png")
    document = {"asset": [{"local": str(scene), "server": "/D/scene.mb"},
                          {"local": str(texture), "server": "/D/tex/a.png", "extra": 1}], "scene": []}
    source = tmp_path / "upload.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    for given in (document, source, str(source)):
        plan = plan_upload(given)
        assert [(asset.local, asset.server) for asset in plan.assets] == [(str(scene), "/D/scene.mb"),
                                                                         (str(texture), "/D/tex/a.png")]
        assert plan.total_bytes == scene.stat().st_size + texture.stat().st_size
        assert plan.document == document


def test_a_relative_local_path_is_made_absolute_for_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    (scene,) = files(tmp_path, "work/scene.mb")
    monkeypatch.chdir(tmp_path)
    document = {"asset": [{"local": "work/scene.mb", "server": "/work/scene.mb", "extra": 1}]}
    plan = plan_upload(document)
    assert [asset.local for asset in plan.assets] == [str(scene)]
    # the engine runs in a folder of its own: it is given the path the check found
    assert plan.document == {"asset": [{"local": str(scene), "server": "/work/scene.mb", "extra": 1}]}
    assert document["asset"][0]["local"] == "work/scene.mb"  # the caller's document is not changed


def test_an_empty_asset_list_plans_nothing(tmp_path: Path) -> None:
    assert plan_upload({"asset": []}).assets == ()


@pytest.mark.parametrize(("document", "message"), [
    ({}, '"asset" list'),
    ({"asset": {"local": "a"}}, '"asset" list'),
    ({"asset": ["a"]}, "asset[0] is not"),
    ({"asset": [{"local": "", "server": "/a"}]}, "asset[0] is not"),
    ({"asset": [{"local": "a"}]}, "asset[0] is not"),
    ({"asset": [{"local": 3, "server": "/a"}]}, "asset[0] is not"),
])
def test_an_upload_json_of_the_wrong_shape_is_refused(document: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plan_upload(document)


def test_missing_folder_and_unreadable_files_are_all_named(tmp_path: Path) -> None:
    (good,) = files(tmp_path, "good.mb")
    unreadable = unreadable_file(tmp_path)
    document = {"asset": [{"local": str(good), "server": "/good.mb"},
                          {"local": str(tmp_path / "gone.mb"), "server": "/gone.mb"},
                          {"local": str(tmp_path), "server": "/folder"},
                          {"local": unreadable, "server": "/secret"},
                          {"local": "D:/work/windows.mb", "server": "/D/work/windows.mb"}]}
    with pytest.raises(InvalidInputError) as caught:
        plan_upload(document)
    message = str(caught.value)
    assert "4 problem(s)" in message
    assert f"{str(tmp_path / 'gone.mb')!r} does not exist" in message
    assert "is a folder" in message
    assert "cannot be read" in message
    assert "'D:/work/windows.mb' does not exist" in message


def test_two_files_for_one_server_path_are_refused(tmp_path: Path) -> None:
    first, second = files(tmp_path, "a.mb", "b.mb")
    with pytest.raises(InvalidInputError, match="where"):
        plan_upload({"asset": [{"local": str(first), "server": "/x"}, {"local": str(second), "server": "/x"}]})
    same = plan_upload({"asset": [{"local": str(first), "server": "/x"}, {"local": str(first), "server": "/x"}]})
    assert len(same.assets) == 2


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"asset": NaN}'])
def test_an_unreadable_upload_json_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "upload.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"upload\.json"):
        plan_upload(path)


def test_config_files_go_in_the_official_order(tmp_path: Path) -> None:
    made = files(tmp_path, "upload.json", "extra.txt", "task.json", "asset.json", "tips.json")
    ordered = config_files(made)
    assert [path.name for path in ordered] == [*CONFIG_ORDER, "extra.txt"]
    assert CONFIG_ORDER == ("task.json", "tips.json", "asset.json", "upload.json")


def test_config_files_must_exist_be_unique_and_be_given(tmp_path: Path) -> None:
    (task,) = files(tmp_path, "task.json")
    (other,) = files(tmp_path / "other", "task.json")
    with pytest.raises(InvalidInputError, match="does not exist"):
        config_files([task, tmp_path / "tips.json"])
    with pytest.raises(InvalidInputError, match=r"two files are named 'task\.json'"):
        config_files([task, other])
    with pytest.raises(InvalidInputError, match="no configuration file"):
        config_files([])
    with pytest.raises(InvalidInputError, match="not a file path"):
        config_files([task, 3])  # type: ignore[list-item]


def test_a_destination_is_created_and_must_be_writable(tmp_path: Path) -> None:
    created = writable_folder(tmp_path / "a" / "b")
    assert created.is_dir()
    assert os.listdir(created) == []
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InvalidInputError, match=r"cannot be written|is not a folder"):
        writable_folder(blocker / "sub")
    with pytest.raises(InvalidInputError, match="not a folder"):
        writable_folder(blocker)
    with pytest.raises(InvalidInputError):
        writable_folder("")


@pytest.mark.parametrize("task_id", [0, -1, True, "7", 1.0, 2**63, None])
def test_task_ids_are_positive_ints(task_id: object) -> None:
    with pytest.raises(InvalidInputError):
        check_task_id(task_id)
