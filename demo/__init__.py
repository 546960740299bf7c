"""The demo practice a newcomer sees after `make run` (`python -m demo seed --if-empty`), and the
builders that tests, the benchmark and the demo share. Production code never imports this package
(tests/unit/test_layout.py checks it)."""
