"""The site's NinjaAPI at /api/v1/: each app mounts its router here."""

from ninja import NinjaAPI
from ninja.operation import Operation

from tongxin.accounts.auth import SIGNED_IN
from tongxin.community.api import router as community_router
from tongxin.core.api import OfflineSwagger, install_error_handlers
from tongxin.duty.api import router as duty_router
from tongxin.elections.api import router as elections_router
from tongxin.feedback.api import router as feedback_router


class TongxinAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # "community_list_people" rather than "tongxin_community_api_list_people".
        app = operation.view_func.__module__.split(".")[1]  # tongxin.<app>.api or tongxin.<app>.api.<part>
        return f"{app}_{operation.view_func.__name__}"


api = TongxinAPI(
    title="Tongxin API",
    version="1",
    description="Community governance: organisations, people, councils, elections and feedback.",
    urls_namespace="api",
    auth=SIGNED_IN,
    docs=OfflineSwagger(),
)
install_error_handlers(api)
api.add_router("/", community_router)
api.add_router("/", feedback_router)
api.add_router("/", elections_router)
api.add_router("/", duty_router)
