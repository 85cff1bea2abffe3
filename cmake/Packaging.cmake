# Release artifacts: `cpack -G DEB` (a .deb) and `cpack --config
# CPackSourceConfig.cmake` (s3snapshot-X.Y.Z.tar.gz). The Lambda zip is made
# by scripts/package-lambda.sh.
set(CPACK_PACKAGE_NAME s3snapshot)
set(CPACK_PACKAGE_VENDOR "s3snapshot developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "s3snapshot developers <s3snapshot@users.noreply.github.com>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME "s3snapshot-${PROJECT_VERSION}")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/dist/" "__pycache__" "\\\\.pyc$"
    "/\\\\.pytest_cache/")
include(CPack)
