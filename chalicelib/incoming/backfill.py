"""One-off: pointers for the incoming documents registered before the intake
kept them (``python -m chalicelib.incoming.backfill``, with the stage's
settings in the environment). Run it once per stage after deploying the
change; until it has run, the intake falls back to its index queries
(correct, two calls more per file). A stage deployed empty needs it too (on
an empty table it only writes the marker): the stack creates no items. Only
the local runtime writes the marker itself (chalicelib/local/provision.py)."""

from __future__ import annotations


def main() -> None:
    from chalicelib import bootstrap
    from chalicelib.incoming.store import IncomingStore

    seen = IncomingStore(bootstrap.table()).backfill_pointers()
    print(f"pointers written for {seen} incoming documents; marker set")


if __name__ == "__main__":
    main()
