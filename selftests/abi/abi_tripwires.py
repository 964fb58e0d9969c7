#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Show every tripwire of the uAPI ABI check firing (TAP output).

The real check (abi_check_c/abi_check_cxx) only ever shows the passing
side. This drives gen_abi_check.py and the compilers with deliberately
wrong tables and headers and expects each to be refused, loudly and naming
the culprit:
  - a row of unknown kind, and malformed rows, stop the generator;
  - a wrong number of each kind of row fails the C and the C++ build, and
    the message names that row (and not the correct row next to it);
  - an experimental ioctl numbered inside upstream's range is refused;
  - our include guards interlock with upstream's source-tree and installed
    guards, in either include order, so definitions are never duplicated.
A good table is also built and run, so a failure above cannot come from a
broken toolchain or include path.
"""

import argparse
import os
import subprocess
import sys

C_FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror"]
CXX_FLAGS = ["-std=c++20", "-Wall", "-Wextra", "-Werror"]

GOOD_ROW = "struct\tiommu_destroy\t4\t8\t"

# (case name, bad row, text of what it must be reported as)
MISMATCHES = [
    ("struct sizeof", "struct\tiommu_ioas_alloc\t4\t16\t",
     "struct iommu_ioas_alloc"),
    ("struct alignof", "struct\tiommu_ioas_map\t4\t40\t",
     "struct iommu_ioas_map"),
    ("field offset", "field\tiommu_ioas_map.iova\t24\t8\t",
     "field iommu_ioas_map.iova"),
    ("field size", "field\tiommu_option.op\t8\t4\t",
     "field iommu_option.op"),
    ("nested field offset", "field\tiommu_test_cmd.check_map.uptr\t24\t8\t",
     "field iommu_test_cmd.check_map.uptr"),
    ("ioctl value", "ioctl\tIOMMU_IOAS_MAP\t0x3b86\t0\t",
     "ioctl IOMMU_IOAS_MAP"),
    ("ioctl nr", "ioctl\tIOMMU_IOAS_MAP\t0x3b85\t0\tnr=0x86",
     "ioctl IOMMU_IOAS_MAP"),
    ("ioctl type", "ioctl\tIOMMU_IOAS_MAP\t0x3b85\t0\ttype=0x3c",
     "ioctl IOMMU_IOAS_MAP"),
    ("ioctl dir", "ioctl\tIOMMU_IOAS_MAP\t0x3b85\t0\tdir=_IOWR(rw)",
     "ioctl IOMMU_IOAS_MAP"),
    ("ioctl size field", "ioctl\tIOMMU_IOAS_MAP\t0x3b85\t0\tsize_field=40",
     "ioctl IOMMU_IOAS_MAP"),
    ("ioctl arg struct size",
     "ioctl\tIOMMU_IOAS_MAP\t0x3b85\t48\tcol4=sizeof(struct iommu_ioas_map)",
     "ioctl IOMMU_IOAS_MAP"),
    ("enum value", "enum\tIOMMU_HWPT_DATA_AMD_GUEST\t4\t4\t",
     "enum IOMMU_HWPT_DATA_AMD_GUEST"),
    ("enum sizeof", "enum\tIOMMU_HWPT_DATA_AMD_GUEST\t3\t8\t",
     "enum IOMMU_HWPT_DATA_AMD_GUEST"),
    ("define value", "define\tIOMMU_TEST_HW_QUEUE_MAX\t3\t4\t",
     "define IOMMU_TEST_HW_QUEUE_MAX"),
    ("define that is no macro", "define\tIOMMUFD_CMD_BASE\t128\t4\t",
     "define IOMMUFD_CMD_BASE"),
    ("missing enumerator", "enum\tIOMMU_HWPT_DATA_NO_SUCH\t9\t4\t",
     "enum IOMMU_HWPT_DATA_NO_SUCH"),
    ("vfio cdev struct", "struct\tvfio_device_attach_iommufd_pt\t4\t12\t",
     "struct vfio_device_attach_iommufd_pt"),
]

MALFORMED = [
    ("unknown kind", "bogus\tiommu_destroy\t4\t8\t",
     "unknown row kind 'bogus'"),
    ("too few columns", "struct\tiommu_destroy\t4",
     "expected 4 or 5 tab-separated columns"),
    ("value not a number", "enum\tIOMMUFD_CMD_BASE\tx80\t4\t",
     "'x80' is not an integer"),
    ("field not struct.member", "field\tiommu_destroy\t0\t4\t",
     "is not struct.member"),
    ("ioctl size without struct", "ioctl\tIOMMU_DESTROY\t0x3b80\t8\t",
     "names no col4=sizeof"),
    ("unknown ioctl dir", "ioctl\tIOMMU_DESTROY\t0x3b80\t0\tdir=_IOX",
     "unknown ioctl dir '_IOX'"),
]

# (header we ship, guard of an upstream copy, what the fake copy defines)
GUARDS = [
    ("linux/iommufd.h", "_UAPI_IOMMUFD_H", "struct iommu_destroy { int x; };"),
    ("linux/iommufd.h", "_IOMMUFD_H", "struct iommu_destroy { int x; };"),
    ("linux/vfio.h", "_UAPIVFIO_H", "struct vfio_group_status { int x; };"),
    ("linux/vfio.h", "VFIO_H", "struct vfio_group_status { int x; };"),
    ("linux/iommufd_test.h", "_UAPI_IOMMUFD_TEST_H",
     "struct iommu_test_hw_info { int x; };"),
]


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, what, detail=""):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {what}")
        if not ok:
            self.failed += 1
            for line in detail.strip().splitlines()[:40]:
                print(f"#   {line}")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return p.returncode, p.stdout + p.stderr


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


class Env:
    def __init__(self, args):
        self.args = args
        self.work = args.workdir
        os.makedirs(self.work, exist_ok=True)

    def path(self, name):
        return os.path.join(self.work, name)

    def table(self, name, rows):
        path = self.path(name)
        write(path, "kind\tname\tvalue_or_offset\tsize\tnote\n" +
              "".join(r + "\n" for r in rows))
        return path

    def gen(self, tables, extra=()):
        out = self.path("gen.c")
        if os.path.exists(out):
            os.remove(out)
        cmd = [sys.executable, self.args.gen,
               "--include", "linux/iommufd.h",
               "--include", "linux/iommufd_test.h",
               "--include", "linux/vfio.h",
               "--out-c", out, *extra, *tables]
        rc, text = run(cmd)
        return rc, text, out

    def compile(self, lang, src, obj=None):
        """Compile src as C11 or C++20; link to obj if given."""
        if lang == "c":
            cmd = [self.args.cc, "-x", "c", *C_FLAGS]
        else:
            cmd = [self.args.cxx, "-x", "c++", *CXX_FLAGS]
        cmd += ["-I", self.args.uapi, "-I", self.work, src]
        cmd += ["-o", obj] if obj else ["-fsyntax-only"]
        return run(cmd)


def test_good_table(env, tap):
    table = env.table("good.tsv", [
        GOOD_ROW,
        "field\tiommu_test_cmd.check_dmabuf.offset\t40\t8\t",
        "ioctl\tIOMMU_DESTROY\t0x3b80\t8\tnr=0x80 type=0x3b dir=_IO(none) "
        "size_field=0; col4=sizeof(struct iommu_destroy)",
        "enum\tIOMMU_HW_INFO_TYPE_AMD\t4\t4\t",
        "define\tIOMMU_HW_INFO_TYPE_SELFTEST\t0xfeedbeef\t4\t",
        "define\tVFIO_PCI_DEVID_NOT_OWNED\t-1\t4\t",
    ])
    rc, text, src = env.gen([table])
    if rc:
        tap.result(False, "good table: generator accepts it", text)
        return
    for lang in ("c", "c++"):
        exe = env.path(f"good_{lang.replace('+', 'x')}")
        rc, text = env.compile(lang, src, exe)
        if rc == 0:
            rc, text = run([exe])
            ok = rc == 0 and "ok 6 - good.tsv:7" in text and "not ok" not in text
        else:
            ok = False
        tap.result(ok, f"good table: builds and passes as {lang}", text)


def test_malformed(env, tap):
    for name, row, expect in MALFORMED:
        table = env.table("malformed.tsv", [GOOD_ROW, row])
        rc, text, out = env.gen([table])
        ok = (rc != 0 and "malformed.tsv:3" in text and expect in text
              and not os.path.exists(out))
        tap.result(ok, f"generator rejects: {name}", text)


def test_mismatches(env, tap):
    for name, row, what in MISMATCHES:
        table = env.table("mismatch.tsv", [GOOD_ROW, row])
        rc, text, src = env.gen([table])
        if rc:
            tap.result(False, f"mismatch fails the build: {name}", text)
            continue
        tag = f"mismatch.tsv:3: {what}"
        for lang in ("c", "c++"):
            rc, text = env.compile(lang, src)
            ok = (rc != 0 and "error" in text and tag in text
                  and "mismatch.tsv:2:" not in text)
            tap.result(ok, f"mismatch fails the {lang} build naming the "
                       f"row: {name}", text)


def test_experimental_floor(env, tap):
    table = env.table("experimental-abi.tsv", [
        "ioctl\tIOMMU_IOAS_MAP\t0x3b85\t0\tnr=0x85"])
    rc, text, src = env.gen(
        [table], ["--ioctl-floor", "experimental-abi.tsv=0xc0"])
    if rc:
        tap.result(False, "experimental ioctl below 0xc0 is refused", text)
        return
    rc, text = env.compile("c", src)
    ok = (rc != 0 and "experimental-abi.tsv:2: ioctl IOMMU_IOAS_MAP" in text
          and "outside upstream's range" in text)
    tap.result(ok, "experimental ioctl below 0xc0 is refused", text)


def test_guards(env, tap):
    for n, (header, guard, body) in enumerate(GUARDS):
        fake = f"fake_upstream_{n}.h"
        write(env.path(fake),
              f"#ifndef {guard}\n#define {guard}\n{body}\n#endif\n")
        for order in ("ours first", "upstream first"):
            incs = [f"<{header}>", f'"{fake}"']
            if order == "upstream first":
                incs.reverse()
            src = env.path(f"guard_{n}.c")
            write(src, "".join(f"#include {i}\n" for i in incs) +
                  "int main(void) { return 0; }\n")
            for lang in ("c", "c++"):
                rc, text = env.compile(lang, src)
                tap.result(rc == 0, f"guard {guard} interlocks with "
                           f"{header}, {order}, {lang}", text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gen", required=True)
    ap.add_argument("--cc", required=True)
    ap.add_argument("--cxx", required=True)
    ap.add_argument("--uapi", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()

    env = Env(args)
    tap = Tap()
    print("TAP version 13")
    test_good_table(env, tap)
    test_malformed(env, tap)
    test_mismatches(env, tap)
    test_experimental_floor(env, tap)
    test_guards(env, tap)
    print(f"1..{tap.n}")
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
