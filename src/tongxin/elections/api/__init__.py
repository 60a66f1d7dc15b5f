"""The elections API: one router per part of the work, mounted together at /api/v1/."""

from ninja import Router

from tongxin.accounts.auth import SIGNED_IN

from . import casting, motions, nominations, roll, rounds, setup

router = Router(tags=["elections"], auth=SIGNED_IN)
for part in (setup, roll, nominations, casting, rounds, motions):
    router.add_router("/", part.router)
