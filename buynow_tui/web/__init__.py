"""The shop in a browser: `python -m buynow_tui.web` serves each browser tab its own app.

`config` (what the admin chose), `page` (the HTML and the headers of every response),
`apps` (a tab's app process, speaking Textual's web driver protocol, and its private
folder), `tab` (one tab's WebSocket and limits), `server` (the aiohttp app: routes,
admission, starting and stopping), `__main__` (the command line). Nothing is imported
here, so `import buynow_tui.web` costs nothing.
"""
