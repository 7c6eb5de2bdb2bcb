"""Account models: profile, settings, operation and login history."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import attrs

from .._digits import int_of
from .._service_ints import INT64
from ._base import ServiceModel
from ._meta import int32, meta

__all__ = ["LoginRecord", "OperationRecord", "UserProfile", "UserSetting"]


@attrs.frozen(kw_only=True, weakref_slot=False)
class UserProfile(ServiceModel):
    """The account's profile, balances and prices (setUp/queryUserProfile).

    Balances and prices are ``Decimal``. Flags are the integers the service sends (0/1).
    """

    user_id: int | None = None
    user_name: str | None = None
    platform: int | None = int32()
    zone: int | None = int32()
    phone: str | None = None
    email: str | None = None
    company: str | None = None
    name: str | None = None
    job: str | None = None
    communication_number: str | None = None
    description: str | None = None
    country: str | None = None
    city: str | None = None
    address: str | None = None
    soft_type: int | None = None
    soft_status: int | None = None
    business_type: int | None = None
    status: int | None = None
    info_status: int | None = int32()
    account_type: int | None = int32()
    user_type: int | None = None
    main_user_id: int | None = None
    level: int | None = None
    #: Sic: the service spells it ``pictureLever``.
    picture_lever: int | None = attrs.field(default=None, metadata=meta(None, "pictureLevel"))
    rmbbalance: Decimal | None = None
    usdbalance: Decimal | None = None
    rmb_cumulative: Decimal | None = None
    usd_cumulative: Decimal | None = None
    credit: Decimal | None = None
    coupon: Decimal | None = None
    cpu_price: Decimal | None = None
    gpu_price: Decimal | None = None
    share_main_capital: int | None = None
    sub_delete_task: int | None = None
    use_main_balance: int | None = None
    hide_balance: int | None = None
    hide_job_charge: int | None = None
    use_level_directory: int | None = None
    download_disable: int | None = int32()
    display_subaccount: int | None = None
    subaccount_limits: int | None = None
    houdini_flag: int | None = None
    c4d_flag: int | None = None
    blender_flag: int | None = None
    keyshot_flag: int | None = None
    student_end_time: datetime | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class UserSetting(ServiceModel):
    """The account's render settings (setUp/queryUserSetting).

    ``single_node_render_frames``, ``max_ignore_map_flag`` and ``auto_commit`` are strings on the
    wire and stay strings. ``task_over_time`` is in hours, ``task_over_time_sec`` in seconds.
    The field tables spell ``miFileSwitchFlag``/``assFileSwitchFlag``; the examples spell
    ``mifileSwitchFlag``/``assfileSwitchFlag``. Both are accepted.
    """

    info_status: int | None = int32()
    account_type: int | None = int32()
    share_main_capital: int | None = None
    sub_delete_task: int | None = None
    use_main_balance: int | None = None
    single_node_render_frames: str | None = None
    max_ignore_map_flag: str | None = None
    auto_commit: str | None = None
    separate_account_flag: int | None = int32()
    mifile_switch_flag: int | None = int32("miFileSwitchFlag")
    assfile_switch_flag: int | None = int32("assFileSwitchFlag")
    manually_start_analysis_flag: int | None = int32()
    download_disable: int | None = int32()
    task_over_time: int | None = None
    task_over_time_sec: int | None = None


@attrs.frozen(kw_only=True, weakref_slot=False)
class OperationRecord(ServiceModel):
    """One entry of the account's task-operation history (handle/operate/sdk/taskRecord).

    The service documents no types for this record, so fields whose type is unknown keep an
    integer when the value is numeric and the raw string otherwise. ``task_ids`` is the JSON
    string the service sends; :attr:`task_id_list` decodes it.
    """

    user_id: int | None = None
    user_name: str | None = None
    task_type: int | str | None = None
    button_name: str | None = None
    task_ids: str | None = None
    channel: int | str | None = None
    create_time: datetime | str | None = None
    details: str | None = None
    operate_source: int | str | None = None
    request_ip: str | None = None
    request_uri: str | None = attrs.field(default=None, metadata=meta("requestURI", "requestUri"))
    request_param: str | None = None

    @property
    def task_id_list(self) -> tuple[int, ...]:
        """The ids in ``task_ids`` (a JSON array string); empty if absent or not decodable."""
        if not self.task_ids:
            return ()
        try:
            decoded = json.loads(self.task_ids)
        except ValueError:
            return ()
        if isinstance(decoded, int) and not isinstance(decoded, bool):
            return (decoded,)
        if not isinstance(decoded, list):
            return ()
        return tuple(number for item in decoded if (number := int_of(item)) is not None and 0 <= number <= INT64[1])


@attrs.frozen(kw_only=True, weakref_slot=False)
class LoginRecord(ServiceModel):
    """One login of the account (handle/operate/sdk/loginRecord); ``login_time`` is UTC."""

    id: int | None = None
    user_id: int | None = None
    user_name: str | None = None
    user_ua: str | None = None
    trace_id: str | None = None
    login_type: int | str | None = None
    login_status: int | str | None = None
    login_sta_desc: str | None = None
    module_type: int | str | None = None
    ip: str | None = None
    login_time: datetime | None = None
