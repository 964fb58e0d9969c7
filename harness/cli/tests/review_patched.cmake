# The reviewer's flow on a patched build: the same program (digest_client.c)
# run by the command built from main and by the one whose kernel library
# has PATCH applied. The patch maps every page after a multi-page run's
# head from the head's physical address, so `uiommufd diff` must put the
# first difference at the first IOAS_MAP step, name the mock domain's image and
# not the IOAS (whose areas the patch leaves alone).
# Run by CTest with -DUIOMMUFD=<command> -DPATCHED=<patched command>
# -DCLIENT=<digest_client> -DPATCH=<the patch> -DWORK_DIR=<scratch dir>.

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# Main's run is clean. The patched one is not: unmapping reads the pages to
# unpin back from the domain, as iommufd does, so the harness sees an unpin
# of a page that is not the one pinned, reports it and fails the run; the
# digest is written all the same.
execute_process(COMMAND ${UIOMMUFD} run --digest ${WORK_DIR}/main.digest -- ${CLIENT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${UIOMMUFD} run --digest: exit ${rc}\n${out}\n${err}")
endif()
execute_process(COMMAND ${PATCHED} run --digest ${WORK_DIR}/patched.digest -- ${CLIENT}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
if(rc EQUAL 0 OR NOT err MATCHES "kernel-side failure[^\n]*unpin[^\n]* from batch_unpin")
  message(SEND_ERROR "${PATCHED} run --digest: exit ${rc}, want a kernel-side unpin failure\n${out}\n${err}")
else()
  message(STATUS "ok: the patched run fails on the unpin")
endif()

execute_process(COMMAND ${UIOMMUFD} diff ${WORK_DIR}/main.digest ${WORK_DIR}/patched.digest
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "uiommufd diff main patched (${PATCH}):\n${out}${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "uiommufd diff: exit ${rc}, want 1 (a difference)")
endif()

function(expect what regex)
  if(NOT out MATCHES "${regex}")
    message(SEND_ERROR "diff output lacks ${what} (${regex})")
  else()
    message(STATUS "ok: ${what}")
  endif()
endfunction()
function(refuse what regex)
  if(out MATCHES "${regex}")
    message(SEND_ERROR "diff output: ${what} (${regex})")
  else()
    message(STATUS "ok: not ${what}")
  endif()
endfunction()

expect("the first map step" "\nfirst difference at step 3, IOMMU_IOAS_MAP = 0:\n")
expect("the domain's image, as main maps it"
       "  ctx1/hwpt[0-9]+ \\(hwpt_paging\\) differs:\n(    A [^\n]*\n)*    A image 0x1000000-0x1003fff -> page1\\.\\.4\n")
expect("the head page as the patch maps it" "\n    B image 0x1000000-0x1000fff -> page1\\.\\.1\n")
expect("the rest from the head's page" "\n    B image 0x1001000-0x1003fff -> page1\\.\\.3\n")
refuse("the IOAS blamed" "ctx1/ioas1 \\(ioas\\) differs")
