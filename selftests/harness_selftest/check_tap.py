#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks selftests/kselftest_harness.h by running sample.c built with it.

The expected output below is what the kernel's own kselftest_harness.h
(v6.12) prints for the same sample.c, line for line: stdout exactly, the
exit code, the filters (-t/-T/-f/-F/-v/-V/-r), -l, -h and a bad option, and
the diagnostics on stderr that say why each failing test failed.

--variant cxx is sample.c compiled as C++ with the uiommufd harness linked
in; it has one more test, whose WARN_ON must fail it.
"""
import argparse
import re
import subprocess
import sys

EXPECTED_C = """\
TAP version 13
1..19
# Starting 19 tests from 6 test cases.
#  RUN           global.global_pass ...
#            OK  global.global_pass
ok 1 global.global_pass
#  RUN           global.global_skip ...
#            OK  global.global_skip
ok 2 global.global_skip # SKIP nothing to do on this machine
#  RUN           global.dies_by_signal ...
#            OK  global.dies_by_signal
ok 3 global.dies_by_signal
#  RUN           global.expect_fails ...
#          FAIL  global.expect_fails
not ok 4 global.expect_fails
#  RUN           global.assert_fails ...
#          FAIL  global.assert_fails
not ok 5 global.assert_fails
#  RUN           counter.small.increments ...
#            OK  counter.small.increments
ok 6 counter.small.increments
#  RUN           counter.small.large_only ...
#            OK  counter.small.large_only
ok 7 counter.small.large_only # SKIP only for the large variant
#  RUN           counter.small.known_bug ...
#            OK  counter.small.known_bug
ok 8 counter.small.known_bug
#  RUN           counter.small.fixed_bug ...
#            OK  counter.small.fixed_bug
ok 9 counter.small.fixed_bug # XPASS unknown
#  RUN           counter.large.increments ...
#            OK  counter.large.increments
ok 10 counter.large.increments
#  RUN           counter.large.large_only ...
#            OK  counter.large.large_only
ok 11 counter.large.large_only
#  RUN           counter.large.known_bug ...
#          FAIL  counter.large.known_bug
ok 12 counter.large.known_bug # XFAIL unknown
#  RUN           counter.large.fixed_bug ...
#            OK  counter.large.fixed_bug
ok 13 counter.large.fixed_bug
#  RUN           shared_self.parent_sees_test ...
#            OK  shared_self.parent_sees_test
ok 14 shared_self.parent_sees_test
#  RUN           bad_setup.never_runs ...
#          FAIL  bad_setup.never_runs
not ok 15 bad_setup.never_runs
#  RUN           slow.times_out ...
#          FAIL  slow.times_out
not ok 16 slow.times_out
#  RUN           slow.signal_through_fixture ...
#            OK  slow.signal_through_fixture
ok 17 slow.signal_through_fixture
#  RUN           slow.wrong_signal ...
#          FAIL  slow.wrong_signal
not ok 18 slow.wrong_signal
#  RUN           slow.child_process_expect_fails ...
#          FAIL  slow.child_process_expect_fails
not ok 19 slow.child_process_expect_fails
# FAILED: 13 / 19 tests passed.
# Totals: pass:9 fail:6 xfail:1 xpass:1 skip:2 error:0
"""

# Why each failing test failed (stderr), in order.
EXPECTED_DIAGNOSTICS_C = [
    "#      SKIP      nothing to do on this machine",
    "expect_fails:Expected 2 (2) == 1 + 2 (3)",
    "expect_fails:the handler of a failed EXPECT runs, then the test goes on",
    "expect_fails:Expected 'a' == 'b'.",
    "expect_fails:still running",
    "# expect_fails: Test failed",
    "assert_fails:Expected 0 (0) == 1 (1)",
    "# assert_fails: Test terminated by assertion",
    "#      SKIP      only for the large variant",
    "known_bug:Expected 1000 (1000) > self->value (1000)",
    "# known_bug: Test failed",
    "never_runs:Expected 0 (0) == 1 (1)",
    "# never_runs: Test terminated by assertion",
    "# times_out: Test terminated by timeout",
    "# wrong_signal: Test terminated unexpectedly by signal 12",
    "child_process_expect_fails:Expected 1 (1) == 2 (2)",
    "# child_process_expect_fails: Test failed",
]

# (arguments, exit code, the result lines and totals expected on stdout)
FILTERS = [
    (["-t", "increments"], 0, """\
1..2
# Starting 2 tests from 2 test cases.
ok 1 counter.small.increments
ok 2 counter.large.increments
# PASSED: 2 / 2 tests passed.
# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0
"""),
    (["-T", "increments", "-v", "large"], 0, """\
1..3
# Starting 3 tests from 1 test cases.
ok 1 counter.large.large_only
ok 2 counter.large.known_bug # XFAIL unknown
ok 3 counter.large.fixed_bug
# PASSED: 3 / 3 tests passed.
# Totals: pass:2 fail:0 xfail:1 xpass:0 skip:0 error:0
"""),
    (["-f", "counter", "-V", "small"], 0, """\
1..8
# Starting 8 tests from 2 test cases.
ok 1 counter.small.increments
ok 2 counter.small.large_only # SKIP only for the large variant
ok 3 counter.small.known_bug
ok 4 counter.small.fixed_bug # XPASS unknown
ok 5 counter.large.increments
ok 6 counter.large.large_only
ok 7 counter.large.known_bug # XFAIL unknown
ok 8 counter.large.fixed_bug
# PASSED: 8 / 8 tests passed.
# Totals: pass:5 fail:0 xfail:1 xpass:1 skip:1 error:0
"""),
    (["-F", "counter", "-F", "slow", "-T", "warn_fails_test"], 1, """\
1..7
# Starting 7 tests from 3 test cases.
ok 1 global.global_pass
ok 2 global.global_skip # SKIP nothing to do on this machine
ok 3 global.dies_by_signal
not ok 4 global.expect_fails
not ok 5 global.assert_fails
ok 6 shared_self.parent_sees_test
not ok 7 bad_setup.never_runs
# FAILED: 4 / 7 tests passed.
# Totals: pass:3 fail:3 xfail:0 xpass:0 skip:1 error:0
"""),
    (["-r", "counter.large.known_bug", "-r", "global.global_pass"], 0, """\
1..2
# Starting 2 tests from 2 test cases.
ok 1 global.global_pass
ok 2 counter.large.known_bug # XFAIL unknown
# PASSED: 2 / 2 tests passed.
# Totals: pass:1 fail:0 xfail:1 xpass:0 skip:0 error:0
"""),
    # -r needs the variant when the fixture has variants.
    (["-r", "counter.known_bug"], 0, """\
1..0
# Starting 0 tests from 0 test cases.
# PASSED: 0 / 0 tests passed.
# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0
"""),
]

LISTING_START = """\
# FIXTURE            VARIANT                   TEST
global                                         global_pass
                                               global_skip
                                               dies_by_signal
                                               expect_fails
                                               assert_fails
"""

LISTING_COUNTER = """\
--------------------------------------------------------------------------------
counter              small                     increments
                     large                     large_only
                                               known_bug
                                               fixed_bug
"""


def renumber(text):
    """Renumbers "ok N"/"not ok N" lines 1.. in order."""
    n = 0
    out = []
    for line in text.splitlines(keepends=True):
        m = re.match(r"^(ok|not ok) \d+ (.*)$", line, re.S)
        if m:
            n += 1
            line = f"{m.group(1)} {n} {m.group(2)}"
        out.append(line)
    return "".join(out)


def expected_cxx():
    """The C++ build runs one more test, last of the global fixture."""
    text = EXPECTED_C.replace(
        "not ok 5 global.assert_fails\n",
        "not ok 5 global.assert_fails\n"
        "#  RUN           global.warn_fails_test ...\n"
        "#          FAIL  global.warn_fails_test\n"
        "not ok 6 global.warn_fails_test\n")
    text = text.replace("1..19\n# Starting 19 tests",
                        "1..20\n# Starting 20 tests")
    text = text.replace("# FAILED: 13 / 19", "# FAILED: 13 / 20")
    text = text.replace("pass:9 fail:6", "pass:9 fail:7")
    return renumber(text)


def run(binary, args):
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=100)
    return p.returncode, p.stdout, p.stderr


def diff(want, got):
    import difflib
    return "".join(difflib.unified_diff(want.splitlines(True),
                                        got.splitlines(True),
                                        "expected", "actual"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--variant", choices=["c", "cxx"], default="c")
    a = ap.parse_args()
    errors = []

    def check(cond, what):
        if not cond:
            errors.append(what)

    want = EXPECTED_C if a.variant == "c" else expected_cxx()
    rc, out, err = run(a.binary, [])
    check(rc == 1, f"full run: exit code {rc}, want 1")
    check(out == want, "full run: stdout differs:\n" + diff(want, out))

    # Diagnostics appear in this order (other stderr lines may interleave).
    diags = list(EXPECTED_DIAGNOSTICS_C)
    if a.variant == "cxx":
        diags.insert(8, "warn_fails_test:WARNING: WARN_ON(1 + 1 == 2)")
        diags.insert(9, "# warn_fails_test: Test failed")
    at = 0
    for d in diags:
        found = err.find(d, at)
        check(found >= 0, f"stderr: missing, or out of order: {d!r}")
        if found >= 0:
            at = found
    check("UNREACHABLE" not in err, "stderr: code after an ASSERT, a SKIP "
          "or a failed setup ran:\n" + err)

    for args, want_rc, want_lines in FILTERS:
        rc, out, _ = run(a.binary, args)
        results = "".join(l for l in out.splitlines(True)
                          if re.match(r"^(ok|not ok|1\.\.|# Starting|"
                                      r"# PASSED|# FAILED|# Totals)", l))
        check(rc == want_rc, f"{args}: exit code {rc}, want {want_rc}")
        check(results == want_lines,
              f"{args}: results differ:\n" + diff(want_lines, results))

    rc, out, err = run(a.binary, ["-l"])
    check(rc == 4, f"-l: exit code {rc}, want 4 (KSFT_SKIP)")
    check(err.startswith(LISTING_START), "-l: listing starts wrong:\n" + err)
    check(LISTING_COUNTER in err, "-l: fixture/variant table wrong:\n" + err)
    rc, out, err = run(a.binary, ["-h"])
    check(rc == 4 and "Usage:" in err, f"-h: exit code {rc}, want 4, usage")
    rc, out, err = run(a.binary, ["-z"])
    check(rc == 1 and "Usage:" in err, f"-z: exit code {rc}, want 1, usage")

    if errors:
        print("\n".join(errors))
        print(f"{len(errors)} check(s) failed")
        return 1
    print(f"kselftest harness ({a.variant}): all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
