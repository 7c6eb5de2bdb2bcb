"""Account-level operations: user, projects (labels), render environments, catalog, transfer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..._digits import int_of
from ..farm import _catalog as catalog
from ..farm._account import RenderEnv
from ..farm._codes import FarmError
from ._body import Body, OperationTable
from ._wire import ms, page, parse_datetime_text

if TYPE_CHECKING:
    from ..farm._farm import Farm

__all__ = ["ACCOUNT_OPERATIONS"]

ACCOUNT_OPERATIONS = OperationTable()
op = ACCOUNT_OPERATIONS.register


# -- user -----------------------------------------------------------------------------------------


@op("query_user_profile")
def query_user_profile(farm: Farm, body: Body) -> Any:
    """queryUserProfile → profile; the official SDK calls it at login, so it is logged as one."""
    farm.account.record_login(ms(farm.now()) or 0)
    return farm.account.profile()


@op("query_user_setting")
def query_user_setting(farm: Farm, body: Body) -> Any:
    """queryUserSetting → settings (``taskOverTimeSec`` and ``taskOverTime`` in hours)."""
    return farm.account.settings()


@op("update_user_settings")
def update_user_settings(farm: Farm, body: Body) -> Any:
    """updateUserSetting → null."""
    farm.account.task_over_time_sec = body.number("taskOverTimeSec", low=1)
    return None


@op("get_transfer_bid")
def get_transfer_bid(farm: Farm, body: Body) -> Any:
    """transfer/getBid → bids (snake_case keys)."""
    return farm.account.transfer_bid()


def _records(farm: Farm, body: Body, items: list[dict[str, Any]], time_key: str) -> dict[str, Any]:
    start = body.opt_str("startDate")
    end = body.opt_str("endDate")
    low = parse_datetime_text(start) * 1000 if start else None
    high = parse_datetime_text(end) * 1000 + (86_400_000 if end and len(end.strip()) <= 10 else 0) if end else None
    chosen = [
        item
        for item in reversed(items)
        if (low is None or item[time_key] >= low) and (high is None or item[time_key] <= high)
    ]
    code700 = farm.paging_end == "code700"
    return page(chosen, body.number("pageNum", 1), body.number("pageSize", 10), end_with_code700=code700)


@op("task_record")
def task_record(farm: Farm, body: Body) -> Any:
    """operate/sdk/taskRecord → page of task operations, newest first."""
    return _records(farm, body, farm.account.operation_log, "createTime")


@op("login_record")
def login_record(farm: Farm, body: Body) -> Any:
    """operate/sdk/loginRecord → page of logins, newest first."""
    return _records(farm, body, farm.account.login_log, "loginTime")


# -- catalog --------------------------------------------------------------------------------------


@op("platforms")
def platforms(farm: Farm, body: Body) -> Any:
    """queryPlatforms → list of platforms of the zone (1 China, 2 abroad)."""
    return catalog.platforms(body.number("zone", low=1, high=2))


@op("error_detail")
def error_detail(farm: Farm, body: Body) -> Any:
    """queryAnalyseErrorDetail → details of the known codes among ``code`` / ``codes``."""
    codes = list(body.opt_str_list("codes") or [])
    if body.has("code"):
        code = body.data["code"]
        if isinstance(code, bool) or not isinstance(code, (str, int)):
            raise FarmError.invalid("code must be a string")
        codes.insert(0, str(code))
    if not codes:
        raise FarmError.missing("code")
    return catalog.error_codes(codes, body.number("language", 0, low=0, high=1))


@op("supported_software")
def supported_software(farm: Farm, body: Body) -> Any:
    """querySoftwareList."""
    return catalog.software_list()


@op("supported_plugin")
def supported_plugin(farm: Farm, body: Body) -> Any:
    """querySoftwareDetail → versions and plugins of a software."""
    cg_id = body.number("cgId")
    if cg_id not in catalog.CG_IDS:
        raise FarmError.invalid(f"cgId {cg_id} is not a supported software")
    os_name = body.opt_str("osName")
    if os_name is not None and os_name not in ("windows", "linux"):
        raise FarmError.invalid("osName must be windows or linux")
    return catalog.software_detail(cg_id)


@op("get_pack_node_info")
def get_pack_node_info(farm: Farm, body: Body) -> Any:
    """getUserPackNodeInfo."""
    return catalog.pack_nodes()


# -- transfer -------------------------------------------------------------------------------------


@op("get_transfer_server_msg")
def get_transfer_server_msg(farm: Farm, body: Body) -> Any:
    """transfer/getServerInfo."""
    return catalog.transfer_server_info(body.number("zone", low=1, high=2))


@op("get_raysync_user_key")
def get_raysync_user_key(farm: Farm, body: Body) -> Any:
    """transfer/getRaySyncUserKey."""
    return farm.account.raysync_key(ms(farm.now()) or 0)


@op("get_transfer_config")
def get_transfer_config(farm: Farm, body: Body) -> Any:
    """transfer/getConfig."""
    bids = farm.account.transfer_bid()
    return catalog.transfer_config(
        bids["input_bid"], bids["output_bid"], bids["config_bid"], farm.account.sub_user_output_bids()
    )


# -- projects (labels) ----------------------------------------------------------------------------


@op("add_label")
def add_label(farm: Farm, body: Body) -> Any:
    """project/add → null (an existing name is refused with 600)."""
    farm.account.add_project(body.text("newName", nonempty=True), body.number("status", 1, low=0, high=1))
    return None


@op("get_label_list")
def get_label_list(farm: Farm, body: Body) -> Any:
    """project/getList."""
    return farm.account.project_list()


@op("get_list")
def get_list(farm: Farm, body: Body) -> Any:
    """project/list (one account, so every ``flag`` lists the same projects)."""
    body.number("flag", 0, low=0, high=2)
    return farm.account.project_list()


# -- render environments --------------------------------------------------------------------------


def _env(body: Body) -> RenderEnv:
    """The render environment of an add/edit body; refused (600) unless querySoftwareDetail offers it."""
    env = RenderEnv(
        cg_id=body.number("cgId"),
        cg_name=body.text("cgName", nonempty=True),
        cg_version=body.text("cgVersion", nonempty=True),
        edit_name=body.text("editName", nonempty=True),
        render_system=body.number("renderSystem", low=0, high=1),
        plugin_ids=body.opt_int_list("pluginIds") or [],
        render_layer_type=body.number("renderLayerType", 0),
        project_path=body.text("projectPath", ""),
    )
    refusal = catalog.environment_refusal(env.cg_id, env.cg_name, env.cg_version, env.plugin_ids)
    if refusal is not None:
        raise FarmError.invalid(refusal)
    return env


@op("add_render_env")
def add_render_env(farm: Farm, body: Body) -> Any:
    """addUserPluginConfig → {editName}."""
    if body.data.get("pluginIds") is None:
        raise FarmError.missing("pluginIds")
    env = _env(body)
    farm.account.add_env(env)
    return {"editName": env.edit_name}


@op("update_render_env")
def update_render_env(farm: Farm, body: Body) -> Any:
    """editUserPluginConfig → null."""
    farm.account.update_env(_env(body))
    return None


@op("delete_render_env")
def delete_render_env(farm: Farm, body: Body) -> Any:
    """deleteUserPluginConfig → null."""
    farm.account.delete_env(body.text("editName", nonempty=True))
    return None


@op("set_default_render_env")
def set_default_render_env(farm: Farm, body: Body) -> Any:
    """setDefaultUserPluginConfig → null."""
    farm.account.set_default_env(body.text("editName", nonempty=True))
    return None


@op("get_render_env")
def get_render_env(farm: Farm, body: Body) -> Any:
    """getUserPluginConfig → environments of ``cgId`` / ``cgIds`` (all if neither) on ``osName``."""
    names: list[str] = body.opt_str_list("cgIds") or []
    numbers = [int_of(name, max_digits=10) for name in names]
    if None in numbers:
        raise FarmError.invalid("cgIds must be software ids")
    cg_ids = {number for number in numbers if number is not None}
    single = body.opt_int("cgId")
    if single is not None:
        cg_ids.add(single)
    return farm.account.envs(cg_ids, body.opt_int("osName", low=0, high=1))
