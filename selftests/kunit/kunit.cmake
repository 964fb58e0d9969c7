# KUnit-on-GoogleTest helpers, included by the top-level CMakeLists.txt.
#
# uiommufd_test_exceptions(TARGET)
#   Test code may throw: KUNIT_ASSERT_*() and kunit_skip() end a case by
#   unwinding to the runner. Kernel-side code is built with -fno-exceptions,
#   and linking a kernel-side library hands that flag to its users as a usage
#   requirement. Per-source COMPILE_OPTIONS come after the target's and its
#   dependencies' options on the command line, so -fexceptions set there
#   wins. The sources are read at the end of the directory, so sources added
#   after this call are covered too.
#
# uiommufd_add_kunit_test(TARGET)
#   Compiles TARGET's sources with exceptions and registers the binary with
#   CTest as one test (label "kunit"). Each case is also a gtest test, so
#   `TARGET --gtest_filter=suite.case` runs one, and `TARGET --ktap` prints
#   KTAP for kunit.py.

function(_uiommufd_test_exceptions_deferred target)
  get_target_property(srcs ${target} SOURCES)
  foreach(src IN LISTS srcs)
    if(src MATCHES "\\.(cc|cpp|cxx|c\\+\\+)$")
      set_property(SOURCE ${src} TARGET_DIRECTORY ${target}
                   APPEND PROPERTY COMPILE_OPTIONS -fexceptions)
    endif()
  endforeach()
endfunction()

function(uiommufd_test_exceptions target)
  # DEFER expands its arguments when the call runs; bake the name in now.
  cmake_language(EVAL CODE
    "cmake_language(DEFER CALL _uiommufd_test_exceptions_deferred [[${target}]])")
endfunction()

function(uiommufd_add_kunit_test target)
  uiommufd_test_exceptions(${target})
  add_test(NAME ${target} COMMAND ${target})
  set_tests_properties(${target} PROPERTIES LABELS "kunit")
endfunction()
