#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn uAPI ABI tables (uapi/abi/*.tsv) into a C source that checks them.

Every row becomes compile-time assertions (_Static_assert in C,
static_assert in C++), so a header that drifts from the table fails the
build with a message naming the table, line and row. The same checks are
evaluated again at run time by a main() that prints one TAP line per row,
so CTest shows what was checked.

Table format (tab separated; '#' lines and blank lines are comments; a
first line starting with "kind" is the column header):

    kind    name    value_or_offset    size    note

    struct  S       alignof(struct S)  sizeof(struct S)
    field   S.m[.n] offsetof(S, m.n)   sizeof of the member
    ioctl   NAME    value              sizeof of the argument struct named in
                                       the note as col4=sizeof(struct X),
                                       else 0; the note may also pin
                                       nr=, type=, dir=_IO/_IOR/_IOW/_IOWR
                                       and size_field= (_IOC_* of NAME)
    enum    NAME    value              sizeof(NAME)
    define  NAME    value              sizeof(NAME); must be a macro

Any other kind is an error: a table the generator cannot fully check must
not pass silently.
"""

import argparse
import os
import re
import sys

KINDS = ("struct", "field", "ioctl", "enum", "define")

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")

IOC_DIRS = {
    "_IO": "_IOC_NONE",
    "_IOR": "_IOC_READ",
    "_IOW": "_IOC_WRITE",
    "_IOWR": "(_IOC_READ | _IOC_WRITE)",
}


class TableError(Exception):
    pass


class Row:
    def __init__(self, where, kind, name, value, size, note):
        self.where = where      # "file.tsv:line", for messages
        self.ioctl_floor = None # lowest ioctl nr this row's table allows
        self.kind = kind
        self.name = name
        self.value = value      # int
        self.size = size        # int
        self.note = note

    def describe(self):
        return f"{self.kind} {self.name} {self.value} {self.size}"


def parse_int(text, where, what):
    try:
        return int(text, 0)
    except ValueError:
        raise TableError(f"{where}: {what} '{text}' is not an integer")


def parse_table(path):
    rows = []
    base = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            where = f"{base}:{lineno}"
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "kind":
                continue
            if cols[0] not in KINDS:
                raise TableError(
                    f"{where}: unknown row kind '{cols[0]}' "
                    f"(known: {', '.join(KINDS)})")
            if len(cols) < 4 or len(cols) > 5:
                raise TableError(
                    f"{where}: expected 4 or 5 tab-separated columns, "
                    f"got {len(cols)}")
            kind, name = cols[0], cols[1]
            note = cols[4] if len(cols) == 5 else ""
            value = parse_int(cols[2], where, "value_or_offset")
            size = parse_int(cols[3], where, "size")
            if kind == "field":
                if not FIELD.match(name):
                    raise TableError(
                        f"{where}: field name '{name}' is not struct.member")
            elif not IDENT.match(name):
                raise TableError(f"{where}: '{name}' is not an identifier")
            if kind in ("struct", "field") and (value < 0 or size <= 0):
                raise TableError(f"{where}: impossible layout {value}/{size}")
            rows.append(Row(where, kind, name, value, size, note))
    return rows


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def value_check(expr, value):
    # Compare in a type wide enough for any uAPI constant, so neither
    # language warns about signedness and negative values stay exact.
    if value < 0:
        return f"((long long)({expr}) == {value}LL)"
    return f"((unsigned long long)({expr}) == {value}ULL)"


def ioctl_checks(row):
    """(condition, what) pairs an ioctl row asks for."""
    checks = [(value_check(row.name, row.value), f"value {row.value:#x}")]
    if row.ioctl_floor is not None:
        checks.append((f"(_IOC_NR({row.name}) >= {row.ioctl_floor:#x})",
                       f"_IOC_NR >= {row.ioctl_floor:#x} "
                       f"(outside upstream's range)"))
    note = row.note
    m = re.search(r"\bnr=(0x[0-9a-fA-F]+|\d+)", note)
    if m:
        checks.append((value_check(f"_IOC_NR({row.name})", int(m.group(1), 0)),
                       f"_IOC_NR {m.group(1)}"))
    m = re.search(r"\btype=(0x[0-9a-fA-F]+|\d+)", note)
    if m:
        checks.append((value_check(f"_IOC_TYPE({row.name})",
                                   int(m.group(1), 0)),
                       f"_IOC_TYPE {m.group(1)}"))
    m = re.search(r"\bdir=(\w+)", note)
    if m:
        if m.group(1) not in IOC_DIRS:
            raise TableError(f"{row.where}: unknown ioctl dir '{m.group(1)}'")
        checks.append((f"(_IOC_DIR({row.name}) == {IOC_DIRS[m.group(1)]})",
                       f"_IOC_DIR {m.group(1)}"))
    m = re.search(r"\bsize_field=(0x[0-9a-fA-F]+|\d+)", note)
    if m:
        checks.append((value_check(f"_IOC_SIZE({row.name})",
                                   int(m.group(1), 0)),
                       f"_IOC_SIZE {m.group(1)}"))
    m = re.search(r"\bcol4=sizeof\(struct ([A-Za-z_][A-Za-z0-9_]*)\)", note)
    if m:
        checks.append((f"(sizeof(struct {m.group(1)}) == {row.size})",
                       f"sizeof(struct {m.group(1)}) {row.size}"))
    elif row.size != 0:
        raise TableError(f"{row.where}: ioctl size {row.size} given but the "
                         f"note names no col4=sizeof(struct ...)")
    return checks


def row_checks(row):
    """(condition, what) pairs for one row, in C valid for C11 and C++20."""
    if row.kind == "struct":
        t = f"struct {row.name}"
        return [(f"(ABI_ALIGNOF({t}) == {row.value})",
                 f"alignof {row.value}"),
                (f"(sizeof({t}) == {row.size})", f"sizeof {row.size}")]
    if row.kind == "field":
        sname, member = row.name.split(".", 1)
        t = f"struct {sname}"
        return [(f"(offsetof({t}, {member}) == {row.value})",
                 f"offset {row.value}"),
                (f"(sizeof((({t} *)0)->{member}) == {row.size})",
                 f"size {row.size}")]
    if row.kind == "ioctl":
        return ioctl_checks(row)
    # enum and define
    return [(value_check(row.name, row.value), f"value {row.value}"),
            (f"(sizeof({row.name}) == {row.size})", f"sizeof {row.size}")]


def generate(rows, includes, macros, sources):
    out = []
    w = out.append
    w("/* Generated by selftests/abi/gen_abi_check.py from:")
    for s in sources:
        w(f" *   {s}")
    w(" * Do not edit: change the table or the header instead. */")
    w("#include <stddef.h>")
    w("#include <stdio.h>")
    w("#include <linux/ioctl.h>")
    for inc in includes:
        w(f"#include <{inc}>")
    w("")
    w("#ifdef __cplusplus")
    w("#define ABI_ASSERT(cond, msg) static_assert(cond, msg)")
    w("#define ABI_ALIGNOF(t) alignof(t)")
    w("#define ABI_LANG \"C++\"")
    w("#else")
    w("#define ABI_ASSERT(cond, msg) _Static_assert(cond, msg)")
    w("#define ABI_ALIGNOF(t) _Alignof(t)")
    w("#define ABI_LANG \"C\"")
    w("#endif")
    w("")
    for name in macros:
        w(f"#ifndef {name}")
        w(f"#error \"ABI: required macro {name} is not defined\"")
        w("#endif")
    w("")
    for row in rows:
        if row.kind in ("define", "ioctl"):
            w(f"#ifndef {row.name}")
            w(f"#error {c_string(f'ABI mismatch {row.where}: {row.kind} {row.name} is not a macro')}")
            w("#endif")
        for cond, what in row_checks(row):
            msg = f"ABI mismatch {row.where}: {row.kind} {row.name}: " \
                  f"the table says {what}, the header disagrees"
            w(f"ABI_ASSERT({cond}, {c_string(msg)});")
    w("")
    w("static int abi_failures;")
    w("")
    w("static void abi_report(int n, int ok, const char *what)")
    w("{")
    w("\tprintf(\"%sok %d - %s\\n\", ok ? \"\" : \"not \", n, what);")
    w("\tif (!ok)")
    w("\t\tabi_failures++;")
    w("}")
    w("")
    w("int main(void)")
    w("{")
    w("\tprintf(\"TAP version 13\\n\");")
    w(f"\tprintf(\"# uAPI ABI conformance (%s), {len(rows)} rows\\n\", ABI_LANG);")
    w(f"\tprintf(\"1..{len(rows)}\\n\");")
    for n, row in enumerate(rows, 1):
        cond = " && ".join(c for c, _ in row_checks(row))
        w(f"\tabi_report({n}, {cond},")
        w(f"\t\t   {c_string(row.where + ' ' + row.describe())});")
    w("\treturn abi_failures ? 1 : 0;")
    w("}")
    return "\n".join(out) + "\n"


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tables", nargs="+", help="ABI tables (.tsv)")
    ap.add_argument("--include", action="append", default=[],
                    help="header to include, as <...>; repeatable")
    ap.add_argument("--require-macro", action="append", default=[],
                    help="macro that must be defined (include guards)")
    ap.add_argument("--ioctl-floor", action="append", default=[],
                    metavar="TABLE=NR",
                    help="every ioctl of TABLE (file name) must have "
                         "_IOC_NR >= NR; repeatable")
    ap.add_argument("--out-c", help="C11 output")
    ap.add_argument("--out-cxx", help="C++20 output")
    args = ap.parse_args(argv)
    if not args.out_c and not args.out_cxx:
        ap.error("give --out-c and/or --out-cxx")

    rows = []
    try:
        floors = {}
        for spec in args.ioctl_floor:
            table, sep, nr = spec.partition("=")
            if not sep:
                raise TableError(f"--ioctl-floor '{spec}' is not TABLE=NR")
            floors[table] = parse_int(nr, "--ioctl-floor", "NR")
        for path in args.tables:
            table_rows = parse_table(path)
            for row in table_rows:
                row.ioctl_floor = floors.get(os.path.basename(path))
            rows.extend(table_rows)
        for row in rows:
            row_checks(row)     # validates ioctl notes
    except (TableError, OSError) as e:
        print(f"gen_abi_check: error: {e}", file=sys.stderr)
        return 2
    if not rows:
        print("gen_abi_check: error: no rows", file=sys.stderr)
        return 2

    sources = [os.path.basename(p) for p in args.tables]
    text = generate(rows, args.include, args.require_macro, sources)
    for path in (args.out_c, args.out_cxx):
        if path:
            write_if_changed(path, text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
