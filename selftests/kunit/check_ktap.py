#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks the KTAP a KUnit-on-GoogleTest binary prints with --ktap.

Runs the binary twice with --ktap and --gtest_output=json: once as is (it
must pass), once with its deliberately failing suites registered
(UIOMMUFD_KUNIT_SAMPLE_FAILING=1; it must fail). Each time:

  default      parse the KTAP (structure, plans, numbering, subtest names)
               and check every gtest result has exactly one KTAP leaf with
               the same outcome;
  --kunit-py   also feed the KTAP to the kernel's tools/testing/kunit/kunit.py
               parse and check it accepts it without errors and counts the
               same passes, failures and skips. kunit.py is the option's
               value, else $UIOMMUFD_KUNIT_PY, else the first of
               $UIOMMUFD_KERNEL_TREE and the --kernel-tree directories (the
               build passes the tree harness/tools/setup.sh unpacks) that has
               tools/testing/kunit/kunit.py; exit 77 (skip) without one.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

FAILING_ENV = "UIOMMUFD_KUNIT_SAMPLE_FAILING"
SKIP = 77

RESULT = re.compile(r"^( *)(ok|not ok) (\d+) ([^#]*?)( # SKIP.*| # .*)?$")


class Node:
    def __init__(self, indent, name=None):
        self.indent = indent
        self.name = name
        self.plan = None
        self.children = []
        self.status = None     # "pass", "fail" or "skip"
        self.subtest = False   # had its own KTAP header


def gtest_name(s):
    return re.sub(r"[^A-Za-z0-9_]", "_", s) or "_"


def parse_ktap(text, errors):
    """Returns the root Node; structural problems go to errors."""
    lines = text.splitlines()
    if not lines or lines[0] != "KTAP version 1":
        errors.append("KTAP: first line is not 'KTAP version 1'")
        return Node(0)
    root = Node(0, "main")
    root.subtest = True
    stack = [root]
    for line in lines[1:]:
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if body == "KTAP version 1":
            node = Node(indent)
            node.subtest = True
            stack.append(node)
        elif body.startswith("# Subtest: "):
            if stack[-1].indent != indent or stack[-1].name is not None:
                errors.append(f"KTAP: stray subtest header: {line!r}")
            stack[-1].name = body[len("# Subtest: "):]
        elif re.match(r"^1\.\.\d+$", body):
            if stack[-1].indent != indent or stack[-1].plan is not None:
                errors.append(f"KTAP: stray plan: {line!r}")
            stack[-1].plan = int(body[3:])
        elif RESULT.match(line):
            m = RESULT.match(line)
            name = m.group(4).strip()
            directive = m.group(5) or ""
            status = ("skip" if directive.startswith(" # SKIP") else
                      "pass" if m.group(2) == "ok" else "fail")
            if stack[-1].indent > indent and len(stack) > 1:
                node = stack.pop()
                if node.name != name:
                    errors.append(f"KTAP: result {name!r} closes subtest "
                                  f"{node.name!r}")
            else:
                node = Node(indent + 4, name)
            node.status = status
            parent = stack[-1]
            if parent.indent != indent:
                errors.append(f"KTAP: result at the wrong depth: {line!r}")
            if int(m.group(3)) != len(parent.children) + 1:
                errors.append(f"KTAP: out of sequence: {line!r}")
            parent.children.append(node)
        elif body.startswith("#") or not body:
            pass
        else:
            errors.append(f"KTAP: not a KTAP line: {line!r}")
    if len(stack) != 1:
        errors.append("KTAP: unterminated subtest " + repr(stack[-1].name))

    def check_plans(node):
        if node.subtest and node.plan != len(node.children):
            errors.append(f"KTAP: {node.name!r} planned {node.plan}, "
                          f"has {len(node.children)}")
        for c in node.children:
            check_plans(c)
    check_plans(root)
    return root


def ktap_leaves(root):
    """{(suite, case, param-or-None): status} and suites that never ran."""
    leaves, dead_suites = {}, {}
    for suite in root.children:
        if not suite.children:
            dead_suites[suite.name] = suite.status
        for case in suite.children:
            if case.children:
                for p in case.children:
                    leaves[(suite.name, case.name, p.name)] = p.status
            else:
                leaves[(suite.name, case.name, None)] = case.status
    return leaves, dead_suites


def gtest_results(report):
    """{(gtest suite, gtest name, value_param or None): status}"""
    out = {}
    for suite in report.get("testsuites", []):
        for t in suite.get("testsuite", []):
            if t.get("failures"):
                status = "fail"
            elif t.get("result") == "SKIPPED":
                status = "skip"
            else:
                status = "pass"
            out[(suite["name"], t["name"], t.get("value_param"))] = status
    return out


def run(binary, failing):
    env = dict(os.environ)
    env.pop("UIOMMUFD_KTAP", None)
    env.pop("GTEST_OUTPUT", None)
    args = [binary, "--ktap"]
    if failing:
        env[FAILING_ENV] = "1"
        # The self-test that itself runs the failing suites stays out.
        args.append("--gtest_filter=*-kunit_sample.failures_are_reported")
    else:
        env.pop(FAILING_ENV, None)
    with tempfile.TemporaryDirectory() as d:
        jpath = os.path.join(d, "gtest.json")
        p = subprocess.run(args + ["--gtest_output=json:" + jpath], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=300)
        with open(jpath) as f:
            report = json.load(f)
    return p.returncode, p.stdout, report


def check_against_gtest(stdout, report, errors):
    root = parse_ktap(stdout, errors)
    leaves, dead = ktap_leaves(root)
    gt = gtest_results(report)
    seen = set()
    for (suite, case, param), status in leaves.items():
        gname = gtest_name(case)
        if param is not None:
            matches = [k for k in gt if k[0] == gtest_name(suite) and
                       k[1].startswith(gname + "/") and k[2] == param]
        else:
            matches = [k for k in gt if k[0] == gtest_name(suite) and
                       k[1] == gname]
        if len(matches) != 1:
            errors.append(f"KTAP leaf {suite}.{case}"
                          f"{'/' + param if param else ''} matches "
                          f"{len(matches)} gtest results")
            continue
        seen.add(matches[0])
        if gt[matches[0]] != status:
            errors.append(f"{matches[0]}: gtest says {gt[matches[0]]}, "
                          f"KTAP says {status}")
    for suite, status in dead.items():
        # A suite whose suite_init failed: gtest skips all its tests.
        if status != "fail":
            errors.append(f"suite {suite} has no cases but is {status}")
        for k, v in gt.items():
            if k[0] == gtest_name(suite):
                seen.add(k)
                if v != "skip":
                    errors.append(f"{k} ran although suite_init failed")
    for k in gt:
        if k not in seen:
            errors.append(f"gtest result {k} has no KTAP leaf")
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for status in list(leaves.values()) + list(dead.values()):
        counts[status] += 1
    return counts


def find_kunit_py(given, trees):
    candidates = [given, os.environ.get("UIOMMUFD_KUNIT_PY")]
    for tree in [os.environ.get("UIOMMUFD_KERNEL_TREE")] + trees:
        if tree:
            candidates.append(os.path.join(tree,
                                           "tools/testing/kunit/kunit.py"))
    for c in candidates:
        if c and os.path.isfile(c):
            return c
    return None


def kunit_py_counts(kunit_py, stdout, errors, want_rc):
    with tempfile.TemporaryDirectory() as d:
        jpath = os.path.join(d, "kunit.json")
        p = subprocess.run([sys.executable, kunit_py, "parse",
                            "--json=" + jpath], input=stdout,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=120)
        if p.returncode != want_rc:
            errors.append(f"kunit.py parse: exit code {p.returncode}, "
                          f"want {want_rc}:\n{p.stdout}")
        if "[ERROR]" in p.stdout or "errors:" in p.stdout:
            errors.append("kunit.py parse reported errors:\n" + p.stdout)
        if not os.path.exists(jpath):
            errors.append("kunit.py parse wrote no JSON:\n" + p.stdout)
            return None
        with open(jpath) as f:
            report = json.load(f)
    counts = {"pass": 0, "fail": 0, "skip": 0, "error": 0}
    names = {"PASS": "pass", "FAIL": "fail", "SKIP": "skip", "ERROR": "error"}

    def walk(group):
        for t in group.get("test_cases", []):
            counts[names.get(t["status"], "fail")] += 1
        for g in group.get("sub_groups", []):
            walk(g)
    walk(report)
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--kunit-py", nargs="?", const="", default=None,
                    help="also check with the kernel's kunit.py")
    ap.add_argument("--kernel-tree", action="append", default=[],
                    help="a kernel tree to look for kunit.py in")
    a = ap.parse_args()

    kunit_py = None
    if a.kunit_py is not None:
        kunit_py = find_kunit_py(a.kunit_py, a.kernel_tree)
        if not kunit_py:
            print("kunit.py not found (set UIOMMUFD_KUNIT_PY or "
                  "UIOMMUFD_KERNEL_TREE); skipping")
            return SKIP

    errors = []
    for failing in (False, True):
        what = "failing suites" if failing else "sample"
        rc, stdout, report = run(a.binary, failing)
        want_rc = 1 if failing else 0
        if rc != want_rc:
            errors.append(f"{what}: exit code {rc}, want {want_rc}")
        e = []
        counts = check_against_gtest(stdout, report, e)
        errors += [f"{what}: {x}" for x in e]
        if failing and not counts["fail"]:
            errors.append(f"{what}: no failure reported")
        if not failing and (counts["fail"] or not counts["skip"]
                            or not counts["pass"]):
            errors.append(f"{what}: want passes and skips only: {counts}")
        if kunit_py:
            e = []
            kcounts = kunit_py_counts(kunit_py, stdout, e, want_rc)
            errors += [f"{what}: {x}" for x in e]
            if kcounts is not None and (kcounts["error"] or any(
                    kcounts[k] != counts[k] for k in counts)):
                errors.append(f"{what}: kunit.py counted {kcounts}, "
                              f"gtest {counts}")
        if errors:
            errors.append(f"{what}: the KTAP was:\n{stdout}")
        print(f"{what}: {counts['pass']} pass, {counts['fail']} fail, "
              f"{counts['skip']} skip" + (" (kunit.py agrees)"
                                          if kunit_py and not errors else ""))

    if errors:
        print("\n".join(errors))
        return 1
    print("KTAP checks passed" + (f" (with {kunit_py})" if kunit_py else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
