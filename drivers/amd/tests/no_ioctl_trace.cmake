# The HW-vIOMMU's point, checked from the outside: amd_dma's
# hw_viommu_guest_cmdbuf runs under `uiommufd run --trace`, and between its
# marks "guest invalidation" and "guest completion seen" (the guest's page
# table change, INVALIDATE + COMPLETION_WAIT in its command buffer, its
# CmdTail store, the semaphore read back) the trace has no ioctl: nothing
# asked the host kernel for anything. The guest's own accesses to its VF
# page are there (uiommufd traps the mapped page to run the model, and
# traces each access as a pwrite/pread of it; on hardware they are the
# guest's MMIO, no exit): the CmdTail store must be among them.
# Run by CTest with -DUIOMMUFD=<command> -DPROGRAM=<interposer_amd_dma>
# -DWORK_DIR=<scratch dir>.

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${UIOMMUFD} run --platform amd --trace=${WORK_DIR}/trace
                        -- ${PROGRAM} -r amd.hw_viommu_guest_cmdbuf
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 300)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\nok 1 amd.hw_viommu_guest_cmdbuf\n")
  message(FATAL_ERROR "hw_viommu_guest_cmdbuf under --trace: exit ${rc}\n${out}\n${err}")
endif()
file(READ ${WORK_DIR}/trace trace)
if(NOT trace MATCHES "mark\\(\"guest invalidation\"\\)\n(.*)[^\n]*mark\\(\"guest completion seen\"\\)")
  message(FATAL_ERROR "the trace lacks the guest's marks:\n${trace}")
endif()
set(between "${CMAKE_MATCH_1}")
string(REGEX MATCHALL "ioctl\\(" calls "${between}")
list(LENGTH calls n)
if(NOT n EQUAL 0)
  message(FATAL_ERROR "${n} host call(s) between the guest's invalidation and its completion:\n${between}")
endif()
if(NOT between MATCHES "pwrite\\([A-Z0-9]+\\+0x1008, 8, 0x20\\) = 8")
  message(FATAL_ERROR "the guest's CmdTail store (0x1008 <- 0x20) is not in the trace:\n${between}")
endif()
# ... and the test did issue ioctls around them, so the trace did see its calls
string(REGEX MATCHALL "ioctl\\([0-9]+, IOMMU_HW_QUEUE_ALLOC" setup "${trace}")
if(NOT setup)
  message(FATAL_ERROR "no IOMMU_HW_QUEUE_ALLOC in the trace: was it traced at all?")
endif()
message(STATUS "ok: no host call between the guest's invalidation and its completion")
