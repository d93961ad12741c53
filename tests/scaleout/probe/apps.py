from django.apps import AppConfig


class ProbeConfig(AppConfig):
    name = "tests.scaleout.probe"
    label = "scaleout_probe"
