"""Tongxin: community-level governance for Chinese towns, villages and urban communities."""
