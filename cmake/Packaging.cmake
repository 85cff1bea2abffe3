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
# The description's first line is the synopsis; the rest is the extended
# description lintian asks for.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "snapshot the EBS volumes of EC2 instances, and audit them
 s3snapshot snapshots the EBS volumes of the EC2 instances chosen by instance
 ids and/or tags (one crash-consistent CreateSnapshots per instance), with
 stop/start that always starts again what it stopped, retention, copies to
 other regions across runs, SNS notifications, metrics and JSON reports. It
 runs from a terminal, cron, the systemd timer s3snapshot@.timer, or as an
 AWS Lambda function. s3snapshot audit names every volume without a recent
 completed snapshot.")
# Debian ships stripped binaries (lintian: unstripped-binary-or-object).
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_PACKAGE_FILE_NAME "s3snapshot-${PROJECT_VERSION}")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/dist/" "__pycache__" "\\\\.pyc$"
    "/\\\\.pytest_cache/")
include(CPack)
