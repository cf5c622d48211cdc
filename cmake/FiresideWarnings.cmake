# Warning flags for Fireside's own targets (not for generated or third-party code).
add_library(fireside_warnings INTERFACE)
target_compile_options(fireside_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports impossible overlaps inside std::string at -O3 (GCC bug 105329); not our code.
    target_compile_options(fireside_warnings INTERFACE -Wno-restrict)
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # Clang's x86 intrinsic macros (_mm_shuffle_epi32, ...) expand to compound literals.
    target_compile_options(fireside_warnings INTERFACE -Wno-c99-extensions)
endif()
if(FIRESIDE_WARNINGS_AS_ERRORS)
    target_compile_options(fireside_warnings INTERFACE -Werror)
endif()
