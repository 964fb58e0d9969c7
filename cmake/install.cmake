# `cmake --install`: what a program outside this tree needs to use uiommufd.
#
#   bin/uiommufd                       the command (run, kselftest, selftest, platform)
#   lib/uiommufd/*.so                  what it loads into programs: the interposer and
#                                      the kernel side (the command looks there)
#   lib/libuiommufd.so                 the C API (core/c_api.h) for programs that link
#                                      the kernel side directly
#   include/uiommufd/c_api.h           its header
#   include/uiommufd/uapi/linux/*.h    the uAPI it serves (iommufd, VFIO, the mock
#                                      driver's test ABI), ahead of the system's
#   lib/cmake/uiommufd/                find_package(uiommufd): target uiommufd::uiommufd
#   lib/pkgconfig/uiommufd.pc          pkg-config --cflags --libs uiommufd
#
# Nothing sanitized is installed but the command itself in a sanitized build:
# the libraries are built without sanitizers whatever the preset.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(UIOMMUFD_VERSION 0.1.0)
set(UIOMMUFD_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/uiommufd)
set(UIOMMUFD_INSTALL_UAPIDIR ${CMAKE_INSTALL_INCLUDEDIR}/uiommufd/uapi)

install(TARGETS uiommufd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS uiommufd_preload uiommufd_kernel_so
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/uiommufd)
install(TARGETS uiommufd_c_api EXPORT uiommufd-targets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${UIOMMUFD_INSTALL_UAPIDIR} ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES core/c_api.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/uiommufd)
install(DIRECTORY uapi/linux DESTINATION ${UIOMMUFD_INSTALL_UAPIDIR}
        FILES_MATCHING PATTERN "*.h")

# The imported target is called uiommufd::uiommufd whatever the build calls it.
set_target_properties(uiommufd_c_api PROPERTIES EXPORT_NAME uiommufd)
install(EXPORT uiommufd-targets NAMESPACE uiommufd::
        DESTINATION ${UIOMMUFD_INSTALL_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/uiommufdConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/uiommufdConfig.cmake
  INSTALL_DESTINATION ${UIOMMUFD_INSTALL_CMAKEDIR}
  PATH_VARS UIOMMUFD_INSTALL_UAPIDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/uiommufdConfigVersion.cmake
  VERSION ${UIOMMUFD_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/uiommufdConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/uiommufdConfigVersion.cmake
        DESTINATION ${UIOMMUFD_INSTALL_CMAKEDIR})

# pkg-config paths relative to the .pc file, so an installed tree can be moved.
configure_file(${PROJECT_SOURCE_DIR}/cmake/uiommufd.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/uiommufd.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/uiommufd.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# A Debian package of the same tree: cpack -G DEB in the build directory.
set(CPACK_PACKAGE_NAME uiommufd)
set(CPACK_PACKAGE_VERSION ${UIOMMUFD_VERSION})
set(CPACK_PACKAGE_CONTACT "uiommufd developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "The Linux iommufd stack and IOMMU hardware models as a userspace program")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
include(CPack)
