"""The typed errors of the analysis-to-submit pipeline, each saying what was done so far."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import RayvisionError, RequestOutcomeUnknownError

if TYPE_CHECKING:
    from ._analysis import TipsEntry

__all__ = [
    "AnalysisSubmitError",
    "HardwareUnavailableError",
    "SceneErrorsError",
    "SubmitStepError",
    "UnsupportedSoftwareError",
]


class AnalysisSubmitError(RayvisionError):
    """A step of :meth:`~rayvision_async.AsyncRayvisionAPI.submit_analysis` failed.

    ``step`` is the step that failed, ``completed`` the steps done before it, ``task_id`` the
    task id once one exists (else None) and ``task_json`` the task.json prepared so far (ids
    filled once known). Resume by passing ``task_json`` back: a task.json with a task id
    creates no new task.
    """

    def __init__(self, message: str, *, step: str, completed: tuple[str, ...] = (), task_id: int | None = None,
                 task_json: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.step = step
        self.completed = completed
        self.task_id = task_id
        self.task_json = task_json

    def __str__(self) -> str:
        done = ", ".join(self.completed) or "nothing"
        text = f"{self.step}: {self.message} (done so far: {done}"
        if self.task_id is not None:
            text += f"; task {self.task_id} exists: pass error.task_json back to resume"
        return text + ")"


class UnsupportedSoftwareError(AnalysisSubmitError):
    """task.json's DCC version (or a plugin) is not one the farm supports; nothing was created."""

    def __init__(self, message: str, *, supported_versions: tuple[str, ...] = (),
                 unsupported_plugins: tuple[str, ...] = (), **progress: Any) -> None:
        super().__init__(message, **progress)
        self.supported_versions = supported_versions
        self.unsupported_plugins = unsupported_plugins


class HardwareUnavailableError(AnalysisSubmitError):
    """No enabled hardware config matches the request, or the match excludes this scene."""

    def __init__(self, message: str, *, allowed: tuple[dict[str, Any], ...] = (), **progress: Any) -> None:
        super().__init__(message, **progress)
        self.allowed = allowed


class SceneErrorsError(AnalysisSubmitError):
    """tips.json has error codes (type 1); ``errors`` lists them, ``warnings`` the rest."""

    def __init__(self, message: str, *, errors: tuple[TipsEntry, ...] = (), warnings: tuple[TipsEntry, ...] = (),
                 **progress: Any) -> None:
        super().__init__(message, **progress)
        self.errors = errors
        self.warnings = warnings


class SubmitStepError(AnalysisSubmitError):
    """A request of a step failed; the original exception is ``__cause__``.

    ``outcome_unknown`` is True when the step created or submitted work and may have reached
    the service (a :class:`~rayvision_async.errors.RequestOutcomeUnknownError`): check the task
    before resuming.
    """

    @property
    def outcome_unknown(self) -> bool:
        """True when the failed request may have reached the service: check the task before resuming."""
        return isinstance(self.__cause__, RequestOutcomeUnknownError)

    def __str__(self) -> str:
        text = super().__str__()
        if self.outcome_unknown:
            text += "; the request may have reached the service: check before resuming"
        return text
