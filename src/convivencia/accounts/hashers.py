"""Password hashing: Argon2id with the cost OWASP recommends for a web login.

Django's Argon2 defaults (100 MiB, two passes, eight lanes) cost about 225 ms of
processor time per login on a two-core server, where logging in took longer than any
page under load. OWASP's Password Storage Cheat Sheet recommends as its minimum 19 MiB
of memory, two passes and one lane, and lists 46 MiB with one pass as an equivalent.
Measured here (argon2-cffi, one verification): 19 MiB × 2 costs ~18 ms, 46 MiB × 1
~54 ms, most of it the kernel handing over a fresh 46 MiB; so the recommendation, which
keeps a burst of logins from queueing behind each other (13 in a second, in the load test,
took 610 ms at p95 with 46 MiB).

The algorithm's name stays ``argon2``: a hash made with other parameters still verifies
(they are written in the hash) and is remade with these at its owner's next login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB: 19 MiB
    parallelism = 1
