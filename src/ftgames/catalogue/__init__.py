"""Literature instances kept as data (source, optimum, optimality status), apart from the tests that use them.

>>> from ftgames.catalogue import BILEVEL_INSTANCES, bilevel_instance
>>> inst = bilevel_instance(2); bm = inst.build()      # Bard 5.1.1 as a BilevelModel
"""

from .bargaining import BARGAINING_INSTANCES, BargainingInstance
from .bilevel import BILEVEL_INSTANCES, BilevelInstance, bilevel_instance

__all__ = ["BILEVEL_INSTANCES", "BilevelInstance", "bilevel_instance", "BARGAINING_INSTANCES", "BargainingInstance"]
