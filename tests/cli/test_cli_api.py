"""``rayvision-async api GROUP METHOD``: every row of the endpoint table is a command, on both path sets.

The exhaustive tests run the command line in this process against ``--simulate`` (a hundred runs in a few
seconds); the others run it as a subprocess against a ``rayvision-async simulate`` server, one per module.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections.abc import Iterator

import pytest
from cli_harness import Cli, Server, free_port, simulate_server

from rayvision_async.api._table import ROWS
from rayvision_async.cli import main
from rayvision_async.cli._api_spec import kebab
from rayvision_async.cli._generate_api import main as generate
from rayvision_async.cli._output import HIDDEN
from rayvision_async.cli._parser import build_parser

ENV = '{"cgId": 2000, "cgName": "Maya", "cgVersion": "2020", "editName": "team", "renderSystem": 1, "pluginIds": []}'
#: Arguments for each row, against the --simulate farm (tasks 19097-19101; 19099 has failed frames).
SAMPLES: dict[str, list[str]] = {
    "query_user_profile": [], "query_user_setting": [], "update_user_settings": ["--task-over-time", "7200"],
    "get_transfer_bid": [], "get_hardware_config": [], "task_record": [], "login_record": [],
    "create_task": ["--count", "2"], "submit_task": ["--task-id", "19101"],
    "stop_task": ["--task-param-list", "19101"], "start_task": ["--task-param-list", "19101"],
    "abort_task": ["--task-param-list", "19101"], "delete_task": ["--task-param-list", "19101"],
    "update_priority": ["--task-id", "19101", "--priority", "80"],
    "set_task_overtime_stop": ["--task-id-list", "19101", "--overtime", "3600"],
    "full_speed": ["--task-id-list", "19101"], "update_task_limit": ["--task-id", "19101", "--task-limit", "3"],
    "edit_task_hardware_config": ["--task-ids", "19101", "--hardware-config-ids", "1", "--model", "Default",
                                  "--gpu-num", "0", "--ram", "64GB"],
    "platforms": [], "error_detail": ["--code", "15000"], "get_task_list": [], "task_frames": ["--task-id", "19099"],
    "all_frame_status": [], "restart_failed_frames": ["--task-param-list", "19099"],
    "restart_frame": ["--task-id", "19099", "--select-all", "0", "--ids-list", "1546620"],
    "task_info": ["--task-ids-list", "19097", "19098"], "supported_software": [],
    "supported_plugin": ["--name", "maya"], "get_transfer_server_msg": [], "get_raysync_user_key": [],
    "get_task_processing_img": ["--task-id", "19097"], "get_frame_thumbnail": ["--frame-id", "1546598"],
    "stop_frame": ["--task-id", "19101"], "get_render_log": ["--frame-id", "1546620"], "get_pack_node_info": [],
    "add_label": ["--new-name", "shots"], "delete_label": ["--del-name", "shots"], "get_label_list": [],
    "add_task_tag": ["--tag", "hero", "--task-ids", "19097"],
    "delete_task_tag": ["--task-ids", "19097", "--label-names", "hero"], "get_list": [],
    "add_render_env": ["--data", ENV], "update_render_env": ["--data", ENV],
    "delete_render_env": ["--edit-name", "team"],
    "set_default_render_env": ["--edit-name", "team"], "get_render_env": [],
    "upload_json_content": ["--task-id", "19101", "--content", '{"a": 1}'], "get_transfer_config": [],
    "get_output_files": ["--task-id", "19097"],
}
#: Rows whose sample the fresh farm refuses for its state (the thing named does not exist, the task was
#: submitted already): the refusal names the row's path, so the request reached the right endpoint.
REFUSED_BY_STATE = {"submit_task", "delete_label", "update_render_env", "delete_render_env", "set_default_render_env",
                    "upload_json_content"}


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's own exit (help, usage errors)
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_the_generated_command_data_is_fresh() -> None:
    assert generate(["--check"]) == 0, "run: python -m rayvision_async.cli._generate_api"


def _api_commands() -> dict[tuple[str, str], argparse.ArgumentParser]:
    commands: dict[tuple[str, str], argparse.ArgumentParser] = {}

    def children(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    for group, group_parser in children(children(build_parser(full=True))["api"]).items():
        for name, method_parser in children(group_parser).items():
            commands[(group, name)] = method_parser
    return commands


def test_every_row_of_the_table_has_its_command_and_no_command_is_extra() -> None:
    commands = _api_commands()
    assert set(commands) == {(row.group, kebab(row.name)) for row in ROWS.values()}
    assert set(SAMPLES) == set(ROWS)  # a new row needs a sample here
    for row in ROWS.values():
        flags = {option for action in commands[(row.group, kebab(row.name))]._actions
                 for option in action.option_strings}
        for param in row.params:
            if param.alias_for is None:
                assert f"--{kebab(param.name)}" in flags or f"--param-{kebab(param.name)}" in flags, param.name


@pytest.mark.parametrize("protocol", ["current", "2018"])
def test_every_row_runs_on_both_path_sets_or_is_refused_in_one_line(protocol: str) -> None:
    for name, row in ROWS.items():
        code, out, err = _run("api", row.group, kebab(name), "--simulate", "--protocol", protocol, *SAMPLES[name])
        path = row.path if protocol == "current" else row.legacy_path
        if path is None:
            assert code == 2, (name, err)
            assert out == ""
            assert err == (f"rayvision-async: api: the 2018 path set has no {row.group}.{name} "
                           "(use --protocol current)\n")
        elif name in REFUSED_BY_STATE:
            assert code == 1, (name, err)
            assert path in err
            assert err.count("\n") == 1
        else:
            assert code == 0, (name, protocol, err)
            assert err == ""
            json.loads(out)  # the result is JSON, whatever it is


def test_a_parameter_the_2018_set_lacks_is_refused_before_anything_is_sent() -> None:
    code, out, err = _run("api", "query", "get-task-list", "--simulate", "--protocol", "2018", "--search-keyword", "x")
    assert code == 2
    assert out == ""
    assert "search_keyword" in err
    assert "2018" in err
    assert err.count("\n") == 1


def test_results_are_snake_case_typed_json() -> None:
    code, out, _ = _run("api", "query", "task-info", "--simulate", "--task-ids-list", "19097", "19099")
    assert code == 0
    page = json.loads(out)
    first, second = page["items"]
    assert (first["id"], second["id"]) == (19097, 19099)
    assert first["task_status"] == 25  # an enum is its code
    assert isinstance(first["render_consume"], float)  # money is a number
    assert first["submit_date"].endswith("+00:00")  # a time is ISO 8601, UTC
    assert "taskStatus" not in first


def test_secrets_are_hidden_unless_asked_for() -> None:
    code, out, _ = _run("api", "query", "get-raysync-user-key", "--simulate")
    assert code == 0
    hidden = json.loads(out)
    assert hidden["user_key"] == HIDDEN
    assert hidden["ray_sync_user_key"] == HIDDEN
    assert hidden["user_name"] not in (None, HIDDEN)  # only the secret fields are hidden
    code, out, _ = _run("api", "query", "get-raysync-user-key", "--simulate", "--show-secrets")
    shown = json.loads(out)
    secret = {"user_key", "ray_sync_user_key", "signature"}  # the fields RaySyncUserKey keeps out of its repr
    assert {key for key, value in hidden.items() if value == HIDDEN} == secret
    assert all(shown[key] not in (None, HIDDEN) for key in secret)
    assert set(shown) == set(hidden)


# -- as a subprocess, against one `rayvision-async simulate` server for the module ----------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    yield from simulate_server(tasks=3)


def test_api_over_http_prints_json_a_script_can_read(cli: Cli, server: Server) -> None:
    done = cli.run("api", "query", "task-info", "--base-url", server.base_url, "--task-ids-list", "19097", "19098",
                   env=server.env)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert [task["id"] for task in json.loads(done.stdout)["items"]] == [19097, 19098]
    listed = cli.run("api", "query", "get-task-list", "--base-url", server.base_url, "--protocol", "2018",
                     "--page-size", "2", env=server.env)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["items"]) == 2


@pytest.mark.parametrize(("args", "mentions"), [
    (["query", "task-info", "--task-ids-list", "0"], "task_ids_list"),  # the library's kind: ids are at least 1
    (["query", "task-info", "--task-ids-list", "x"], "--task-ids-list"),  # not a whole number: argparse
    (["query", "task-info"], "--task-ids-list"),  # a required keyword
    (["task", "update-priority", "--task-id", "1", "--priority", "101"], "priority"),
    (["query", "platforms", "--zone", "3"], "zone"),
    (["env", "add-render-env", "--data", "[1]"], "--data"),
    (["env", "add-render-env", "--data", '{"cgId": 1}'], "data"),
    (["query", "supported-plugin", "--name", "blender3000"], "unknown DCC"),
    (["query", "no-such-method"], "no-such-method"),
    (["user", "get-hardware-config", "--protocol", "2018"], "2018"),
])
def test_bad_arguments_exit_2_in_one_line_before_any_request(cli: Cli, args: list[str], mentions: str) -> None:
    # nothing listens at this URL: a request would end in exit code 4
    done = cli.run("api", *args, "--base-url", f"http://127.0.0.1:{free_port()}",
                   env={"RAYVISION_API_ACCESS_ID": "abcd", "RAYVISION_API_KEY": "efgh"})
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert mentions in done.stderr
    assert "Traceback" not in done.stderr


def test_json_documents_come_from_files_and_standard_input(cli: Cli, server: Server, tmp_path: object) -> None:
    from pathlib import Path

    document = Path(str(tmp_path)) / "env.json"
    document.write_text(ENV.replace("team", "from-file"), encoding="utf-8")
    done = cli.run("api", "env", "add-render-env", "--base-url", server.base_url, "--data", f"@{document}",
                   env=server.env)
    assert done.returncode == 0, done.stderr
    piped = cli.run("api", "env", "add-render-env", "--base-url", server.base_url, "--data", "@-",
                    input=ENV.replace("team", "from-stdin"), env=server.env)
    assert piped.returncode == 0, piped.stderr
    listed = cli.run("api", "env", "get-render-env", "--base-url", server.base_url, env=server.env)
    names = {env["edit_name"] for env in json.loads(listed.stdout)}
    assert {"from-file", "from-stdin"} <= names


def test_api_help_lists_groups_and_methods(cli: Cli) -> None:
    top = cli.run("api", "--help")
    assert top.returncode == 0
    assert all(group in top.stdout for group in ("user", "task", "query", "tag", "env", "transmit"))
    group = cli.run("api", "query", "--help")
    assert "task-info" in group.stdout
    assert "get-render-log" in group.stdout
    method = cli.run("api", "query", "task-info", "--help")
    assert "--task-ids-list" in method.stdout
    assert "--show-secrets" in method.stdout
