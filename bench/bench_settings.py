"""The production settings, with bench/bench_urls.py as the URL configuration (PYTHONPATH=bench)."""

from tongxin.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
