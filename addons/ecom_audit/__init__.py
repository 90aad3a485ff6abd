from . import models
from . import wizards
from .savepoint import patch_savepoint


def post_load():
    patch_savepoint()
