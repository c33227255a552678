"""Sub-commands of the ``formcheck`` CLI; each module has ``register(subparsers)``."""
