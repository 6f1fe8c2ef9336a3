"""The shop in a browser: `buynow web` serves each browser tab its own app.

`config` (what the admin chose), `page` (the HTML and the headers of every response),
`cookies` (the browser's cookie id, and the hash the app is told), `apps` (a tab's app
process, speaking Textual's web driver protocol, and its environment), `spawn` (forking
it from the fork server, or exec), `tab` (one tab's WebSocket and limits), `server`
(the aiohttp app: routes, admission, starting and stopping). The command line is the
CLI's (`cli/web.py`). Nothing is imported here, so `import buynow_tui.web` costs
nothing.
"""
