# `cpack -G DEB` in the build folder makes a Debian package of the CLI and the explorer.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/dermgan-explorer.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/dermgan.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
# Debian policy: the terms of everything in the package, here the program's and the bundled models'.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME "dermgan")
set(CPACK_PACKAGE_VENDOR "dermgan developers")
set(CPACK_PACKAGE_CONTACT "dermgan developers <maintainers@users.noreply.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # dependencies from the linked libraries (dpkg-shlibdeps)
# What dpkg-shlibdeps cannot see, because it is loaded at run time rather than linked: a fast BLAS for
# LibTorch, and the explorer's Qt plugins (the platform plugins to open a window at all; the SVG icon engine
# and image format for the window icon).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp | libopenblas0")
if(DERMGAN_WITH_QT)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", qt6-qpa-plugins, libqt6svg6")
endif()
set(CPACK_STRIP_FILES ON)
include(CPack)
