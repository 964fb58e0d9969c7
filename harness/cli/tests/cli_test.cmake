# The `uiommufd` command's argument handling and `run` basics, as a user
# meets them: exit codes, messages, --trace output. Run by CTest with
# -DUIOMMUFD=<the command> -DTRACE_CLIENT=<trace_client> -DORPHAN_CLIENT=<orphan_client>.

set(failures 0)

# expect(<exit code> <regex the combined output must match> ARGS...)
function(expect code regex)
  execute_process(COMMAND ${UIOMMUFD} ${ARGN} RESULT_VARIABLE rc
                  OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
  set(all "${out}${err}")
  if(NOT rc STREQUAL "${code}" OR NOT all MATCHES "${regex}")
    message(SEND_ERROR "uiommufd ${ARGN}: exit ${rc} (want ${code}), output:\n${all}\n"
                       "(want it to match: ${regex})")
  else()
    message(STATUS "ok: uiommufd ${ARGN} -> ${rc}")
  endif()
endfunction()

expect(2 "usage: uiommufd run")
expect(2 "unknown command \"bogus\"" bogus)
expect(0 "usage: uiommufd run" --help)
expect(2 "no PROGRAM given" run)
expect(2 "unknown option --frobnicate" run --frobnicate -- true)
expect(2 "--platform needs a value" run --platform)
expect(2 "platform nope: no such platform" run --platform nope -- true)
expect(127 "cannot run /nonexistent/program" run -- /nonexistent/program)
expect(3 "" run -- sh -c "exit 3")
expect(0 "" run --platform default -- true)
expect(0 "" run --root -- true)
expect(0 "" run --server -- true)
# A child outliving the parent whose iommufd it shares: the kernel's answer
# with --server; in-process EIO and a message, and no hang.
expect(0 "child: ok" run --server -- ${ORPHAN_CLIENT})
expect(0 "state goes with it.*child: errno 5" run -- ${ORPHAN_CLIENT})
# A program built with a sanitizer cannot host the kernel side: served from
# the command's process instead (only known in a sanitized build).
if(SANITIZED_PROGRAM)
  expect(0 "built with a sanitizer.*--server" run -- ${SANITIZED_PROGRAM})
endif()
# A shell forks: the interposer loads the kernel side first, the children inherit it.
expect(7 "" run -- sh -c "true && (exit 7)")
expect(2 "--tree KERNEL_TREE is required" kselftest)
expect(2 "is not a kernel tree" kselftest --tree /nonexistent)
expect(77 "skipped" kselftest --tree /nonexistent --skip-missing-tree)
expect(2 "unknown argument --bogus" kselftest --bogus)
expect(2 "--jobs needs a positive number" kselftest --jobs 0)
expect(2 "unknown argument --bogus" selftest --bogus)

# --trace: one decoded line per ioctl, to stderr or a file.
expect(0 "IOMMU_IOAS_ALLOC, \\{flags=0\\}\\) = 0 \\{out_ioas_id=[0-9]+\\}"
       run --trace -- ${TRACE_CLIENT})
expect(0 "IOMMU_IOAS_ALLOC, \\{flags=0\\}\\) = 0 \\{out_ioas_id=[0-9]+\\}"
       run --server --trace -- ${TRACE_CLIENT})
expect(0 "IOMMU_DESTROY, \\{id=4242\\}\\) = -1 ENOENT"
       run --trace -- ${TRACE_CLIENT})
set(trace_file ${CMAKE_CURRENT_BINARY_DIR}/uiommufd_cli_trace.txt)
file(REMOVE ${trace_file})
expect(0 "" run --trace=${trace_file} -- ${TRACE_CLIENT})
file(READ ${trace_file} trace)
if(NOT trace MATCHES "\\[pid [0-9]+\\] open\\(\"/dev/iommu\", O_RDWR\\|O_CLOEXEC\\) = [0-9]+")
  message(SEND_ERROR "--trace=FILE: no open line in:\n${trace}")
endif()
if(NOT trace MATCHES "\\] close\\(\\[iommufd\\] token [0-9]+\\): last descriptor gone, released")
  message(SEND_ERROR "--trace=FILE: no release line in:\n${trace}")
endif()
