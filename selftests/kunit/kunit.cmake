# uiommufd_add_kunit_test(TARGET): register a KUnit-on-GoogleTest binary with CTest.
function(uiommufd_add_kunit_test target)
  add_test(NAME ${target} COMMAND ${target})
endfunction()
