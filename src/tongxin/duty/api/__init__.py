"""The duty API: one router per part of the work, mounted together at /api/v1/."""

from ninja import Router

from tongxin.accounts.auth import SIGNED_IN

from . import bulletin, diary, meetings, rota, swaps

router = Router(tags=["duty"], auth=SIGNED_IN)
for part in (rota, meetings, diary, bulletin, swaps):
    router.add_router("/", part.router)
