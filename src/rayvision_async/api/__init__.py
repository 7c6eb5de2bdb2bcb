"""The surface: the endpoint table, argument kinds, body building, the generated methods and the groups.

``_table`` (one row per endpoint) → ``_generate`` (writes ``_generated/``, one module
per group, from the table) → ``_groups`` (hand-written subclasses of the generated
classes, with the helpers that take several calls) ; ``_kinds`` checks arguments
and ``_body`` turns them into a wire body and a reply's ``data`` into the row's model.
"""
