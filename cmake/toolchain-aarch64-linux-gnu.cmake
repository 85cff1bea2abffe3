# Cross-compiling for arm64 (Graviton; Lambda's arm64) with Debian's
# multiarch toolchain: crossbuild-essential-arm64 and the :arm64 -dev
# packages (scripts/setup.sh: s3s_install_arm64).
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake
# Tests and generated steps that run a built program run it under
# qemu-aarch64-static (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_STRIP aarch64-linux-gnu-strip)
# Debian's multiarch layout: the target's libraries are in /usr/lib/aarch64-linux-gnu,
# headers shared in /usr/include; never pick up an x86_64 library.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
# No -L sysroot: the programs run with the arm64 glibc of the multiarch
# libc6:arm64 (/lib/aarch64-linux-gnu). The cross-compiling copy in
# /usr/aarch64-linux-gnu is an older build, and mixing its loader with the
# multiarch libraries hangs threads under qemu.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
