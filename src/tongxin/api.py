"""The site's NinjaAPI: each app mounts its router here."""

from ninja import NinjaAPI

api = NinjaAPI(title="Tongxin API", version="1", urls_namespace="api")
