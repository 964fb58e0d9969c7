// SPDX-License-Identifier: GPL-2.0
/*
 * sample.c compiled as C++20, with the uiommufd kernel-side harness linked
 * in: proves the kselftest headers are valid C++ and that a harness
 * tripwire (WARN_ON) fails the test that hit it.
 */
#include "sample.c"
