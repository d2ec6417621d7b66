"""A class on JupyterHub (`keras-course hub`, `make hub`): each person of the roster as their own Unix account.

- `roster.py`: the people of the class, from the file the instructor edits (hub/roster.csv);
- `accounts.py`: their Unix accounts, and the groups that share the course's folder;
- `layout.py`: the hub's folders and who may read or write each (the exchange, the course, the hub's state), and
  the checkout's secrets closed to students;
- `launch.py`: everything above, then JupyterHub itself, with hub/jupyterhub_config.py.
"""
