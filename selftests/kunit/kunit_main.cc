// SPDX-License-Identifier: GPL-2.0
/*
 * main() of a KUnit binary. It lives in its own object of the kunit
 * library so that the linker takes it only when the test defines no main()
 * of its own.
 */
#include "kunit.h"

int main(int argc, char **argv)
{
	return kunit_main(argc, argv);
}
