void __kunit_placeholder(void) {}
