"""``python -m nn``: runs the ``chainrule`` command, which lives in the ``chainrule`` package.

The ``nn`` library never imports the application; this entry point only hands
the process over to it.
"""

import runpy

runpy.run_module("chainrule", run_name="__main__", alter_sys=True)
