"""``baa serve``: a read-only web view and HTTP API over a runs root.

Starlette assembles the application (:mod:`.app`) from small route modules: :mod:`.api` (JSON),
:mod:`.sse` (live entries as server-sent events), :mod:`.pages` (static HTML shells whose scripts
read the API) and :mod:`.openapi`. :mod:`.index` keeps the runs list fresh without rereading every
run, and :mod:`.logs` reads the three logs of a run in ``seq`` order by seeking, never whole.
Nothing here writes to the runs root. It needs the ``web`` extra (Starlette, uvicorn).
"""
