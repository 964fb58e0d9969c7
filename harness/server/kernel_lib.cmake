# libuiommufd_kernel.so: the whole kernel side (harness primitives, core,
# drivers, the server's request handling) for the interposer to load into
# the program's own process (harness/server/embedded.cc).
#
# It runs inside programs we did not build, so: no sanitizer (a sanitizer
# runtime must be a process's first library; the sanitized build checks
# the same code in every other target), optimized even in Debug builds
# (it is what makes `uiommufd kselftest` fast), and every symbol hidden but
# the ufd_embedded_* entry points (kernel_lib.map: even libstdc++'s template
# instances), bound to itself (-Bsymbolic) so the
# program's globals cannot interpose on ours. The objects are compiled once
# more for that, separately from the sanitized libraries.
file(GLOB KLIB_SRCS CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/harness/lib/*.cc
  ${PROJECT_SOURCE_DIR}/core/*.cc
  ${PROJECT_SOURCE_DIR}/harness/platform/*.cc)
file(GLOB_RECURSE KLIB_DRIVER_SRCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/drivers/*.cc)
list(FILTER KLIB_DRIVER_SRCS EXCLUDE REGEX "/tests/")
set(KLIB_SERVER_SRCS server.cc files.cc debugfs.cc trace.cc mmap.cc embedded.cc)
list(TRANSFORM KLIB_SERVER_SRCS PREPEND ${PROJECT_SOURCE_DIR}/harness/server/)

add_library(uiommufd_kernel_so SHARED ${KLIB_SRCS} ${KLIB_DRIVER_SRCS} ${KLIB_SERVER_SRCS})
set_target_properties(uiommufd_kernel_so PROPERTIES
  OUTPUT_NAME uiommufd_kernel
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
target_link_libraries(uiommufd_kernel_so PRIVATE uiommufd_kernel_flags uiommufd_uapi
                      Threads::Threads PkgConfig::XXHASH PkgConfig::URING)
target_compile_options(uiommufd_kernel_so PRIVATE -fno-sanitize=all -O2)
target_compile_definitions(uiommufd_kernel_so PRIVATE UFD_DLOPENED)
target_link_options(uiommufd_kernel_so PRIVATE -fno-sanitize=all -Wl,-Bsymbolic
                    -Wl,--no-undefined -Wl,-z,nodelete
                    -Wl,--version-script=${PROJECT_SOURCE_DIR}/harness/server/kernel_lib.map)
set_property(TARGET uiommufd_kernel_so APPEND PROPERTY LINK_DEPENDS
             ${PROJECT_SOURCE_DIR}/harness/server/kernel_lib.map)
