# Run by `cmake --install` (and cpack): the systemd units, with ExecStart
# pointing at the installed binary (/usr/bin in the .deb).
foreach(unit s3snapshot@.service s3snapshot@.timer)
  file(READ "${S3S_SOURCE_DIR}/systemd/${unit}" text)
  string(REPLACE "/usr/bin/s3snapshot" "${CMAKE_INSTALL_PREFIX}/bin/s3snapshot" text "${text}")
  set(dir "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
  file(MAKE_DIRECTORY "${dir}")
  file(WRITE "${dir}/${unit}" "${text}")
  message(STATUS "Installing: ${dir}/${unit}")
endforeach()
