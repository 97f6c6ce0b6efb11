"""Password hashing: Argon2id with the cost OWASP recommends for a web login.

Django's Argon2 defaults (100 MiB, two passes, eight lanes) cost about 225 ms of
processor time per login on a two-core server, where logging in took longer than any
page under load. OWASP's Password Storage Cheat Sheet gives equivalent Argon2id
configurations; the first, 46 MiB of memory, one pass and one lane, costs about 60 ms
and stays memory-hard against guessing on graphics cards.

The algorithm's name stays ``argon2``: a hash made with other parameters still verifies
(they are written in the hash) and is remade with these at its owner's next login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47104  # KiB: 46 MiB
    parallelism = 1
