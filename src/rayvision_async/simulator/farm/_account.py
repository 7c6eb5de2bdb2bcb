"""The simulated user account: profile, settings, balance, projects (labels), render environments, logs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..._arguments import checked_binding
from ..._service_ints import INT32, MONEY_LIMIT
from ...errors import ConfigurationError, InvalidInputError
from .. import _arguments as check
from . import _catalog as catalog
from ._codes import FarmError

__all__ = ["Account", "RenderEnv"]


def money(value: Decimal) -> float:
    """A Decimal amount as the JSON number the service sends."""
    return float(value)


@dataclass
class RenderEnv:
    """A user render environment ("user plugin config")."""

    cg_id: int
    cg_name: str
    cg_version: str
    edit_name: str
    render_system: int  # 0 linux, 1 windows
    plugin_ids: list[int]
    render_layer_type: int = 0
    project_path: str = ""
    is_default: bool = False

    def wire(self) -> dict[str, Any]:
        """The ``getUserPluginConfig`` item."""
        plugins = [catalog.plugin_info(plugin_id) for plugin_id in self.plugin_ids]
        return {
            "cgId": self.cg_id,
            "editName": self.edit_name,
            "cgName": self.cg_name,
            "cgVersion": self.cg_version,
            "osName": self.render_system,
            "renderLayerType": self.render_layer_type,
            "isDefault": 1 if self.is_default else 0,
            "projectPath": self.project_path,
            "isMainUserId": 1,
            "respUserPluginInfoVos": [plugin for plugin in plugins if plugin is not None],
        }


@dataclass
class Account:
    """Everything about the one user the simulator serves."""

    user_id: int = 100001
    user_name: str = "simulator"
    platform: int = 2
    zone: int = 1
    balance: Decimal = Decimal("100.00")
    coupon: Decimal = Decimal("0.00")
    consumed: Decimal = Decimal("0.00")
    cpu_price: Decimal = Decimal("0.67")
    gpu_price: Decimal = Decimal("20")
    task_over_time_sec: int = 43200
    sub_users: dict[str, str] = field(default_factory=lambda: {"100002": "20202"})  # sub-account id → output bid
    projects: dict[int, tuple[str, int]] = field(default_factory=dict)  # id → (name, status)
    render_envs: dict[str, RenderEnv] = field(default_factory=dict)
    operation_log: list[dict[str, Any]] = field(default_factory=list)
    login_log: list[dict[str, Any]] = field(default_factory=list)
    _next_project_id: int = 3671

    def __post_init__(self) -> None:
        with check.configuration():
            check.count(self.user_id, "user_id", 1)
            check.text(self.user_name, "user_name", max_len=255)
            check.count(self.platform, "platform", 0, 9999)
            check.count(self.zone, "zone", 1, 2)
            for name in ("balance", "coupon", "consumed", "cpu_price", "gpu_price"):
                amount = getattr(self, name)
                if not isinstance(amount, Decimal) or not amount.is_finite() or \
                        not -MONEY_LIMIT < amount < MONEY_LIMIT:
                    raise InvalidInputError(f"{name} must be a Decimal amount, got a {type(amount).__name__}")
            check.count(self.task_over_time_sec, "task_over_time_sec", 0, INT32[1])
            _entries(self.sub_users, "sub_users", str, str)
            _entries(self.projects, "projects", int, tuple)
            _entries(self.render_envs, "render_envs", str, RenderEnv)
            for name in ("operation_log", "login_log"):
                log = check.instance(getattr(self, name), name, list)
                if not all(isinstance(entry, dict) for entry in log):
                    raise InvalidInputError(f"{name} must be a list of dicts")
            check.count(self._next_project_id, "_next_project_id", 1)

    # -- profile, settings, money ----------------------------------------------------------------

    def profile(self) -> dict[str, Any]:
        """``queryUserProfile`` data."""
        return {
            "userId": self.user_id, "userName": self.user_name, "platform": self.platform,
            "phone": "13800000000", "email": "simulator@example.invalid", "company": "", "name": "",
            "job": "", "communicationNumber": "", "softType": 2001, "softStatus": 1, "businessType": 1,
            "status": 1, "infoStatus": 0, "accountType": 1, "userType": 1, "mainUserId": 0, "level": 49,
            "pictureLever": None, "zone": self.zone, "rmbbalance": money(self.balance), "usdbalance": 0,
            "rmbCumulative": money(self.consumed), "usdCumulative": 0, "credit": 0,
            "coupon": money(self.coupon), "description": "", "country": "China", "city": "Shenzhen",
            "address": "", "cpuPrice": money(self.cpu_price), "gpuPrice": money(self.gpu_price),
            "shareMainCapital": 0, "subDeleteTask": 0, "useMainBalance": 0, "hideBalance": 0,
            "hideJobCharge": 0, "useLevelDirectory": 1, "downloadDisable": 0, "displaySubaccount": 1,
            "subaccountLimits": 5, "houdiniFlag": 0, "c4dFlag": 0, "blenderFlag": 0, "keyshotFlag": 0,
            "studentEndTime": None,
        }  # fmt: skip

    def settings(self) -> dict[str, Any]:
        """``queryUserSetting`` data."""
        return {
            "infoStatus": None, "accountType": None, "shareMainCapital": 0, "subDeleteTask": 0,
            "useMainBalance": 0, "singleNodeRenderFrames": "1", "maxIgnoreMapFlag": "1", "autoCommit": "2",
            "separateAccountFlag": 0, "mifileSwitchFlag": 0, "assfileSwitchFlag": 0,
            "manuallyStartAnalysisFlag": 0, "downloadDisable": 0,
            "taskOverTime": self.task_over_time_sec // 3600, "taskOverTimeSec": self.task_over_time_sec,
        }  # fmt: skip

    def charge(self, amount: Decimal) -> None:
        """Bill ``amount`` to the balance."""
        self.balance -= amount
        self.consumed += amount

    def transfer_bid(self) -> dict[str, Any]:
        """``getBid`` data (snake_case keys, as the service sends them)."""
        return {
            "config_bid": "30201",
            "output_bid": "20201",
            "input_bid": "10201",
            "parent_input_bid": "10201",
            "sub_user_output_bids": self.sub_user_output_bids(),
        }

    def sub_user_output_bids(self) -> list[dict[str, str]]:
        """``[{userId, outputBid}]`` of the sub-accounts (getBid, getConfig)."""
        return [{"userId": user_id, "outputBid": bid} for user_id, bid in self.sub_users.items()]

    def raysync_key(self, now_ms: int) -> dict[str, Any]:
        """``getRaySyncUserKey`` data."""
        return {
            "raySyncUserKey": f"{self.user_id:040x}", "userName": self.user_name, "platform": self.platform,
            "channel": 4, "userKey": f"{self.user_id:032x}", "id": self.user_id, "zone": self.zone,
            "phone": "13800000000", "email": "simulator@example.invalid", "loginTime": now_ms,
            "infoStatus": 0, "accountType": 1, "shareMainCapital": 0, "subDeleteTask": 0,
            "subDeleteCapital": 0, "useMainBalance": 0, "downloadDisable": 0,
            "signature": "rayvision2017", "version": "1.0.0",
        }  # fmt: skip

    # -- projects (labels) -----------------------------------------------------------------------

    def project_id(self, name: str) -> int | None:
        """The id of the project called ``name``."""
        for project_id, (project_name, _status) in self.projects.items():
            if project_name == name:
                return project_id
        return None

    def add_project(self, name: str, status: int = 1) -> int:
        """Create a project; a name that exists is refused (600)."""
        if self.project_id(name) is not None:
            raise FarmError.invalid(f"label {name!r} already exists")
        project_id = self._next_project_id
        self._next_project_id += 1
        self.projects[project_id] = (name, status)
        return project_id

    def ensure_project(self, name: str) -> int:
        """The id of project ``name``, created if needed."""
        existing = self.project_id(name)
        return existing if existing is not None else self.add_project(name)

    def delete_project(self, name: str) -> int:
        """Delete project ``name``; 404 if there is none. Returns its id."""
        project_id = self.project_id(name)
        if project_id is None:
            raise FarmError.not_found(f"label {name!r}")
        del self.projects[project_id]
        return project_id

    def project_list(self) -> dict[str, Any]:
        """``project/getList`` and ``project/list`` data."""
        return {
            "projectNameList": [
                {"projectId": project_id, "projectName": name} for project_id, (name, _) in self.projects.items()
            ]
        }

    # -- render environments ---------------------------------------------------------------------

    def add_env(self, env: RenderEnv) -> None:
        """Add a render environment; an existing editName is refused (600)."""
        if env.edit_name in self.render_envs:
            raise FarmError.invalid(f"render environment {env.edit_name!r} already exists")
        self.render_envs[env.edit_name] = env

    def update_env(self, env: RenderEnv) -> None:
        """Replace the environment with the same editName (404 if there is none)."""
        old = self.render_envs.get(env.edit_name)
        if old is None:
            raise FarmError.not_found(f"render environment {env.edit_name!r}")
        env.is_default = old.is_default
        self.render_envs[env.edit_name] = env

    def delete_env(self, edit_name: str) -> None:
        """Delete a render environment (404 if there is none)."""
        if self.render_envs.pop(edit_name, None) is None:
            raise FarmError.not_found(f"render environment {edit_name!r}")

    def set_default_env(self, edit_name: str) -> None:
        """Make ``edit_name`` the default environment of its software."""
        chosen = self.render_envs.get(edit_name)
        if chosen is None:
            raise FarmError.not_found(f"render environment {edit_name!r}")
        for env in self.render_envs.values():
            if env.cg_id == chosen.cg_id:
                env.is_default = env is chosen

    def envs(self, cg_ids: set[int], os_name: int | None) -> list[dict[str, Any]]:
        """``getUserPluginConfig`` data for the given software (all if empty) and system."""
        return [
            env.wire()
            for env in self.render_envs.values()
            if (not cg_ids or env.cg_id in cg_ids) and (os_name is None or env.render_system == os_name)
        ]

    # -- records ---------------------------------------------------------------------------------

    def record_operation(self, button: str, task_ids: list[int], now_ms: int, uri: str, params: Any) -> None:
        """Append a ``taskRecord`` item."""
        self.operation_log.append(
            {
                "userName": self.user_name,
                "taskType": "render",
                "buttonName": button,
                "taskIds": json.dumps(task_ids),
                "channel": 4,
                "createTime": now_ms,
                "details": f"{button} {task_ids}",
                "operateSource": "api",
                "userId": self.user_id,
                "requestIp": "127.0.0.1",
                "requestURI": uri,
                "requestParam": json.dumps(params, ensure_ascii=False, sort_keys=True),
            }
        )

    def record_login(self, now_ms: int) -> None:
        """Append a ``loginRecord`` item."""
        self.login_log.append(
            {
                "id": len(self.login_log) + 1,
                "userId": self.user_id,
                "userName": self.user_name,
                "userUa": "rayvision-sdk",
                "traceId": f"sim-login-{len(self.login_log) + 1}",
                "loginType": 1,
                "loginStatus": 1,
                "loginStaDesc": "success",
                "moduleType": "api",
                "ip": "127.0.0.1",
                "loginTime": now_ms,
            }
        )


Account.__init__ = checked_binding(ConfigurationError)(Account.__init__)  # type: ignore[method-assign]


def _entries(value: Any, name: str, key: type, item: type) -> None:
    """``value`` is a dict of ``key`` to ``item`` (a state container of the account)."""
    check.instance(value, name, dict)
    if not all(isinstance(k, key) and isinstance(v, item) for k, v in value.items()):
        raise InvalidInputError(f"{name} must map {key.__name__} to {item.__name__}")
