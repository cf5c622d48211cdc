# Warning flags for Fireside's own targets (not for generated or third-party code).
add_library(fireside_warnings INTERFACE)
target_compile_options(fireside_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(FIRESIDE_WARNINGS_AS_ERRORS)
    target_compile_options(fireside_warnings INTERFACE -Werror)
endif()
