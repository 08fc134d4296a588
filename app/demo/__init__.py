"""Realistic, seeded demo data: one distributor in Greater São Paulo, dated relative to today.

`flask demo load` calls ``loader.load``, which draws everything from ``random.Random`` streams
named after the seed and the stage, so one seed and one day always give the same rows:

- ``people``: the company, two teams, admin, supervisors, reps (with work profiles), telesales;
- ``geography``: neighbourhoods (``data/``), rep territories, delivery days, clustered positions;
- ``segments`` and ``names``: trade segments, the product catalogue, Brazilian names and ids;
- ``customers``: each customer's row and hidden behaviour (regular, lapsing, lost, new...);
- ``history``: 18 months of orders from each customer's cycle, lines and receivables;
- ``contacts``: the last 90 days of visits and calls, with the reps' neglect;
- ``settings``: version 1 of the company's settings; ``stats``: the figures and a checksum.
"""
