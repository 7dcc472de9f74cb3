"""Benchmarks of cliq_channels_client against raw httpx, on the loopback emulator (``make bench``).

Each module measures one claim side by side in one run and returns a
:class:`~benchmarks.common.BenchResult`; ``python -m benchmarks`` prints the
table and writes ``benchmarks/results.md``.  Nothing here asserts a timing:
the smoke run (``--smoke``) checks that every benchmark still works.
"""
