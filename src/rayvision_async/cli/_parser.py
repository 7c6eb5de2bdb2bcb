"""The ``rayvision-async`` parser: every command, its options, and which module runs it.

Building the parser imports only this package's light modules (the ``api``
tree comes from the plain data of ``_generated_api``), so ``--help``,
``--version`` and a bad argument (one line on stderr, exit code 2) cost no SDK
import. Each command records in ``run`` the module and function that run it
(``"_tasks:run_stop"``); :mod:`._run` imports that module only when the
command runs.
"""

from __future__ import annotations

import argparse
import sys

from .._version import __version__
from ._api_spec import MANY, SHAPES, Method, ShapeError, convert
from ._exit import PROG
from ._generated_api import METHODS
from ._options import (
    OneLineParser,
    base_url,
    frame_statuses,
    integer,
    number,
    port,
    profile_name,
    statuses,
    task_id_or_dash,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing would cost the parser ~10 ms
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    Builder = Callable[[OneLineParser], None]
    Commands = argparse._SubParsersAction[OneLineParser]

__all__ = ["API_GROUPS", "COMMANDS", "EPILOG", "build_parser", "connection_options"]


EPILOG = ("Exit codes: 0 ok, 1 the service refused (or does not know an id), 2 bad usage, 3 configuration, "
          "4 network, 5 watch: a task failed or was abandoned, 6 watch: a task was stopped, 130 interrupted, "
          "141 stdout closed.")
#: The endpoint groups, in the order of the endpoint table.
API_GROUPS = {"user": "the account: profile, settings, records, hardware",
              "task": "create, submit, stop, start, abandon, delete, prioritise tasks",
              "query": "tasks, frames, logs, software, transfer servers",
              "tag": "project labels and task labels",
              "env": "render environments",
              "transmit": "task.json upload, transfer settings, output files"}


def _command(commands: Commands, name: str, run: str, help_text: str, description: str | None = None
             ) -> OneLineParser:
    sub: OneLineParser = commands.add_parser(name, help=help_text, description=description or help_text)
    sub.set_defaults(run=run)
    return sub


def connection_options(sub: argparse.ArgumentParser, *, json_help: str = "print JSON for scripts, not a table"
                       ) -> None:
    """The options of every command that talks to the service: where, who, which path set; ``--json``."""
    group = sub.add_argument_group("connection (a flag wins over a RAYVISION_* variable, which wins over the "
                                   "profile)")
    group.add_argument("--profile", type=profile_name, metavar="NAME",
                       help="profile of the config file (default: $RAYVISION_PROFILE, else 'default')")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--simulate", action="store_true", help="use an embedded simulated farm")
    where.add_argument("--base-url", type=base_url, metavar="URL",
                       help="send requests here instead of https://DOMAIN, e.g. the URL "
                            "'rayvision-async simulate' prints (default: $RAYVISION_BASE_URL, the profile's)")
    group.add_argument("--access-id", help="default: $RAYVISION_API_ACCESS_ID, the profile's")
    group.add_argument("--access-key", help="default: $RAYVISION_API_KEY, the profile's or the keyring's "
                                            "(prefer those: a flag shows in the process list)")
    group.add_argument("--domain", help="domain signed for (default: $RAYVISION_DOMAIN, the profile's, "
                                        "else task.renderbus.com)")
    group.add_argument("--platform", help="platform number (default: $RAYVISION_PLATFORM, the profile's, else 4)")
    group.add_argument("--protocol", choices=("current", "2018"),
                       help="path set: current (SDK 3.x) or 2018 (the 2018-2020 documents) "
                            "(default: $RAYVISION_PROTOCOL, the profile's, else current)")
    sub.add_argument("--json", action="store_true", help=json_help)


def _ids(sub: argparse.ArgumentParser, what: str = "task ids") -> None:
    sub.add_argument("ids", nargs="*", type=task_id_or_dash, metavar="ID",
                     help=f"{what}; '-' or a pipe: read them from standard input (numbers, or the JSON "
                          "that --json prints)")


def _destructive(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("-y", "--yes", action="store_true",
                     help="do not ask (without a terminal to ask on, it is required)")


def _info(sub: OneLineParser) -> None:
    connection_options(sub)


def _tasks(sub: OneLineParser) -> None:
    connection_options(sub)
    sub.add_argument("--status", type=statuses, action="append", metavar="STATUS",
                     help="only tasks in this status: a name (FINISHED) or code (25); repeatable or "
                          "comma-separated")
    sub.add_argument("--search", help="filter by keyword")
    sub.add_argument("--limit", type=integer(low=1), default=50,
                     help="at most this many tasks, at least 1 (default: %(default)s)")


def _frames(sub: OneLineParser) -> None:
    connection_options(sub)
    sub.add_argument("task_id", type=integer(low=1), metavar="TASK_ID", help="the task")
    sub.add_argument("--status", type=frame_statuses, action="append", metavar="STATUS",
                     help="only frames in this status: a name (FAILED) or code (5); repeatable or "
                          "comma-separated")
    sub.add_argument("--failed", action="store_true", help="only failed or timed-out frames")
    sub.add_argument("--limit", type=integer(low=1), help="at most this many frames")


def _restart(sub: OneLineParser) -> None:
    connection_options(sub)
    _ids(sub)
    which = sub.add_mutually_exclusive_group()
    which.add_argument("--failed", action="store_true", help="the failed frames (the default)")
    which.add_argument("--frames", nargs="+", metavar="INDEX", help="frames of one task by frameIndex ('6')")
    which.add_argument("--frame-ids", nargs="+", type=integer(low=0), metavar="FRAME_ID",
                       help="frames of one task by frame id")
    which.add_argument("--all-frames", action="store_true", help="every frame of one task")


def _task_action(*, destructive: bool) -> Builder:
    def build(sub: OneLineParser) -> None:
        connection_options(sub)
        _ids(sub)
        if destructive:
            _destructive(sub)

    return build


def _priority(sub: OneLineParser) -> None:
    connection_options(sub)
    sub.add_argument("level", type=integer(low=0, high=100), metavar="LEVEL", help="0 to 100")
    _ids(sub)


def _engine(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--engine", choices=("aspera", "raysync"),
                     help="the transfer engine's protocol (default: aspera, as the official package; it needs the "
                          "engine's aspera/ folder beside it). The engine program: $RAYVISION_TRANSMITTER, else an "
                          "installed rayvision-sync")


def _outputs(sub: OneLineParser) -> None:
    connection_options(sub)
    sub.add_argument("task_id", type=integer(low=1), metavar="TASK_ID", help="the task")
    sub.add_argument("--download", metavar="DEST",
                     help="download the output files into this folder (created if missing; files already there "
                          "complete are skipped), with progress on stderr")
    sub.add_argument("--follow", action="store_true",
                     help="with --download: keep fetching frames as they finish until the task ends")
    sub.add_argument("--interval", type=number(above=0), default=10.0,
                     help="with --follow: seconds between looks at the task, more than 0 (default: %(default)s)")
    sub.add_argument("--timeout", type=number(above=0), metavar="SECONDS",
                     help="with --download: give up after this many seconds (default: none)")
    _engine(sub)


def _log(sub: OneLineParser) -> None:
    connection_options(sub)
    sub.add_argument("frame_id", type=integer(low=1), metavar="FRAME_ID", help="the frame (see 'frames')")
    sub.add_argument("--type", dest="rendering_type", default="render",
                     help="which log: render (default), or another renderingType the service knows")


def _scene(sub: OneLineParser) -> None:
    """What ``submit`` and ``render`` take: the analyzer's output, the hardware, the upload, the render key."""
    connection_options(sub)
    sub.add_argument("source", metavar="PATH", help="the analyzer's output folder, or its task.json")
    for name in ("upload", "asset", "tips"):
        sub.add_argument(f"--{name}-json", metavar="FILE", help=f"{name}.json (default: the folder's, if any)")
    sub.add_argument("--ram", help="RAM per node, e.g. 64GB (required unless --no-checks)")
    sub.add_argument("--model", action="append", metavar="NAME",
                     help="hardware model; repeatable (default: every model, 'Default')")
    sub.add_argument("--gpu-num", type=integer(low=1), metavar="N", help="GPUs per node (GPU models)")
    sub.add_argument("--producer", help="producer name recorded with the task")
    sub.add_argument("--task-id", type=integer(low=1), metavar="ID",
                     help="use this task (resume a submit that failed after creating it)")
    sub.add_argument("--no-plugin-check", action="store_true", help="do not check the plugins' versions")
    sub.add_argument("--no-checks", action="store_true",
                     help="upload task.json as it is and submit, without the checks")
    sub.add_argument("--render-key", metavar="KEY",
                     help="a name you choose for this render (shot010-v3: 1-100 of a-z 0-9 . _ : @ / -); the same "
                          "key again resumes the same task and never submits twice: safe to run again after a crash")
    sub.add_argument("--no-upload", action="store_true",
                     help="do not send the files upload.json lists (and the documents) through the transfer engine "
                          "(they are already on the farm)")
    _engine(sub)


def _submit(sub: OneLineParser) -> None:
    _scene(sub)


def _render(sub: OneLineParser) -> None:
    _scene(sub)
    sub.add_argument("--dest", required=True, metavar="FOLDER",
                     help="where the frames go (created if missing; files already there complete are skipped)")
    sub.add_argument("--interval", type=number(above=0), default=5.0,
                     help="seconds between looks at the task, more than 0 (default: %(default)s)")


def _watch(sub: OneLineParser) -> None:
    connection_options(sub, json_help="print one JSON line per change")
    _ids(sub)
    sub.add_argument("--all", action="store_true", help="watch every unfinished task")
    sub.add_argument("--interval", type=number(above=0), default=5.0,
                     help="seconds between polls, more than 0 (default: %(default)s)")
    sub.add_argument("--view", choices=("auto", "tasks", "totals"), default="auto",
                     help="on a terminal: a row per task, or totals per status with the latest changes; "
                          "auto: rows while they fit the screen (default: %(default)s)")
    sub.add_argument("--latest", type=integer(low=0, high=100), default=8, metavar="N",
                     help="totals view: show the N latest changes (default: %(default)s)")


def _env(sub: OneLineParser) -> None:
    actions = sub.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = _command(actions, "list", "_account:run_env_list", "list render environments")
    connection_options(listing)
    listing.add_argument("--dcc", help="only this DCC's (maya, 3ds max, houdini… or a cgId)")
    for name, help_text in (("add", "add a render environment"), ("update", "change a render environment")):
        change = _command(actions, name, f"_account:run_env_{name}", help_text,
                          f"{help_text[0].upper()}{help_text[1:]} from a JSON object: cgId, cgName, cgVersion, "
                          "editName, renderSystem (0 Linux, 1 Windows), pluginIds.")
        connection_options(change)
        change.add_argument("document", metavar="JSON|@FILE", help="the environment (@-: standard input)")
    delete = _command(actions, "delete", "_account:run_env_delete", "delete a render environment")
    connection_options(delete)
    delete.add_argument("name", help="its editName")
    _destructive(delete)
    default = _command(actions, "default", "_account:run_env_default", "make a render environment the default")
    connection_options(default)
    default.add_argument("name", help="its editName")


def _projects(sub: OneLineParser) -> None:
    actions = sub.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = _command(actions, "list", "_account:run_projects_list", "list projects")
    connection_options(listing)
    listing.add_argument("--scope", choices=("own", "main", "all"), default="own",
                         help="own (default), own and the main account's, all under the main account")
    add = _command(actions, "add", "_account:run_projects_add", "add a project")
    connection_options(add)
    add.add_argument("name", help="the project's name")
    delete = _command(actions, "delete", "_account:run_projects_delete", "delete a project")
    connection_options(delete)
    delete.add_argument("name", help="the project's name")
    _destructive(delete)


def _labels(sub: OneLineParser) -> None:
    actions = sub.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = _command(actions, "list", "_account:run_labels_list", "list the labels of tasks")
    connection_options(listing)
    _ids(listing)
    for name, help_text in (("add", "label tasks"), ("remove", "remove a label from tasks")):
        change = _command(actions, name, f"_account:run_labels_{name}", help_text)
        connection_options(change)
        change.add_argument("label", help="the label")
        _ids(change)


def _api_value(shape: str) -> Callable[[str], object]:
    def parse(text: str) -> object:
        try:
            return convert(shape, text)
        except ShapeError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = shape  # argparse names the type in some messages
    return parse


def _api_method(sub: OneLineParser, method: Method) -> None:
    sub.set_defaults(api_method=method)
    connection_options(sub, json_help="accepted for symmetry: the result is always JSON")
    sub.add_argument("--show-secrets", action="store_true",
                     help="print secret fields (keys, passwords) instead of hiding them")
    for option in method.options:
        sub.add_argument(option.flag, dest=f"api_arg_{option.name}", type=_api_value(option.shape),
                         nargs="+" if option.shape in MANY else None, required=option.required,
                         metavar=SHAPES[option.shape],
                         help=option.help + ("" if option.in_2018 else " (refused with --protocol 2018)"))


def _api(sub: OneLineParser, chosen: list[str] | None) -> None:
    """The ``api`` tree; with ``chosen`` (the words after ``api``), only the chosen method gets its options."""
    groups = sub.add_subparsers(dest="api_group", required=True, metavar="GROUP")
    for group, help_text in API_GROUPS.items():
        parser = _command(groups, group, "", help_text, f"The {group} endpoints: {help_text}.")
        if chosen is not None and chosen[:1] != [group]:
            continue
        methods = parser.add_subparsers(dest="api_command", required=True, metavar="METHOD")
        for method in METHODS:
            if method.group != group:
                continue
            notes = [] if method.idempotent else ["Creates or changes work: never retried once sent."]
            if not method.in_2018:
                notes.append("Not in the 2018 path set.")
            command = _command(methods, method.command, "_api_calls:run_api", method.summary,
                               " ".join([method.summary, *notes]))
            if chosen is None or chosen[1:2] == [method.command]:
                _api_method(command, method)


def _demo(sub: OneLineParser) -> None:
    sub.add_argument("--tasks", type=integer(low=1, high=500), default=6,
                     help="tasks to submit, 1 to 500 (default: %(default)s)")
    sub.add_argument("--frames", default="1-24[1]", help="frames per task (default: %(default)s)")
    sub.add_argument("--failure-rate", type=number(low=0, high=1), default=0.06,
                     help="frame failure rate, 0 to 1 (default: %(default)s)")
    sub.add_argument("--speed", type=number(above=0), default=400.0,
                     help="simulated seconds per real second, more than 0 (default: %(default)s)")
    sub.add_argument("--seed", type=int, default=7, help="random seed of the farm (default: %(default)s)")
    sub.add_argument("--in-process", action="store_true", help="no loopback HTTP: an in-process transport")
    sub.add_argument("--dest", metavar="FOLDER",
                     help="keep the downloaded frames in this folder (default: a temporary folder, removed at the end)")
    sub.add_argument("--farm-storage", metavar="FOLDER",
                     help="keep the simulated farm's files (uploaded scenes, rendered frames) in this folder, to "
                          "compare (default: a temporary folder, removed at the end)")
    sub.add_argument("--json", action="store_true", help="print the summary as JSON, without live progress")


def _simulate(sub: OneLineParser) -> None:
    sub.add_argument("--port", type=port, default=8765, help="port, 0 to 65535 (default: %(default)s; "
                                                             "0: any free port)")
    sub.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    sub.add_argument("--speed", type=number(low=0), default=10.0,
                     help="simulated seconds per real second, 0 or more (default: %(default)s)")
    sub.add_argument("--failure-rate", type=number(low=0, high=1), default=0.0,
                     help="frame failure rate, 0 to 1 (default: %(default)s)")
    sub.add_argument("--seed", type=int, default=0, help="random seed of the farm (default: %(default)s)")
    sub.add_argument("--tasks", type=integer(low=0, high=500), default=0,
                     help="submit this many example tasks before serving, 0 to 500 (default: %(default)s)")
    sub.add_argument("--json", action="store_true", help="print the connection details as one JSON line")


def _configure(sub: OneLineParser) -> None:
    sub.add_argument("--profile", type=profile_name, metavar="NAME",
                     help="the profile (default: $RAYVISION_PROFILE, else 'default')")
    sub.add_argument("--access-id", help="the access id")
    sub.add_argument("--access-key-stdin", action="store_true", help="read the access key from standard input")
    sub.add_argument("--domain", help="domain signed for (e.g. task.renderbus.com, task.foxrenderfarm.com)")
    sub.add_argument("--platform", help="platform number")
    sub.add_argument("--base-url", type=base_url, metavar="URL", help="send requests here (default: https://DOMAIN)")
    sub.add_argument("--protocol", choices=("current", "2018"), help="path set")
    sub.add_argument("--key-store", choices=("auto", "keyring", "file"), default="auto",
                     help="where the access key goes: auto (the keyring if installed, else the file), keyring or "
                          "file (default: %(default)s)")
    sub.add_argument("--show", action="store_true", help="show the profile (never the key) and change nothing")
    sub.add_argument("--json", action="store_true", help="with --show: print JSON")


_CONFIGURE = ("Write a profile to the config file (asking for what no flag gives, on a terminal), or show it with "
              "--show. The access key is read without echo, or from standard input with --access-key-stdin; it "
              "goes to the system keyring when the keyring package is installed, else into the file (owner-only "
              "permissions). It is never printed.")
_WATCH = ("Watch tasks until each ends, with progress (done/total frames, status, elapsed, ETA) on a terminal, "
          "timestamped lines otherwise, JSON lines with --json. Exit code 0 if all finished, 5 if one ended "
          "failed, with failed frames or abandoned, 6 if one was stopped (and none failed), 1 if the service "
          "does not know an id.")
_SUBMIT = ("Submit a scene from an analyzer's output: a folder holding task.json (and upload.json, asset.json, "
           "tips.json when present) or a task.json file. Checks the software, the hardware and the tips first "
           "(nothing is created when they refuse), and every file upload.json lists and the transfer engine, then "
           "creates the task, uploads the documents, sends the files upload.json lists through the transfer engine "
           "(unless --no-upload; progress on stderr) and submits. Prints the task id.")
_RENDER = ("The whole render job as one command: submit a scene from an analyzer's output as 'submit' does (files "
           "up), watch the task until it ends with the progress 'watch' shows (on stderr), then download its frames "
           "into --dest. Everything checkable here (the documents, the files upload.json lists, the destination, the "
           "engine) is checked before the first request. Exit code as 'watch': 0 finished, 5 some frames failed "
           "(the finished ones are downloaded), 6 stopped.")
_OUTPUTS = ("List a task's output files, or download them with --download DEST: files already complete there are "
            "skipped, --follow fetches frames as they finish until the task ends; progress (files, bytes) on stderr.")
_RESTART = ("Render again the failed frames of tasks (the default), or of one task the frames named by --frames "
            "(frameIndex, exactly as 'frames' lists it), --frame-ids or --all-frames.")


def _acting(verb: str, *, destructive: bool) -> str:
    return (f"{verb[0].upper()}{verb[1:]}. Ids the service does not know are refused before anything changes."
            + (" Asks first unless --yes." if destructive else ""))


#: command → (the module:function that runs it, its help line, its description, what fills its options).
#: ``run`` is empty for a command of commands (its actions have their own).
COMMANDS: dict[str, tuple[str, str, str | None, Builder]] = {
    "demo": ("_local:run_demo_command", "run the whole render job against the embedded simulator",
             "The whole render job on a simulated farm, offline: for each task an analyzer's output (task.json, "
             "upload.json and its scene files), upload, submit, watch with progress, restart failed frames, download "
             "the frames and check them against what the farm rendered; print a summary.", _demo),
    "simulate": ("_serve:simulate", "serve a simulated farm on loopback HTTP",
                 "Serve a signature-checking simulated farm until Ctrl+C. Prints the base URL and the credentials "
                 "a client needs.", _simulate),
    "configure": ("_configure:run_configure", "set up a profile (credentials, domain)", _CONFIGURE, _configure),
    "info": ("_account:run_info", "show the account's profile and settings", None, _info),
    "tasks": ("_tasks:run_tasks", "list tasks", None, _tasks),
    "watch": ("_watch:run_watch", "watch tasks until they end, with progress", _WATCH, _watch),
    "submit": ("_submit:run_submit", "submit an analyzed scene (its files uploaded)", _SUBMIT, _submit),
    "render": ("_render:run_render", "submit a scene, watch it, download its frames: the whole job", _RENDER,
               _render),
    "frames": ("_tasks:run_frames", "list a task's frames", "List a task's frames, all or those in some statuses.",
               _frames),
    "restart": ("_tasks:run_restart", "render failed frames (or chosen frames) again", _RESTART, _restart),
    "stop": ("_tasks:run_stop", "stop tasks", _acting("stop tasks", destructive=True),
             _task_action(destructive=True)),
    "start": ("_tasks:run_start", "start (resume) stopped tasks",
              _acting("start (resume) stopped tasks", destructive=False), _task_action(destructive=False)),
    "abort": ("_tasks:run_abort", "abandon tasks", _acting("abandon tasks", destructive=True),
              _task_action(destructive=True)),
    "delete": ("_tasks:run_delete", "delete tasks", _acting("delete tasks", destructive=True),
               _task_action(destructive=True)),
    "priority": ("_tasks:run_priority", "change tasks' priority",
                 "Change the priority of tasks (0 lowest to 100 highest).", _priority),
    "outputs": ("_tasks:run_outputs", "list or download a task's output files", _OUTPUTS, _outputs),
    "log": ("_tasks:run_log", "print a frame's render log", None, _log),
    "env": ("", "render environments: list, add, update, delete, default", None, _env),
    "projects": ("", "projects (project labels): list, add, delete", None, _projects),
    "labels": ("", "task labels: list, add, remove", None, _labels),
}


def _words(argv: Sequence[str]) -> list[str]:
    return [word for word in argv if not word.startswith("-")]


def build_parser(argv: Sequence[str] | None = None, *, full: bool = False) -> OneLineParser:
    """The ``rayvision-async`` parser.

    Only the command that ``argv`` names gets its options (and under ``api``,
    only the method it names): the others are listed with their help line.
    ``full=True`` builds every command and method (the documentation does).
    """
    words = _words(sys.argv[1:] if argv is None else argv)
    chosen = None if full else (words[0] if words else "")
    parser = OneLineParser(prog=PROG, description="Rayvision render API from the shell.", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (run, help_text, description, build) in COMMANDS.items():
        sub = _command(commands, name, run, help_text, description)
        if chosen is None or chosen == name:
            build(sub)
    api = _command(commands, "api", "", "call any endpoint: api GROUP METHOD [--param ...]", _API)
    if chosen is None or chosen == "api":
        _api(api, None if full else words[1:])
    return parser


_API = ("Call one endpoint of the service, with the method and keyword names of the Python client in kebab case "
        "(api query task-info --task-ids-list 1 2). The arguments are checked as the library checks them; the "
        "result is printed as JSON.")
