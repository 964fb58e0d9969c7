# The review tools on the kernel's own iommufd selftest: `uiommufd kselftest`
# builds it from KERNEL_TREE (or finds it built), then one of its tests runs
# twice with --digest (once with --graph too). The digest has the test's
# ioctls as steps, the mock domain's image after its maps, and the two runs
# do not differ; the graph has the test's context with its IOAS and HWPT.
# Without a kernel tree it prints "review_kselftest: skipped" (CTest's skip).
# Run by CTest with -DUIOMMUFD=<command> -DKERNEL_TREE=<tree>
# -DEXPECTED=<kselftest-expected.txt> -DWORK_DIR=<scratch dir>.

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

execute_process(COMMAND ${UIOMMUFD} kselftest --tree ${KERNEL_TREE} --suite iommufd
                        --expected ${EXPECTED} --out ${WORK_DIR}/results --skip-missing-tree
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 900)
if(rc EQUAL 77)
  message(STATUS "review_kselftest: skipped (no iommufd selftests in ${KERNEL_TREE})")
  return()
endif()
# Where it was built: "kselftest: DIR (cached, ...)" or "(built in ...)"
if(NOT "${out}${err}" MATCHES "kselftest: ([^ \n]+/kselftest-[0-9a-f]+) \\(")
  message(FATAL_ERROR "uiommufd kselftest: exit ${rc}, no build directory in its output\n${out}\n${err}")
endif()
set(program ${CMAKE_MATCH_1}/iommufd)
set(test iommufd_ioas.mock_domain.ioas_area_auto_destroy)

foreach(run a b)
  set(graph)
  if(run STREQUAL a)
    set(graph --graph ${WORK_DIR}/a.dot)
  endif()
  execute_process(COMMAND ${UIOMMUFD} run --root --digest ${WORK_DIR}/${run}.digest ${graph}
                          -- ${program} -r ${test}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "\nok 1 ${test}\n")
    message(FATAL_ERROR "${program} -r ${test} under --digest: exit ${rc}\n${out}\n${err}")
  endif()
endforeach()

function(expect what text regex)
  if(NOT text MATCHES "${regex}")
    message(SEND_ERROR "${what} does not match ${regex}")
  else()
    message(STATUS "ok: ${what}")
  endif()
endfunction()

file(READ ${WORK_DIR}/a.digest a)
expect("the digest's header" "${a}" "^uiommufd-digest 1\n")
expect("the fixture's mock domain" "${a}" "\nstep [0-9]+ IOMMU_TEST_CMD\\(MOCK_DOMAIN\\) = 0 state [0-9a-f]+\n")
expect("a map with the domain's image" "${a}" "\nstep [0-9]+ IOMMU_IOAS_MAP = 0 state [0-9a-f]+\n(\\| [^\n]*\n|[+>] [^\n]*\n)*\\| image 0x[0-9a-f]+-0x[0-9a-f]+ -> page[0-9]+\\.\\.[0-9]+\n")
expect("the exit" "${a}" "\nstep [0-9]+ exit state [0-9a-f]+\n")

execute_process(COMMAND ${UIOMMUFD} diff ${WORK_DIR}/a.digest ${WORK_DIR}/b.digest
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(SEND_ERROR "two runs of ${test} differ (exit ${rc}):\n${out}${err}")
endif()
expect("two runs alike" "${out}" "^no difference in [0-9]+ steps\n$")

file(READ ${WORK_DIR}/a.dot g)
expect("the graph's context" "${g}" "subgraph \"cluster_ctx1\" {")
expect("the graph's IOAS" "${g}" "\"ctx1/ioas[0-9]+\"")
