# `uiommufd run --digest/--graph` and `uiommufd diff` on a known program
# (digest_client.c): the digest holds the steps and items it must, two runs
# of the same program do not differ, a run that maps one buffer elsewhere
# is caught at that step with the mapping named, the graph has the
# context's objects and edges, and a file that is not a digest is refused.
# With -DSMMUV3=<interposer_smmuv3_dma>, -DVTD=<interposer_vtd_dma> and
# -DAMD=<interposer_amd_dma>, the
# vendor models' registers and caches (occupancy, counters and the entries
# by tag) are in a digest on their platforms, the same in two runs; with
# -DVFIO_EDU=<interposer_vfio_edu>, a fault queue lists its awaited requests.
# Run by CTest with -DUIOMMUFD=<the command> -DCLIENT=<digest_client>
# -DWORK_DIR=<scratch dir>.

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run_ok)
  execute_process(COMMAND ${UIOMMUFD} run ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "uiommufd run ${ARGN}: exit ${rc}\n${out}\n${err}")
  endif()
endfunction()

# Runs `uiommufd diff A B`, wants exit status @code; its stdout in diff_out.
function(run_diff code a b)
  execute_process(COMMAND ${UIOMMUFD} diff ${a} ${b} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL code)
    message(SEND_ERROR "uiommufd diff ${a} ${b}: exit ${rc}, want ${code}\n${out}${err}")
  endif()
  set(diff_out "${out}" PARENT_SCOPE)
  set(diff_err "${err}" PARENT_SCOPE)
endfunction()

function(expect_match what text regex)
  if(NOT text MATCHES "${regex}")
    message(SEND_ERROR "${what} does not match ${regex}:\n${text}")
  else()
    message(STATUS "ok: ${what} matches ${regex}")
  endif()
endfunction()

run_ok(--digest ${WORK_DIR}/a.digest --graph ${WORK_DIR}/a.dot -- ${CLIENT})
run_ok(--digest ${WORK_DIR}/b.digest -- ${CLIENT})
run_ok(--digest ${WORK_DIR}/c.digest -- ${CLIENT} 0x3000000)

# The digest: six ioctls and the exit, the objects and what changed.
file(READ ${WORK_DIR}/a.digest a)
expect_match("a.digest" "${a}" "^uiommufd-digest 1\n")
expect_match("a.digest" "${a}" "\nstep 1 IOMMU_IOAS_ALLOC = 0 state [0-9a-f]+\n")
expect_match("a.digest" "${a}" "\nstep 2 IOMMU_TEST_CMD\\(MOCK_DOMAIN\\) = 0 state ")
expect_match("a.digest" "${a}" "\n> attached ctx1/hwpt[0-9]+\n")
expect_match("a.digest" "${a}" "\nstep 4 IOMMU_IOAS_MAP = 0 state [0-9a-f]+\n\\+ ctx1/hwpt[0-9]+ hwpt_paging")
expect_match("a.digest" "${a}" "\n\\| image 0x2000000-0x2003fff -> page5..8\n")
expect_match("a.digest" "${a}" "\nstep 5 IOMMU_TEST_CMD\\(CREATE_ACCESS\\) = 0 ")
expect_match("a.digest" "${a}" "\n> ioas ctx1/ioas1\n")
expect_match("a.digest" "${a}" "\nstep 6 IOMMU_IOAS_UNMAP = 0 ")
# The program exits with its fd open: the exit step sees the context gone.
expect_match("a.digest" "${a}" "\nstep 7 exit state [0-9a-f]+\n(.*\n)?- ctx1/ioas1\n")

# The same program twice: no difference.
run_diff(0 ${WORK_DIR}/a.digest ${WORK_DIR}/b.digest)
expect_match("diff a b" "${diff_out}" "^no difference in 7 steps\n$")

# One buffer mapped elsewhere: caught at step 4, the mapping and the image named.
run_diff(1 ${WORK_DIR}/a.digest ${WORK_DIR}/c.digest)
expect_match("diff a c" "${diff_out}" "first difference at step 4, IOMMU_IOAS_MAP = 0:\n")
expect_match("diff a c" "${diff_out}" "  ctx1/ioas1 \\(ioas\\) differs:\n    A area 0x2000000-0x2003fff rw pages2\\+0x0\n    B area 0x3000000-0x3003fff rw pages2\\+0x0\n")
expect_match("diff a c" "${diff_out}" "  ctx1/hwpt[0-9]+ \\(hwpt_paging\\) differs:\n    A image 0x2000000-0x2003fff -> page5..8\n    B image 0x3000000-0x3003fff -> page5..8\n")
expect_match("diff a c" "${diff_out}" "\n3 of the 7 steps both have differ\n")

# The graph: a cluster for the context, its objects, the attach edge.
file(READ ${WORK_DIR}/a.dot g)
expect_match("a.dot" "${g}" "^digraph uiommufd {\n")
expect_match("a.dot" "${g}" "subgraph \"cluster_ctx1\" {")
expect_match("a.dot" "${g}" "\"ctx1/dev[0-9]+\" -> \"ctx1/hwpt[0-9]+\" \\[label=\"attached\"\\]")
expect_match("a.dot" "${g}" "\"ctx1/hwpt[0-9]+\" -> \"ctx1/ioas1\" \\[label=\"ioas\"\\]")
# (The access is gone: the program's exit closed its fd before the iommufd's.)
expect_match("a.dot" "${g}" "\"ctx1/ioas1\" -> \"pages1\" \\[label=\"pages\"\\]")
expect_match("a.dot" "${g}" "\"0000:00:03.0\" \\[shape=component")

# A mark the program writes: a step of its own, where a diff lines it up.
run_ok(--digest ${WORK_DIR}/m.digest -- ${CLIENT} 0x2000000 mark)
file(READ ${WORK_DIR}/m.digest m)
expect_match("m.digest" "${m}" "\nstep 5 mark mappings done state [0-9a-f]+\nstep 6 IOMMU_TEST_CMD\\(CREATE_ACCESS\\)")
run_diff(1 ${WORK_DIR}/a.digest ${WORK_DIR}/m.digest)
expect_match("diff a m" "${diff_out}" "first difference at step 5: A ran IOMMU_TEST_CMD\\(CREATE_ACCESS\\) = 0, B ran mark mappings done\n")

# Not a digest: one line, exit 2.
file(WRITE ${WORK_DIR}/junk "hello\n")
run_diff(2 ${WORK_DIR}/a.digest ${WORK_DIR}/junk)
expect_match("diff a junk" "${diff_err}" "^uiommufd diff: .*junk:1: not a uiommufd digest")

# The vendor models describe their registers and caches.
set(cached_smmuv3 "\n\\| tlb nh vmid [0-9]+ asid 1 0x40000000/12 nested rw\n")
set(cached_vtd "\n\\| iotlb did [0-9]+ pasid 0 nested 0x40000000/12 rw\n")
set(cached_amd "\n\\| iotlb domid [0-9]+ pasid 0 0x40000000/12 nested rw\n")
foreach(vendor smmuv3 vtd amd)
  string(TOUPPER ${vendor} var)
  if(NOT ${var})
    continue()
  endif()
  run_ok(--platform ${vendor} --digest ${WORK_DIR}/${vendor}.digest -- ${${var}})
  file(READ ${WORK_DIR}/${vendor}.digest d)
  expect_match("${vendor}.digest" "${d}" "\n\\+ [a-z0-9]+/regs ${vendor}_regs [0-9a-f]+\n")
  if(vendor STREQUAL amd)	# amd_dma runs HW-vIOMMU guests
    expect_match("${vendor}.digest" "${d}" "\n\\+ [a-z0-9]+/guests amd_guests [0-9a-f]+\n\\| guest ")
  endif()
  expect_match("${vendor}.digest" "${d}" "\n\\+ [a-z0-9]+/caches ${vendor}_caches [0-9a-f]+\n\\| entries ")
  # Cache entries by tag: each program's guest stage-1 page at 0x40000000, nested
  expect_match("${vendor}.digest" "${d}" "${cached_${vendor}}")
  # No physical address anywhere: a second run of the same program does not differ
  run_ok(--platform ${vendor} --digest ${WORK_DIR}/${vendor}-again.digest -- ${${var}})
  run_diff(0 ${WORK_DIR}/${vendor}.digest ${WORK_DIR}/${vendor}-again.digest)
  expect_match("diff ${vendor} ${vendor}-again" "${diff_out}" "^no difference in [0-9]+ steps\n$")
endforeach()

# A fault queue lists the page requests delivered and waiting for an answer.
if(VFIO_EDU)
  run_ok(--digest ${WORK_DIR}/edu.digest -- ${VFIO_EDU})
  file(READ ${WORK_DIR}/edu.digest d)
  expect_match("edu.digest" "${d}" "\n\\+ ctx[0-9]+/fault[0-9]+ fault [0-9a-f]+\n\\| unread [0-9]+\n")
  expect_match("edu.digest" "${d}" "\n\\| awaiting cookie [0-9]+ pasid 0 grpid [0-9]+ addr 0x[0-9a-f]+ perm 0x[0-9a-f]+\n")
  expect_match("edu.digest" "${d}" "\n\\| awaiting cookie [0-9]+ pasid 7 ")
endif()

# With a Tegra241 CMDQV beside the SMMU, the digest has its state too.
if(SMMUV3)
  run_ok(--platform tegra241 --digest ${WORK_DIR}/tegra241.digest -- ${SMMUV3})
  file(READ ${WORK_DIR}/tegra241.digest d)
  expect_match("tegra241.digest" "${d}" "\n\\+ [a-z0-9]+/cmdqv tegra241_cmdqv [0-9a-f]+\n\\| CONFIG 0x1 VINTF_ERR_MAP 0\n\\| VINTF0 CONFIG 0 sid_pairs 0\n")
  expect_match("tegra241.digest" "${d}" "\n\\| VINTF1 CONFIG 0x3 sid_pairs 1\n")
endif()
