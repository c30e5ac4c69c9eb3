"""The project's own exception types, turned into HTTP or CLI messages at the edge."""


class LinkdoctorError(Exception):
    """Base class: a problem the user can understand and act on."""

    status_code = 400
    error = "bad_request"

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class ValidationError(LinkdoctorError):
    """Input that cannot be accepted as it is."""


class PathOutsideRootError(ValidationError):
    """A path that lies outside the configured media root."""

    error = "path_outside_root"


class NotFoundError(LinkdoctorError):
    status_code = 404
    error = "not_found"


class ConflictError(LinkdoctorError):
    status_code = 409
    error = "conflict"


class ScanAlreadyRunningError(ConflictError):
    """Only one scan runs at a time."""

    error = "scan_running"


class StaleTokenError(ConflictError):
    """A confirmation naming a list that is not the scan's current one."""

    error = "stale_token"


class MediaRootUnavailableError(LinkdoctorError):
    """The media root's own folders do not answer (its mount is down): try again later."""

    status_code = 503
    error = "media_root_unavailable"


class LibraryNotAnsweringError(LinkdoctorError):
    """Folders of the library do not answer (a hung mount inside it), or too many requests already wait on them."""

    status_code = 503
    error = "library_not_answering"


class NotImplementedYetError(LinkdoctorError):
    status_code = 501
    error = "not_implemented"


class UnauthorizedError(LinkdoctorError):
    """A request that must carry the API key and does not (Sonarr/Radarr's webhooks)."""

    status_code = 401
    error = "unauthorized"
