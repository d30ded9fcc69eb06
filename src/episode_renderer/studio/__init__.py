"""The studio: an episode in the browser, every line a click from being heard, edits saved back.

``episode studio`` serves it on 127.0.0.1 with a random token; app.py builds the ASGI app, routes.py
answers the page, state.py holds the open project and episode, hearing.py makes lines audible a
sentence at a time, edits.py writes the script and the cast back, jobs.py renders in the background
and safety.py decides what a request may reach.
"""
